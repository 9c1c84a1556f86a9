package org.ssechat.testing;

import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The built WAR ({@code target/sse-chat.war}) running in a real servlet container in this JVM,
 * on a free port of loopback, under the context path given, with its settings
 * ({@code CHAT_HEARTBEAT_SECONDS}, {@code REDIS_URL}, ...) given as servlet context parameters:
 * so several instances with different settings (two nodes on two Redis servers, say) can run
 * side by side, which system properties could not do.
 *
 * <pre>{@code
 * try (WarServer server = WarServer.Kind.TOMCAT.start("/sse-chat", Map.of("CHAT_HEARTBEAT_SECONDS", "1"))) {
 *     URI base = server.base(); // http://127.0.0.1:41234/sse-chat/
 * }
 * }</pre>
 *
 * <p>The container's default async timeout is {@link #ASYNC_TIMEOUT_MILLIS} instead of its 30 s,
 * so a test can show in seconds that streams outlive it; {@link #defaultAsyncTimeoutMillis()}
 * asks the running container what it really is.
 */
public interface WarServer extends AutoCloseable {

    /** The default async timeout the containers get in tests: far below their 30 s. */
    long ASYNC_TIMEOUT_MILLIS = 2000;

    /** The container's name, for test names and messages. */
    String name();

    /** The application's base URI, ending with '/', e.g. {@code http://127.0.0.1:41234/sse-chat/}. */
    URI base();

    /**
     * The async timeout a request that sets none gets from this container, as measured by a probe
     * servlet deployed beside the WAR (see {@link AsyncTimeoutProbe}).
     */
    default long defaultAsyncTimeoutMillis() throws Exception {
        HttpResponse<String> answer = ChatHttp.get(base(),
                AsyncTimeoutProbe.CONTEXT_PATH + AsyncTimeoutProbe.SERVLET_PATH);
        if (answer.statusCode() != 200) {
            throw new AssertionError("the async timeout probe of " + name() + " answered " + answer.statusCode());
        }
        return Long.parseLong(answer.body().trim());
    }

    /** Opens {@code GET /sse?room=...} and waits for its first line: the node holds the stream now. */
    default SseStream openRoom(String room) throws Exception {
        SseStream stream = SseStream.open(base().resolve("sse?room=" + room));
        stream.awaitFirstLine();
        return stream;
    }

    /** Stops the container; the application is undeployed first. */
    @Override
    void close() throws Exception;

    /** The kinds of container a test can ask for. */
    enum Kind {
        /** Embedded Jetty 12 (ee10), as {@link EmbeddedJetty}. */
        JETTY,
        /** Embedded Tomcat 10.1, as {@link EmbeddedTomcat}. */
        TOMCAT;

        /** Starts the WAR the build made (see {@link #war()}). */
        public WarServer start(String contextPath, Map<String, String> settings) throws Exception {
            return start(war(), contextPath, settings);
        }

        /**
         * Starts a WAR; returns once it is deployed and answering.
         *
         * @param contextPath "/" or a path such as "/sse-chat"
         * @param settings    servlet context parameters of this deployment only
         */
        public WarServer start(Path war, String contextPath, Map<String, String> settings) throws Exception {
            return this == JETTY ? EmbeddedJetty.start(war, contextPath, settings)
                    : EmbeddedTomcat.start(war, contextPath, settings);
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

    /** {@code http://127.0.0.1:PORT} plus the context path and a final '/'. */
    static URI base(int port, String contextPath) {
        return URI.create("http://127.0.0.1:" + port + (contextPath.endsWith("/") ? contextPath : contextPath + "/"));
    }
}
