package org.ssechat.testing;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The built WAR ({@code target/sse-chat.war}) running in a real servlet container in this JVM,
 * on a free port, with its settings given as context parameters, so several instances with
 * different settings can run side by side.
 */
public interface WarServer extends AutoCloseable {

    /** The default async timeout the containers get in tests: far below their 30 s. */
    long ASYNC_TIMEOUT_MILLIS = 2000;

    /** The container's name, for test names and messages. */
    String name();

    /** The application's base URI, ending with '/', e.g. {@code http://127.0.0.1:41234/sse-chat/}. */
    URI base();

    /** Stops the container; the application is undeployed first. */
    @Override
    void close() throws Exception;

    /** The kinds of container a test can ask for. */
    enum Kind {
        JETTY, TOMCAT;

        public WarServer start(String contextPath, Map<String, String> settings) throws Exception {
            return this == JETTY ? EmbeddedJetty.start(war(), contextPath, settings)
                    : EmbeddedTomcat.start(war(), contextPath, settings);
        }
    }

    /** The WAR the build made; failsafe passes its path. */
    static Path war() {
        String path = System.getProperty("ssechat.war", "target/sse-chat.war");
        Path war = Path.of(path);
        if (!Files.isRegularFile(war)) {
            throw new IllegalStateException("No WAR at " + war.toAbsolutePath() + ": run 'mvn verify' (it packages first)");
        }
        return war;
    }
}
