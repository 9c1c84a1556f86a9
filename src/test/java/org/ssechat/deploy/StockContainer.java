package org.ssechat.deploy;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A stock Tomcat or Jetty distribution, unpacked by the build from Maven Central, run as its
 * users run it ({@code bin/catalina.sh run}, {@code java -jar start.jar}) in a child process,
 * with a fresh base folder under target/ and free ports. Settings go in as users give them:
 * environment variables, {@code -D} system properties, context parameters.
 */
abstract class StockContainer implements AutoCloseable {

    /** The containers the deployment tests run. */
    enum Kind {
        TOMCAT_10("ssechat.tomcat10.home"), TOMCAT_11("ssechat.tomcat11.home"), JETTY_12("ssechat.jetty.home");

        private final String homeProperty;

        Kind(String homeProperty) {
            this.homeProperty = homeProperty;
        }

        StockContainer create() throws IOException {
            Path home = Path.of(System.getProperty(homeProperty, "(unset)"));
            if (!Files.isDirectory(home)) {
                fail(this + " is not unpacked at " + home + ": run 'mvn verify' (pre-integration-test unpacks it)");
            }
            Path base = Files.createTempDirectory(Path.of("target").toAbsolutePath(), name().toLowerCase() + "-");
            return this == JETTY_12 ? new StockJetty(home, base) : new StockTomcat(home, base);
        }
    }

    protected final Path home;
    protected final Path base;
    protected final int port;
    private Process process;

