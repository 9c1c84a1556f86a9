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
 */
final class StockTomcat extends StockContainer {

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
        xml = replaceOnce(xml, "<Engine name=\"Catalina\" defaultHost=\"localhost\">",
                "<Engine name=\"Catalina\" defaultHost=\"localhost\" backgroundProcessorDelay=\"1\">");
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
