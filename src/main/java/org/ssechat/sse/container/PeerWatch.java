package org.ssechat.sse.container;

import jakarta.servlet.AsyncContext;
import java.util.function.Consumer;

/**
 * How a stream learns, without writing to it, that its client closed the connection: so a wave
 * of disconnects leaves the registry (see {@code sse.ClientRegistry.closeGone}) before the next
 * message meets it, instead of failing writes on the fan-out path.
 *
 * <p>Which way works depends on the container ({@link ServletContainer#watch}). Tomcat reads
 * ahead on the connection when asked how much of the request body is available
 * ({@link RequestBodyWatch}). Jetty reads nothing from an HTTP/1 connection while its response is
 * open, so there the watch reads the connection itself through Jetty's endpoint
 * ({@link JettyConnectionWatch}). Like nginx, both take a connection the
 * client shut for writing as gone: an event-stream client sends nothing after its request.
 */
public interface PeerWatch {

    /** A stream nothing can watch: its end shows up at a write. */
    PeerWatch NONE = () -> false;

    /**
     * Whether the client closed or reset its connection, or sent something after its request.
     * Called by one thread at a time, and never once the stream is being completed. A watch that
     * finds the client gone may end the connection at once, and the container may then tell the
     * stream's {@code AsyncListener.onError} on the calling thread (Jetty's does).
     */
    boolean peerClosed();

    /**
     * Makes a stream's watch once its async has started, inside its order: the container's
     * ({@link ServletContainer#watch}), or a stand-in's.
     */
    @FunctionalInterface
    interface Factory {

        /** @param onReadError told when the container reports a read error on the connection */
        PeerWatch watch(AsyncContext async, Consumer<String> onReadError);
    }
}