    protected StockContainer(Path home, Path base) throws IOException {
        this.home = home;
        this.base = base;
        this.port = freePort();
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** The folder WARs are deployed to by dropping them in. */
    abstract Path webapps();

    /** The command that starts the container, with these system properties. */
    abstract List<String> command(Map<String, String> systemProperties);

    /** The extra environment the start script needs. */
    abstract Map<String, String> environment();

    /** Copies the WAR in under a file name: {@code ROOT.war} serves at /, {@code sse-chat.war} at /sse-chat. */
    void deploy(Path war, String fileName) throws IOException {
        Files.copy(war, webapps().resolve(fileName), StandardCopyOption.REPLACE_EXISTING);
    }

    /** Starts the container; the environment variables are added to its process. */
    void start(Map<String, String> environment, Map<String, String> systemProperties) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command(systemProperties))
                .directory(base.toFile())
                .redirectErrorStream(true)
                .redirectOutput(base.resolve("console.log").toFile());
        builder.environment().putAll(environment());
        builder.environment().putAll(environment);
        process = builder.start();
    }

    /** {@code http://127.0.0.1:PORT/} plus the context path and '/'. */
    URI base(String contextPath) {
        return URI.create("http://127.0.0.1:" + port + (contextPath.equals("/") ? "/" : contextPath + "/"));
    }

    /** Waits until GET {@code path} answers {@code status}; fails with the console log if it does not. */
    void awaitStatus(String contextPath, String path, int status, long millis) throws Exception {
        long deadline = System.currentTimeMillis() + millis;
        int last = -1;
        while (System.currentTimeMillis() < deadline) {
            if (process != null && !process.isAlive()) {
                fail(this + " exited with " + process.exitValue() + ":\n" + console());
            }
            last = status(base(contextPath).resolve(path));
            if (last == status) {
                return;
            }
            Thread.sleep(100);
        }
        fail(this + ": " + contextPath + "/" + path + " answered " + last + ", not " + status + ", within "
                + millis + " ms\n" + console());
    }

    private static int status(URI uri) {
        try {
            HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection();
            connection.setConnectTimeout(1000);
            connection.setReadTimeout(2000);
            int code = connection.getResponseCode();
            connection.disconnect();
            return code;
        } catch (IOException e) {
            return -1;
        }
    }

    /** Stops the container as a service manager does (SIGTERM), then kills what is left. */
    void stop() throws InterruptedException {
        if (process == null) {
            return;
        }
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        tree.forEach(ProcessHandle::destroyForcibly);
        process = null;
    }

    /** Everything the container wrote: its console and its log files. */
    String console() throws IOException {
        StringBuilder text = new StringBuilder();
        try (Stream<Path> files = Files.walk(base)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".log") || f.toString().endsWith(".txt")).toList()) {
                text.append("==> ").append(base.relativize(file)).append('\n')
                        .append(Files.readString(file, StandardCharsets.UTF_8));
            }
        }
        return text.toString();
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(" + home.getFileName() + ")";
    }

    /** Tomcat with CATALINA_BASE of its own: the distribution's conf, our ports, nothing deployed. */
    static final class StockTomcat extends StockContainer {

        StockTomcat(Path home, Path base) throws IOException {
            super(home, base);
            for (String dir : List.of("conf", "logs", "temp", "webapps", "work")) {
                Files.createDirectories(base.resolve(dir));
            }
            try (Stream<Path> files = Files.list(home.resolve("conf"))) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    Files.copy(file, base.resolve("conf").resolve(file.getFileName()));
                }
            }
            Path serverXml = base.resolve("conf/server.xml");
            String xml = Files.readString(serverXml)
                    .replace("<Server port=\"8005\"", "<Server port=\"-1\"")    // stopped by signal, not by port
                    .replace("port=\"8080\"", "port=\"" + port + "\" address=\"127.0.0.1\"")
                    // Look for added or removed WARs every second rather than every ten.
                    .replace("<Engine name=\"Catalina\" defaultHost=\"localhost\">",
                            "<Engine name=\"Catalina\" defaultHost=\"localhost\" backgroundProcessorDelay=\"1\">");
            Files.writeString(serverXml, xml);
        }

        @Override
        Path webapps() {
            return base.resolve("webapps");
        }

        /** A context parameter, the Tomcat way: conf/Catalina/localhost/NAME.xml. */
        void contextParameter(String contextFile, String name, String value) throws IOException {
            Path file = base.resolve("conf/Catalina/localhost").resolve(contextFile);
            Files.createDirectories(file.getParent());
            Files.writeString(file, "<Context>\n  <Parameter name=\"" + name + "\" value=\"" + value
                    + "\" override=\"false\"/>\n</Context>\n");
        }

        @Override
        List<String> command(Map<String, String> systemProperties) {
            return List.of("sh", home.resolve("bin/catalina.sh").toString(), "run");
        }

        private Map<String, String> systemProperties = Map.of();

        @Override
        void start(Map<String, String> environment, Map<String, String> systemProperties) throws IOException {
            this.systemProperties = systemProperties;
            super.start(environment, systemProperties);
        }

        @Override
        Map<String, String> environment() {
            Map<String, String> env = new HashMap<>();
            env.put("CATALINA_HOME", home.toString());
            env.put("CATALINA_BASE", base.toString());
            env.put("CATALINA_PID", base.resolve("tomcat.pid").toString());
            StringBuilder opts = new StringBuilder();
            systemProperties.forEach((name, value) -> opts.append("-D").append(name).append('=').append(value).append(' '));
            env.put("CATALINA_OPTS", opts.toString().trim());
            return env;
        }
    }

    /** Standalone Jetty 12 with a JETTY_BASE of its own, made with start.jar --add-modules. */
    static final class StockJetty extends StockContainer {

        StockJetty(Path home, Path base) throws IOException {
            super(home, base);
            try {
                Process add = new ProcessBuilder(java(), "-jar", home.resolve("start.jar").toString(),
                        "--add-modules=http,ee10-deploy,ee10-annotations")
                        .directory(base.toFile()).redirectErrorStream(true)
                        .redirectOutput(base.resolve("add-modules.log").toFile()).start();
                if (!add.waitFor(60, TimeUnit.SECONDS) || add.exitValue() != 0) {
                    fail("jetty start.jar --add-modules failed:\n" + Files.readString(base.resolve("add-modules.log")));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }

        @Override
        Path webapps() {
            return base.resolve("webapps");
        }

        @Override
        List<String> command(Map<String, String> systemProperties) {
            List<String> command = new ArrayList<>(List.of(java()));
            systemProperties.forEach((name, value) -> command.add("-D" + name + "=" + value));
            command.addAll(List.of("-jar", home.resolve("start.jar").toString(),
                    "jetty.http.port=" + port, "jetty.http.host=127.0.0.1"));
            return command;
        }

        @Override
        Map<String, String> environment() {
            return Map.of("JETTY_HOME", home.toString(), "JETTY_BASE", base.toString());
        }
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
