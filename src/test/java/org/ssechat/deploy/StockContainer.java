package org.ssechat.deploy;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A stock Tomcat or Jetty distribution, unpacked by the build from Maven Central, run as its
 * users run it ({@code bin/catalina.sh run}, {@code java -jar start.jar}) in a child process,
 * with a base folder of its own under target/ and a free port. WARs are deployed by dropping
 * them into its webapps folder; settings go in as users give them: environment variables,
 * {@code -D} system properties and context parameters.
 */
abstract class StockContainer implements AutoCloseable {

    /** The containers the deployment tests run; failsafe passes where the build unpacked each. */
    enum Kind {
        TOMCAT_10("ssechat.tomcat10.home"), TOMCAT_11("ssechat.tomcat11.home"), JETTY_12("ssechat.jetty.home");

        private final String homeProperty;

        Kind(String homeProperty) {
            this.homeProperty = homeProperty;
        }

        /** A fresh instance with an empty base folder; not started yet. */
        StockContainer create() throws IOException, InterruptedException {
            Path home = Path.of(System.getProperty(homeProperty, "(system property " + homeProperty + " unset)"));
            if (!Files.isDirectory(home)) {
                fail(this + " is not unpacked at " + home + ": run 'mvn verify', whose pre-integration-test phase unpacks it");
            }
            Path base = Files.createTempDirectory(Path.of("target").toAbsolutePath(), name().toLowerCase(Locale.ROOT) + "-");
            return this == JETTY_12 ? new StockJetty(home, base) : new StockTomcat(home, base);
        }
    }

    protected final Path home;
    protected final Path base;
    protected final int port;
    /** The port of the TLS connector, once {@link #https} asked for one. */
    protected int httpsPort = -1;
    private final ContainerLog log;
    private final List<String> jvmOptions = new ArrayList<>();
    private volatile ChildProcess process;

    protected StockContainer(Path home, Path base) throws IOException {
        this.home = home;
        this.base = base;
        this.port = freePort();
        this.log = new ContainerLog(base);
    }

    /** A port nobody listens on now. */
    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** The java of the JVM running the tests: the containers run on the same Java. */
    static Path javaHome() {
        return Path.of(System.getProperty("java.home"));
    }

    /** JVM options (such as {@code -Xmx96m}) for the container's JVM, as users give them; call before {@link #start}. */
    void jvmOptions(String... options) {
        jvmOptions.addAll(List.of(options));
    }

    protected List<String> jvmOptions() {
        return List.copyOf(jvmOptions);
    }

    /**
     * Adds a TLS connector that speaks HTTP/2 (h2, chosen by ALPN) and HTTP/1.1, on a free port
     * of 127.0.0.1, with this keystore, configured as docs/deployment.md's HTTP/2 section shows; call
     * before {@link #start}. The plain HTTP connector stays.
     */
    void https(SelfSignedKeystore keystore) throws IOException, InterruptedException {
        httpsPort = freePort();
        configureHttps(keystore);
    }

    /**
     * Sets how long the TLS connector keeps an HTTP/2 connection that is idle, as an operator
     * sets it (Tomcat: Http2Protocol's keepAliveTimeout; Jetty: jetty.ssl.idleTimeout, also its
     * HTTP/2 sessions' and streams' idle timeout); call after {@link #https}, before {@link #start}.
     */
    abstract void httpsIdleTimeout(long millis) throws IOException;

    /** The container's own way to serve TLS and HTTP/2 on {@link #httpsPort}. */
    protected abstract void configureHttps(SelfSignedKeystore keystore) throws IOException, InterruptedException;

    /** The folder the container deploys WARs from. */
    abstract Path webapps();

    /** The start command and its environment, with these {@code -D} system properties. */
    protected abstract ProcessBuilder startCommand(Map<String, String> systemProperties);

    /**
     * Gives the deployment of {@code warFile} a context parameter, the container's way; call
     * before {@link #deploy}.
     */
    abstract void contextParameter(String warFile, String name, String value) throws IOException;

