package org.ssechat.deploy;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Standalone Jetty 12 (ee10) as its documentation sets it up: a JETTY_BASE made with
 * {@code start.jar --add-modules=http,ee10-deploy,ee10-annotations}, WARs dropped into its
 * webapps/, started with {@code java -jar start.jar jetty.http.port=N}.
 */
final class StockJetty extends StockContainer {

    private static final String MODULES = "http,ee10-deploy,ee10-annotations";
    private static final long ADD_MODULES_SECONDS = 60;

    StockJetty(Path home, Path base) throws IOException, InterruptedException {
        super(home, base);
        // A work/ folder in the base is where Jetty unpacks WARs, instead of /tmp.
        Files.createDirectories(base.resolve("work"));
        Path log = base.resolve("add-modules.log");
        ChildProcess addModules = ChildProcess.start("jetty --add-modules",
                new ProcessBuilder(java(), "-jar", startJar(), "--add-modules=" + MODULES).directory(base.toFile()), log);
        try {
            if (!addModules.waitFor(ADD_MODULES_SECONDS) || addModules.exitValue() != 0) {
                fail("java -jar start.jar --add-modules=" + MODULES + " failed:\n" + Files.readString(log));
            }
        } finally {
            addModules.stop();
        }
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
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("JETTY_HOME", home.toString());
        builder.environment().put("JETTY_BASE", base.toString());
        return builder;
    }
}
