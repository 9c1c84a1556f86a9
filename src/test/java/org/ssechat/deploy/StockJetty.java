package org.ssechat.deploy;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Standalone Jetty 12 (ee10) as its documentation sets it up: a JETTY_BASE made with
 * {@code start.jar --add-modules=http,ee10-deploy,ee10-annotations}, WARs dropped into its
 * webapps/, started with {@code java -jar start.jar jetty.http.port=N}. With {@link #https}, also
 * {@code --add-modules=ssl,https,http2} and the keystore in {@code start.d/ssl.ini}, as the
 * docs/deployment.md's HTTP/2 section shows.
 */
final class StockJetty extends StockContainer {

    private static final String MODULES = "http,ee10-deploy,ee10-annotations";
    /** TLS, HTTP/1.1 over it, and HTTP/2 (ALPN comes with it): deployment.md's modules. */
    static final String HTTPS_MODULES = "ssl,https,http2";
    /** The keystore lines deployment.md appends to {@code start.d/ssl.ini}; the path is relative to JETTY_BASE. */
    static final String SSL_INI = """
            jetty.sslContext.keyStorePath=etc/sse-chat.p12
            jetty.sslContext.keyStorePassword=changeit
            """;
    private static final String KEYSTORE_FILE = "etc/sse-chat.p12";
    private static final String KEYSTORE_PASSWORD = "changeit";
    private static final long ADD_MODULES_SECONDS = 60;

    /** Module properties given on the command line, as an operator may ({@code jetty.deploy.scanInterval=1}). */
    private final Map<String, String> properties = new LinkedHashMap<>();

    StockJetty(Path home, Path base) throws IOException, InterruptedException {
        super(home, base);
        // A work/ folder in the base is where Jetty unpacks WARs, instead of /tmp.
        Files.createDirectories(base.resolve("work"));
        addModules(MODULES);
    }

    private void addModules(String modules) throws IOException, InterruptedException {
        Path log = base.resolve("add-modules.log");
        ChildProcess addModules = ChildProcess.start("jetty --add-modules",
                new ProcessBuilder(java(), "-jar", startJar(), "--add-modules=" + modules).directory(base.toFile()), log);
        try {
            if (!addModules.waitFor(ADD_MODULES_SECONDS) || addModules.exitValue() != 0) {
                fail("java -jar start.jar --add-modules=" + modules + " failed:\n" + Files.readString(log));
            }
        } finally {
            addModules.stop();
        }
    }

    /**
     * deployment.md's way: the modules, the keystore in etc/ and its lines in start.d/ssl.ini; the
     * port and host go on the command line (see {@link #startCommand}), since they change per test.
     */
    @Override
    protected void configureHttps(SelfSignedKeystore keystore) throws IOException, InterruptedException {
        if (!keystore.password().equals(KEYSTORE_PASSWORD)) {
            throw new IllegalArgumentException("deployment.md's ssl.ini takes a keystore with password " + KEYSTORE_PASSWORD);
        }
        addModules(HTTPS_MODULES);
        Files.createDirectories(base.resolve("etc"));
        Files.copy(keystore.file(), base.resolve(KEYSTORE_FILE));
        Path sslIni = base.resolve("start.d/ssl.ini");
        if (!Files.isRegularFile(sslIni)) {
            fail("--add-modules=" + HTTPS_MODULES + " made no " + sslIni);
        }
        Files.writeString(sslIni, SSL_INI, StandardOpenOption.APPEND);
    }

    /** jetty.ssl.idleTimeout in start.d/ssl.ini: the connector's, and so its HTTP/2 sessions' and streams', idle timeout. */
    @Override
    void httpsIdleTimeout(long millis) throws IOException {
        Files.writeString(base.resolve("start.d/ssl.ini"), "jetty.ssl.idleTimeout=" + millis + "\n", StandardOpenOption.APPEND);
    }

    /**
     * Sets a property of one of Jetty's modules (those its start.d/*.ini files list, such as
     * {@code jetty.http.idleTimeout}) on the command line; call before {@link #start}.
     */
    void property(String name, String value) {
        properties.put(name, value);
    }

    private static String java() {
        return javaHome().resolve("bin/java").toString();
    }

    private String startJar() {
        return home.resolve("start.jar").toString();
    }

    @Override
    Path webapps() {
        return base.resolve("webapps");
    }

    /**
     * The Jetty way for one deployment: a context XML beside the WAR with the same name, which
     * the deployer then uses instead of the bare WAR.
     */
    @Override
    void contextParameter(String warFile, String name, String value) throws IOException {
        String context = warFile.replaceFirst("\\.war$", "");
        Files.writeString(webapps().resolve(context + ".xml"), """
                <?xml version="1.0"?>
                <!DOCTYPE Configure PUBLIC "-//Jetty//Configure//EN" "https://jetty.org/configure_10_0.dtd">
                <Configure class="org.eclipse.jetty.ee10.webapp.WebAppContext">
                  <Set name="contextPath">%s</Set>
                  <Set name="war"><Property name="jetty.webapps"/>/%s</Set>
                  <Call name="setInitParameter"><Arg>%s</Arg><Arg>%s</Arg></Call>
                </Configure>
                """.formatted(context.equals("ROOT") ? "/" : "/" + context, warFile, name, value));
    }

    @Override
    protected ProcessBuilder startCommand(Map<String, String> systemProperties) {
        List<String> command = new ArrayList<>(List.of(java()));
        command.addAll(jvmOptions());
        systemProperties.forEach((name, value) -> command.add("-D" + name + "=" + value));
        command.addAll(List.of("-jar", startJar(), "jetty.http.port=" + port, "jetty.http.host=127.0.0.1"));
        properties.forEach((name, value) -> command.add(name + "=" + value));
        if (httpsPort > 0) {
            command.addAll(List.of("jetty.ssl.port=" + httpsPort, "jetty.ssl.host=127.0.0.1"));
        }
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("JETTY_HOME", home.toString());
        builder.environment().put("JETTY_BASE", base.toString());
        return builder;
    }
}
