package org.ssechat.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A stock Tomcat run with {@code bin/catalina.sh run} and a CATALINA_BASE of its own (Tomcat's
 * way to run several instances from one installation): the distribution's conf/, an empty
 * webapps/, and these changes to server.xml, each checked so a new Tomcat layout fails loudly:
 * <ul>
 *   <li>the shutdown port is disabled ({@code port="-1"}, as Tomcat documents for instances
 *       stopped by a signal), so parallel instances do not fight over 8005;</li>
 *   <li>the HTTP connector listens on a free port on 127.0.0.1 instead of 8080;</li>
 *   <li>the engine looks for added, touched or deleted WARs every second instead of every ten.</li>
 * </ul>
 * With {@link #https}, also docs/deployment.md's TLS connector with HTTP/2, on a free port of 127.0.0.1.
 */
final class StockTomcat extends StockContainer {

    /** The TLS connector with HTTP/2 exactly as docs/deployment.md's HTTP/2 section shows it. */
    static final String HTTPS_CONNECTOR = """
            <Connector port="8443" protocol="org.apache.coyote.http11.Http11NioProtocol" SSLEnabled="true">
                <UpgradeProtocol className="org.apache.coyote.http2.Http2Protocol" />
                <SSLHostConfig>
                    <Certificate certificateKeystoreFile="conf/sse-chat.p12" certificateKeystorePassword="changeit" type="RSA" />
                </SSLHostConfig>
            </Connector>
            """;
    /** Where that connector looks for the keystore, relative to CATALINA_BASE. */
    static final String KEYSTORE_FILE = "conf/sse-chat.p12";
    static final String KEYSTORE_PASSWORD = "changeit";
    private static final String ENGINE = "<Engine name=\"Catalina\" defaultHost=\"localhost\" backgroundProcessorDelay=\"1\">";

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
        String xml = Files.readString(serverXml);
        xml = replaceOnce(xml, "<Server port=\"8005\"", "<Server port=\"-1\"");
        xml = replaceOnce(xml, "<Connector port=\"8080\"", "<Connector port=\"" + port + "\" address=\"127.0.0.1\"");
        xml = replaceOnce(xml, "<Engine name=\"Catalina\" defaultHost=\"localhost\">", ENGINE);
        Files.writeString(serverXml, xml);
    }

    /**
     * Adds attributes to the HTTP connector in {@code server.xml}, as an operator edits it
     * (say {@code maxConnections="20000"}); call before {@link #start}.
     */
    void connectorAttributes(String attributes) throws IOException {
        Path serverXml = base.resolve("conf/server.xml");
        String marker = "<Connector port=\"" + port + "\" address=\"127.0.0.1\"";
        Files.writeString(serverXml, replaceOnce(Files.readString(serverXml), marker, marker + " " + attributes));
    }

    /**
     * docs/deployment.md's connector, listening on 127.0.0.1 and {@link #httpsPort} instead of 8443,
     * placed after the HTTP connector, with the keystore copied where it looks.
     */
    @Override
    protected void configureHttps(SelfSignedKeystore keystore) throws IOException {
        if (!keystore.password().equals(KEYSTORE_PASSWORD)) {
            throw new IllegalArgumentException("docs/deployment.md's connector takes a keystore with password " + KEYSTORE_PASSWORD);
        }
        Files.copy(keystore.file(), base.resolve(KEYSTORE_FILE));
        String connector = replaceOnce(HTTPS_CONNECTOR, "port=\"8443\"", "port=\"" + httpsPort + "\" address=\"127.0.0.1\"");
        Path serverXml = base.resolve("conf/server.xml");
        Files.writeString(serverXml, replaceOnce(Files.readString(serverXml), ENGINE,
                connector.indent(4).stripLeading() + "\n    " + ENGINE));
    }

    /**
     * Http2Protocol's keepAliveTimeout, on the TLS connector's UpgradeProtocol (server.xml also
     * holds Tomcat's commented-out example): how long a connection with no open stream may idle.
     */
    @Override
    void httpsIdleTimeout(long millis) throws IOException {
        Path serverXml = base.resolve("conf/server.xml");
        String xml = Files.readString(serverXml);
        String protocol = "<UpgradeProtocol className=\"org.apache.coyote.http2.Http2Protocol\"";
        int connector = xml.indexOf("<Connector port=\"" + httpsPort + "\"");
        int at = connector < 0 ? -1 : xml.indexOf(protocol, connector);
        if (at < 0) {
            throw new IllegalStateException("server.xml has no HTTPS connector: call https() first");
        }
        at += protocol.length();
        Files.writeString(serverXml, xml.substring(0, at) + " keepAliveTimeout=\"" + millis + "\"" + xml.substring(at));
    }

    private static String replaceOnce(String text, String from, String to) {
        int at = text.indexOf(from);
        if (at < 0 || text.indexOf(from, at + 1) >= 0) {
            throw new IllegalStateException("server.xml does not contain '" + from + "' exactly once");
        }
        return text.replace(from, to);
    }

    @Override
    Path webapps() {
        return base.resolve("webapps");
    }

    /** The Tomcat way for one deployment: {@code conf/Catalina/localhost/<name>.xml} with a {@code <Parameter>}. */
    @Override
    void contextParameter(String warFile, String name, String value) throws IOException {
        Path descriptor = base.resolve("conf/Catalina/localhost").resolve(warFile.replaceFirst("\\.war$", ".xml"));
        Files.createDirectories(descriptor.getParent());
        Files.writeString(descriptor, "<Context>\n  <Parameter name=\"" + name + "\" value=\"" + value + "\"/>\n</Context>\n");
    }

    @Override
    protected ProcessBuilder startCommand(Map<String, String> systemProperties) {
        ProcessBuilder builder = new ProcessBuilder("sh", home.resolve("bin/catalina.sh").toString(), "run");
        Map<String, String> env = builder.environment();
        env.remove("JAVA_OPTS");
        env.remove("JRE_HOME");
        env.put("JAVA_HOME", javaHome().toString());
        env.put("CATALINA_HOME", home.toString());
        env.put("CATALINA_BASE", base.toString());
        // The variable catalina.sh documents for the server's own -D options.
        env.put("CATALINA_OPTS", Stream.concat(jvmOptions().stream(), systemProperties.entrySet().stream()
                .map(property -> "-D" + property.getKey() + "=" + property.getValue()))
                .collect(Collectors.joining(" ")));
        return builder;
    }
}
