package org.ssechat.sse;

import jakarta.servlet.AsyncContext;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one order in which everything touches a stream's request and response, and completes it.
 *
 * <p>Servlet 6.0 §2.3.3.4: apart from {@code startAsync} and {@code complete}, a request and its
 * response are not thread-safe, and the application must order every access to them; §5.8: the
 * response is valid only until {@link AsyncContext#complete()}. A container recycles a completed
 * request's objects for the next connection (Tomcat does so as soon as an error or timeout
 * listener returns): a thread still inside {@code write} then writes into a stranger's response.
 * So every touch (a write burst, a look at the connection) happens {@linkplain #enter() inside}
 * this order and only while the stream has not ended; {@link #complete()} marks the stream ended
 * and completes it inside the order; and each container callback after which the container may
 * complete or recycle the request {@linkplain #ended() waits its turn} before it returns.
 *
 * <p>The lock is taken once per write burst and is uncontended but for those moments. Inside
 * it run the container's non-blocking calls, a completion and what the callbacks do (forget the
 * stream, count it); nothing waits for another stream. One container call can wait: Tomcat
 * writes an HTTP/2 stream's data into its connection's socket blocking, up to the connector's
 * write timeout, when that socket is full. It is reentrant: Jetty runs a completion's work, the
 * {@code onComplete} callback included, on the thread that calls {@code complete()}, and fails
 * a request whose connection the watch closes on the thread that looks.
 */
public final class StreamOrder {

    private static final Logger LOG = Logger.getLogger(StreamOrder.class.getName());

    private final AsyncContext async;
    private final ReentrantLock lock = new ReentrantLock();
    /** Written only inside the order; read outside it only as a hint. */
    private volatile boolean ended;

    StreamOrder(AsyncContext async) {
        this.async = async;
    }

    /**
     * Enters the order to touch the request or response: waits for whoever is inside.
     *
     * @return false, without entering, once the stream has ended: nothing may touch it any more
     */
    boolean enter() {
        lock.lock();
        if (ended) {
            lock.unlock();
            return false;
        }
        return true;
    }

    /** Enters only if nobody is inside now and the stream has not ended: for looks that may be skipped. */
    boolean tryEnter() {
        if (!lock.tryLock()) {
            return false;
        }
        if (ended) {
            lock.unlock();
            return false;
        }
        return true;
    }

    /** Leaves the order; every {@link #enter()} or {@link #tryEnter()} that returned true is followed by one. */
    void exit() {
        lock.unlock();
    }

    /**
     * Ends the stream and completes its async context, once: waits until nobody is inside, so no
     * thread of the application is in the response when the container takes it back. Does
     * nothing if the stream has ended already.
     */
    void complete() {
        lock.lock();
        try {
            if (ended) {
                return;
            }
            ended = true;
            try {
                async.complete();
            } catch (RuntimeException e) {
                // The container gave up on the request first (Tomcat refuses a complete() while it
                // is completing one itself after a connection error): nothing is left to do.
                LOG.log(Level.FINE, "The container refused to complete a stream: {0}", e.toString());
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * The container ended the stream, or is about to once the calling callback returns: waits
     * until nobody of the application is inside, and lets nobody in again.
     */
    void ended() {
        lock.lock();
        try {
            ended = true;
        } finally {
            lock.unlock();
        }
    }

    /** Whether the stream has ended; a stream that has not may end at any moment. */
    boolean hasEnded() {
        return ended;
    }
}
