package org.ssechat.sse.container;

import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletRequestWrapper;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Watches a stream's HTTP/1 connection in Jetty 12 by reading it: Jetty itself reads nothing from
 * a connection while its response is open, so without this a client that left is found only by
 * a write, and a wave of them fails its writes on the fan-out path.
 *
 * <p>It reads at most one byte, through Jetty's own {@code EndPoint.fill} (so TLS is decrypted,
 * and Jetty sees the end of input as if it had read it). The WAR cannot link against Jetty's
 * classes (a webapp does not see them), so the calls are found by reflection on the request,
 * through the public interfaces {@code Request}, {@code ConnectionMetaData}, {@code Connection} and
 * {@code EndPoint}, once for each request class (see {@link Watches}). HTTP/2 and HTTP/3 streams share their
 * connection: those are not watched.
 *
 * <p>Nobody else reads the connection meanwhile: Jetty starts reading it again (for the next
 * request) only after the response is complete, and a look happens only inside the stream's
 * the stream's order ({@code sse.StreamOrder}), never once the stream has ended. A byte read here is lost to Jetty; an
 * event-stream client sends none.
 *
 * <p>A connection found gone is closed at once through Jetty's {@code Connection.close}, as Jetty
 * closes one whose own read finds the end ({@code HttpConnection.onFillable}). That close fails
 * the stream's request: Jetty tells the stream's {@code AsyncListener.onError} (on the thread that
 * looks when the stream is idle; else the write in progress fails, or the sweep's own word that
 * the client vanished ends the stream) and aborts the committed response, which drops the
 * response's buffer. Left open, the
 * stream's completion would succeed (over HTTP/1.1 its last chunk goes into a half-closed
 * connection, which the kernel takes; over HTTP/1.0 there is nothing to write), and Jetty would
 * give the buffer back to its pool, as after a write that went out. jetty-home's pool keeps every
 * buffer given back, in lists that each acquire scans (Jetty issue 9311), so a wave of N
 * departures would leave N buffers that the next N streams hold for their lives and that every
 * write then scans.
 */
final class JettyConnectionWatch implements PeerWatch {

    private static final Logger LOG = Logger.getLogger(JettyConnectionWatch.class.getName());
    /** Jetty 12's HTTP/1 connection: one connection, one stream. */
    private static final String HTTP1_CONNECTION = "org.eclipse.jetty.server.internal.HttpConnection";

    /**
     * The reflective road from a servlet request to its endpoint's fill and its connection's
     * close. Only Jetty's classes and methods: held by the application, they keep nothing of it.
     */
    private record Road(Method coreRequest, Method metaData, Method connection, Class<?> http1Connection,
            Method endPoint, Method fill, Method close) {

        static Road of(Class<?> servletRequest) throws ReflectiveOperationException {
            ClassLoader jetty = servletRequest.getClassLoader();
            return new Road(servletRequest.getMethod("getRequest"),
                    method(jetty, "org.eclipse.jetty.server.Request", "getConnectionMetaData"),
                    method(jetty, "org.eclipse.jetty.server.ConnectionMetaData", "getConnection"),
                    Class.forName(HTTP1_CONNECTION, false, jetty),
                    method(jetty, "org.eclipse.jetty.io.Connection", "getEndPoint"),
                    method(jetty, "org.eclipse.jetty.io.EndPoint", "fill", ByteBuffer.class),
                    method(jetty, "org.eclipse.jetty.io.Connection", "close"));
        }

        private static Method method(ClassLoader loader, String type, String name, Class<?>... parameters)
                throws ReflectiveOperationException {
            return Class.forName(type, false, loader).getMethod(name, parameters);
        }
    }

    /**
     * The watches of one application's Jetty streams, and the roads they take, found once for
     * each request class. The application's own (not a class value on Jetty's request class,
     * whose entry would keep the application's class loader as long as Jetty's class lives).
     */
    static final class Watches {

        /** Whether a class is Jetty's own: a request of another kind is left to its body's watch. */
        private final Predicate<Class<?>> jettys;
        /** The road from each Jetty servlet request class; empty where there is none (logged once). */
        private final Map<Class<?>, Optional<Road>> roads = new ConcurrentHashMap<>();
        private final AtomicBoolean unavailableLogged = new AtomicBoolean();

        Watches(Predicate<Class<?>> jettys) {
            this.jettys = jettys;
        }

        /** The watch of a Jetty HTTP/1 stream, or null for any other request or protocol. */
        PeerWatch of(ServletRequest request) {
            while (request instanceof ServletRequestWrapper wrapper) {
                request = wrapper.getRequest();
            }
            if (request == null || !jettys.test(request.getClass())) {
                return null;
            }
            Road road = roads.computeIfAbsent(request.getClass(), this::road).orElse(null);
            if (road == null) {
                return null;
            }
            try {
                Object metaData = road.metaData().invoke(road.coreRequest().invoke(request));
                Object connection = road.connection().invoke(metaData);
                if (!road.http1Connection().isInstance(connection)) {
                    return null;
                }
                return new JettyConnectionWatch(connection, road.endPoint().invoke(connection), road, this);
            } catch (ReflectiveOperationException | RuntimeException e) {
                unavailable(e);
                return null;
            }
        }

        private Optional<Road> road(Class<?> type) {
            try {
                return Optional.of(Road.of(type));
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                unavailable(e);
                return Optional.empty();
            }
        }

        private void unavailable(Throwable e) {
            if (unavailableLogged.compareAndSet(false, true)) {
                LOG.log(Level.INFO, "This Jetty's connections cannot be watched; a client that left is found by a"
                        + " write: " + e);
            }
        }
    }

    private final Object connection;
    private final Object endPoint;
    private final Road road;
    private final Watches watches;

    private JettyConnectionWatch(Object connection, Object endPoint, Road road, Watches watches) {
        this.connection = connection;
        this.endPoint = endPoint;
        this.road = road;
        this.watches = watches;
    }

    @Override
    public boolean peerClosed() {
        boolean gone;
        try {
            // Jetty's buffers are in flush mode: an empty one, with room for one byte.
            ByteBuffer oneByte = ByteBuffer.allocate(1).flip();
            gone = (int) road.fill().invoke(endPoint, oneByte) != 0; // -1: closed or reset; 1: sent something
        } catch (InvocationTargetException ioFailure) {
            gone = true; // the fill failed: the connection is broken
        } catch (ReflectiveOperationException | RuntimeException e) {
            watches.unavailable(e);
            return false;
        }
        if (gone) {
            close();
        }
        return gone;
    }

    /** Closes the connection and fails its request (see the class comment); idempotent and thread-safe in Jetty. */
    private void close() {
        try {
            road.close().invoke(connection);
        } catch (ReflectiveOperationException | RuntimeException e) {
            watches.unavailable(e);
        }
    }
}