    /** Copies the WAR in: {@code ROOT.war} serves at /, {@code sse-chat.war} at /sse-chat. */
    void deploy(Path war, String warFile) throws IOException {
        Files.copy(war, webapps().resolve(warFile), StandardCopyOption.REPLACE_EXISTING);
    }

    /** Deletes the WAR, as an operator undeploys. */
    void undeploy(String warFile) throws IOException {
        Files.delete(webapps().resolve(warFile));
    }

    /** Touches the WAR, as an operator redeploys the same file. */
    void touch(String warFile) throws IOException {
        Files.setLastModifiedTime(webapps().resolve(warFile), FileTime.from(Instant.now()));
    }

    /** Starts the container with these extra environment variables and {@code -D} system properties. */
    void start(Map<String, String> environment, Map<String, String> systemProperties) throws IOException {
        ProcessBuilder builder = startCommand(systemProperties).directory(base.toFile());
        // Only the settings the test gives: none from the shell that runs the build.
        builder.environment().keySet().removeIf(name -> name.startsWith("CHAT_") || name.equals("REDIS_URL"));
        builder.environment().putAll(environment);
        process = ChildProcess.start(toString(), builder, base.resolve("console.log"));
    }

    /** {@code http://127.0.0.1:PORT/} plus the context path, ending with '/'. */
    URI base(String contextPath) {
        return URI.create("http://127.0.0.1:" + port + (contextPath.equals("/") ? "/" : contextPath + "/"));
    }

    /** {@code https://127.0.0.1:PORT/} of the TLS connector (see {@link #https}) plus the context path, ending with '/'. */
    URI httpsBase(String contextPath) {
        if (httpsPort < 0) {
            throw new IllegalStateException(this + " serves no HTTPS: call https() before start()");
        }
        return URI.create("https://127.0.0.1:" + httpsPort + (contextPath.equals("/") ? "/" : contextPath + "/"));
    }

    /** Waits until GET {@code path} answers {@code status}; fails with the container's log if it does not. */
    void awaitStatus(String contextPath, String path, int status, long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        int last = -1;
        while (System.currentTimeMillis() < deadline) {
            if (!process.isAlive()) {
                fail(this + " exited with " + process.exitValue() + ":\n" + log.text());
            }
            last = status(base(contextPath).resolve(path));
            if (last == status) {
                return;
            }
            Thread.sleep(100);
        }
        fail(this + ": " + base(contextPath).resolve(path) + " answered " + last + ", not " + status + ", within "
                + millis + " ms\n" + log.text());
    }

    private static int status(URI uri) {
        try {
            HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection();
            connection.setConnectTimeout(1000);
            connection.setReadTimeout(2000);
            int code = connection.getResponseCode();
            connection.disconnect();
            return code;
        } catch (IOException notListeningYet) {
            return -1;
        }
    }

    /**
     * Stops the container with SIGTERM, as Ctrl-C or a service manager does; kills what is left.
     *
     * @return whether it exited by itself (an application that blocks its stop keeps it running)
     */
    boolean stop() throws InterruptedException {
        return process == null || process.stop();
    }

    /** Kills the container with SIGKILL: the application gets no word, its stop never runs. */
    void crash() {
        if (process != null) {
            process.crash();
        }
    }

    /** What the container's JVM holds now, after a full collection (see {@link HeapHistogram}). */
    HeapHistogram heapHistogram() throws IOException, InterruptedException {
        if (process == null || !process.isAlive()) {
            throw new IllegalStateException(this + " is not running");
        }
        return HeapHistogram.of(process.pid(), javaHome());
    }

    /** The names of the threads the container's JVM has now (see {@link ThreadNames}). */
    List<String> threadNames() throws IOException, InterruptedException {
        if (process == null || !process.isAlive()) {
            throw new IllegalStateException(this + " is not running");
        }
        return ThreadNames.of(process.pid(), javaHome());
    }

    ContainerLog log() {
        return log;
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(" + home.getFileName() + ", port " + port + ")";
    }
}
