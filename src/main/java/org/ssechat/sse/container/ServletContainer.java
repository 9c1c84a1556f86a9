package org.ssechat.sse.container;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletRequest;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * The servlet container that serves this WAR, found once as the application starts, and what
 * differs by it: how a stream learns that its client left ({@link #watch}), how a frame goes
 * into a response ({@link #frameSink}), and what an open stream costs ({@link #streamBytes}).
 * Nothing else in the application asks which container it runs in.
 *
 * <p>The WAR cannot link against a container's classes (in jetty-home a webapp does not see
 * Jetty's), so the container is known by names: the package of its {@code ServletContext}
 * class, which stays when an operator changes the server's name, else the name
 * {@code getServerInfo()} gives (a wrapped context, say).
 *
 * <p>Each application has its own instance, made by the composition root: what it keeps (the
 * reflective calls into Jetty it found, the direct copies of large frames) belongs to that
 * application alone and goes with it; {@link #close()} lets go of the copies at its stop.
 */
public final class ServletContainer implements AutoCloseable {

    /** Heap one open stream costs in Jetty 12, with headroom (measured: about 14 kB). */
    static final long JETTY_STREAM_BYTES = 20 * 1024;
    /** Heap one open stream costs in stock Tomcat 10.1 and 11, with headroom (measured: about 95 kB). */
    static final long TOMCAT_STREAM_BYTES = 110 * 1024;

    /** The containers told apart. */
    public enum Kind {
        /**
         * Jetty 12 (ee10): a stream's HTTP/1 connection is watched through Jetty's endpoint, and
         * a frame larger than the response buffer goes in whole (see {@link LargeFrames}). Its
         * streams cost little: Jetty keeps about 14 kB a connection.
         */
        JETTY("org.eclipse.jetty.", "jetty", JETTY_STREAM_BYTES),
        /**
         * Tomcat 10.1 and 11: the request body tells (see {@link RequestBodyWatch}), and a large
         * array is written whole already. Its socket, header and connector buffers, allocated up
         * front, make a stream cost about 100 kB.
         */
        TOMCAT("org.apache.catalina.", "apache tomcat", TOMCAT_STREAM_BYTES),
        /** Any other: served the servlet API's way, and counted like Tomcat. */
        OTHER(null, null, TOMCAT_STREAM_BYTES);

        /** The package of the container's own classes; null when not known. */
        private final String ownPackage;
        /** How its {@code getServerInfo()} begins, in lower case; null when not known. */
        private final String serverInfoPrefix;
        private final long streamBytes;

        Kind(String ownPackage, String serverInfoPrefix, long streamBytes) {
            this.ownPackage = ownPackage;
            this.serverInfoPrefix = serverInfoPrefix;
            this.streamBytes = streamBytes;
        }

        private boolean owns(Class<?> type) {
            return ownPackage != null && type.getName().startsWith(ownPackage);
        }
    }

    private final Kind kind;
    /** Jetty's: the watches of its HTTP/1 connections; null in any other container. */
    private final JettyConnectionWatch.Watches jettyWatches;
    /** Jetty's: frames written whole; null in any other container. */
    private final LargeFrames largeFrames;

    private ServletContainer(Kind kind) {
        this.kind = kind;
        boolean jetty = kind == Kind.JETTY;
        this.jettyWatches = jetty ? new JettyConnectionWatch.Watches(kind::owns) : null;
        this.largeFrames = jetty ? new LargeFrames(kind::owns) : null;
    }

    /** The container that serves this context. */
    public static ServletContainer of(ServletContext context) {
        return of(detect(context.getClass().getName(), context.getServerInfo()));
    }

    /** A container of this kind, as if detected: for tests. */
    public static ServletContainer of(Kind kind) {
        return new ServletContainer(kind);
    }

    /**
     * @param contextClass the name of the container's {@code ServletContext} class
     * @param serverInfo   its {@code getServerInfo()}, such as {@code Apache Tomcat/10.1.60} or
     *                     {@code jetty/12.0.31}; may be null
     */
    static Kind detect(String contextClass, String serverInfo) {
        for (Kind kind : Kind.values()) {
            if (kind.ownPackage != null && contextClass.startsWith(kind.ownPackage)) {
                return kind;
            }
        }
        String info = serverInfo == null ? "" : serverInfo.toLowerCase(Locale.ROOT);
        for (Kind kind : Kind.values()) {
            if (kind.serverInfoPrefix != null && info.startsWith(kind.serverInfoPrefix)) {
                return kind;
            }
        }
        return Kind.OTHER;
    }

    public Kind kind() {
        return kind;
    }

    /**
     * The watch that works for this stream in this container (see {@link PeerWatch}): in Jetty
     * its HTTP/1 connection's, else (and for Jetty's HTTP/2 streams) its request body's. Sets
     * the request's read listener: call it inside the stream's order, once its async has started.
     *
     * @param onReadError told when the container reports a read error on the connection
     */
    public PeerWatch watch(AsyncContext async, Consumer<String> onReadError) {
        ServletRequest request = async.getRequest();
        PeerWatch connection = jettyWatches == null ? null : jettyWatches.of(request);
        return connection != null ? connection : RequestBodyWatch.of(request, onReadError);
    }

    /**
     * How frames go into streams whose response buffer holds this many bytes: in Jetty a
     * larger frame goes in whole (see {@link LargeFrames}); anywhere else, and for a smaller
     * one, the servlet API's array write.
     */
    public FrameSink frameSink(int responseBufferBytes) {
        if (largeFrames == null) {
            return FrameSink.ARRAY;
        }
        return (out, frame) -> {
            if (frame.length <= responseBufferBytes || !largeFrames.write(out, frame)) {
                out.write(frame);
            }
        };
    }

    /** Heap one open stream costs in this container, with headroom (see {@link StreamBudget}). */
    public long streamBytes() {
        return kind.streamBytes;
    }

    /** Lets go of the direct copies of large frames this application made; call once its streams have ended. */
    @Override
    public void close() {
        if (largeFrames != null) {
            largeFrames.release();
        }
    }

    @Override
    public String toString() {
        return "ServletContainer(" + kind + ")";
    }
}
