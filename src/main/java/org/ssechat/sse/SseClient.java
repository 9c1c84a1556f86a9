package org.ssechat.sse;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One open {@code text/event-stream} response: an {@link AsyncContext}, a bounded queue of
 * encoded frames, and non-blocking writes through the container's {@link WriteListener}.
 *
 * <p>Threading: {@link #send(byte[])} may be called from any thread and never blocks on the
 * socket. It queues the frame and, if nobody else is writing, writes queued frames for as long
 * as {@link ServletOutputStream#isReady()} holds. When the socket is full the container calls
 * {@link #onWritePossible()} later, which resumes draining. Several frames queued behind a slow
 * socket go out in one burst and one flush. A work-in-progress counter makes one thread at a
 * time the writer, because the Servlet API forbids concurrent writes and writing while
 * {@code isReady()} is false.
 *
 * <p>Lifecycle: the client is closed, exactly once, when the peer goes away (a failed write, an
 * async error or timeout), when its queue overflows its byte limit, or on shutdown.
 * Closing completes the async context and tells the owner (the registry) to forget the client.
 */
public final class SseClient implements WriteListener, AsyncListener {

    private static final Logger LOG = Logger.getLogger(SseClient.class.getName());

    private final AsyncContext async;
    private final ServletOutputStream out;
    private final String room;
    private final long maxQueuedBytes;
    private final Consumer<SseClient> onClose;
    private final StreamStats stats;

    private final Queue<byte[]> queue = new ConcurrentLinkedQueue<>();
    private final AtomicLong queuedBytes = new AtomicLong();
    /** Work-in-progress counter that makes one thread at a time the writer; see drain(). */
    private final AtomicInteger wip = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Set by onComplete: the container completed the request, so complete() must not be called again. */
    private volatile boolean completedByContainer;
    /** Set by endWhenWritten(): nothing more is queued, and the stream ends once the queue is out. */
    private volatile boolean ending;
    /** Set by the container's first onWritePossible: before it, only the container thread may write. */
    private volatile boolean writable;
    /** Touched only by the current writer (see wip): bytes were written since the last flush. */
    private boolean flushPending;

    /**
     * The newest event id this client has been sent: live events at or before it are dropped,
     * so a replay and the live stream never deliver a message twice. Written by the one thread
     * that delivers events at a time (the broker's), or by the replaying thread before release.
     */
    private volatile EventId cursor;
    /** While true, live events wait in {@code held} so that a replay goes out first. */
    private volatile boolean holding;
    private final ReentrantLock holdLock = new ReentrantLock();
    private final List<HeldEvent> held = new ArrayList<>();

    private record HeldEvent(EventId id, byte[] frame) {
    }

    /**
     * @param async          the started async context; its response headers are already set
     * @param room           the room this client listens to
     * @param maxQueuedBytes how many bytes may wait for a slow client before it is cut off
     * @param onClose        called once when the client is closed, for any reason
     * @param stats          where writes and overflows are counted
     */
    public SseClient(AsyncContext async, String room, long maxQueuedBytes, Consumer<SseClient> onClose,
            StreamStats stats) throws IOException {
        this.async = async;
        this.out = async.getResponse().getOutputStream();
        this.room = room;
        this.maxQueuedBytes = maxQueuedBytes;
        this.onClose = onClose;
        this.stats = stats;
    }

    /**
     * Registers this client as the async context's listener and the response's write listener.
     * Frames sent before the container first reports the stream writable are queued.
     */
    public void start() {
        async.addListener(this);
        out.setWriteListener(this);
    }

    public String room() {
        return room;
    }

    public boolean isOpen() {
        return !closed.get();
    }

    /**
     * Queues one encoded frame and writes what the socket accepts now. The same array may be
     * given to many clients: it is never modified.
     *
     * @return false if the client is closed, or was closed now because its queue overflowed
     */
    public boolean send(byte[] frame) {
        if (closed.get() || ending) {
            return false;
        }
        if (writable && wip.compareAndSet(0, 1)) {
            // This thread is the writer now (see drain()).
            boolean queued = true;
            if (queue.isEmpty()) {
                writeNow(frame);
            } else if (queued = enqueue(frame)) {
                writeWhileReady();
            }
            int missed = wip.addAndGet(-1);
            if (missed != 0) {
                drainFrom(missed); // frames queued meanwhile by other threads
            }
            return queued;
        }
        if (!enqueue(frame)) {
            return false;
        }
        if (writable) {
            drain();
        }
        return true;
    }

    private boolean enqueue(byte[] frame) {
        if (queuedBytes.addAndGet(frame.length) > maxQueuedBytes) {
            overflowed();
            return false;
        }
        queue.add(frame);
        return true;
    }

    /**
     * The common case of a client that keeps up: nothing waits and nobody else is writing, so
     * the frame goes straight to the container, with no queue node and no counter to move. A
     * full socket queues it instead. Only the writer (see drain()) calls this.
     */
    private void writeNow(byte[] frame) {
        try {
            if (!out.isReady()) {
                enqueue(frame); // written when the container calls onWritePossible
                return;
            }
            out.write(frame);
            flushPending = true;
            if (out.isReady()) {
                flushPending = false;
                out.flush();
            }
            stats.framesWritten(1);
        } catch (IOException | IllegalStateException e) {
            close("write failed: " + e);
        }
    }

    /**
     * Sends a live event unless this client has it already. Events without an id (published
     * into Redis by other programs) always go out. Called by one thread at a time.
     *
     * @param id the event's id, or null
     */
    public void sendEvent(EventId id, byte[] frame) {
        if (holding) {
            holdLock.lock();
            try {
                if (holding) {
                    // Held bytes count against the same limit as queued ones.
                    if (queuedBytes.addAndGet(frame.length) > maxQueuedBytes) {
                        overflowed();
                    } else {
                        held.add(new HeldEvent(id, frame));
                    }
                    return;
                }
            } finally {
                holdLock.unlock();
            }
        }
        deliver(id, frame);
    }

    private void deliver(EventId id, byte[] frame) {
        if (id != null) {
            EventId seen = cursor;
            if (seen != null && !id.isAfter(seen)) {
                return;
            }
            cursor = id;
        }
        send(frame);
    }

    /**
     * Ends the stream once what is queued has been written, instead of dropping it as
     * {@link #close} does; nothing sent later is queued. A replay too big for the buffer goes out
     * a page at a time this way: EventSource reconnects with the newest id it got.
     */
    public void endWhenWritten() {
        ending = true;
        if (writable) {
            drain();
        }
    }

    /** The most bytes that may wait for this client. */
    public long bufferBytes() {
        return maxQueuedBytes;
    }

    /** Holds live events back until {@link #releaseHeldEvents()}; call before registering. */
    public void holdLiveEvents() {
        holding = true;
    }

    /** Sends one replayed event now, ahead of the held live ones, and moves the cursor to it. */
    public void replay(EventId id, byte[] frame) {
        deliver(id, frame);
    }

    /**
     * Sets where this client stands: the newest id it has. Only while live events are held
     * (before {@link #releaseHeldEvents()}), when the opening thread alone moves the cursor.
     */
    public void startAt(EventId id) {
        cursor = id;
    }

    /** Sends the held live events that the replay did not cover, and goes live. */
    public void releaseHeldEvents() {
        holdLock.lock();
        try {
            for (HeldEvent event : held) {
                queuedBytes.addAndGet(-event.frame().length); // send() counts them again
                deliver(event.id(), event.frame());
            }
            held.clear();
            holding = false;
        } finally {
            holdLock.unlock();
        }
    }

    /** The newest event id this client has been sent, or null. */
    public EventId cursor() {
        return cursor;
    }

    /**
     * The one place a slow client is cut off: logged and counted. It resumes with Last-Event-ID
     * when it reconnects, so it loses nothing the history still holds.
     */
    private void overflowed() {
        if (isOpen()) {
            LOG.log(Level.WARNING, "Disconnecting a slow client of room ''{0}'': more than {1} bytes waited for it",
                    new Object[] {room, maxQueuedBytes});
            stats.slowClientDisconnected();
        }
        close("its buffer overflowed");
    }

    /** Completes the stream; pending frames are dropped. Safe to call more than once. */
    public void close(String reason) {
        if (release(reason)) {
            complete();
        }
    }

    private void complete() {
        try {
            async.complete();
        } catch (IllegalStateException alreadyCompleted) {
            // The container is completing it already (client gone, shutdown).
        }
    }

    /** Marks the client closed and tells the owner, once; true for the caller that did it. */
    private boolean release(String reason) {
        if (!closed.compareAndSet(false, true)) {
            return false;
        }
        LOG.log(Level.FINE, "SSE client in room {0} closed: {1}", new Object[] {room, reason});
        queue.clear();
        queuedBytes.set(0);
        holdLock.lock();
        try {
            held.clear();
        } finally {
            holdLock.unlock();
        }
        onClose.accept(this);
        return true;
    }

    @Override
    public void onWritePossible() {
        writable = true;
        drain();
    }

    /**
     * Writes queued frames while the output is ready, from whichever thread gets here first.
     *
     * <p>{@code wip} counts requests to drain; only the caller that moves it from zero writes,
     * and it loops until every request made meanwhile has been seen. So exactly one thread at a
     * time touches the output stream, nobody waits for a lock, and a frame queued while another
     * thread was writing, or an {@code onWritePossible} that arrives while the writer is just
     * giving up, is never stranded: the writer sees the raised count and looks again.
     */
    private void drain() {
        if (wip.getAndIncrement() != 0) {
            return;
        }
        drainFrom(1);
    }

    /** The writer's loop: writes until every drain request counted in {@code wip} was seen. */
    private void drainFrom(int missed) {
        do {
            writeWhileReady();
            missed = wip.addAndGet(-missed);
        } while (missed != 0);
    }

    /** Writes, then flushes, for as long as the container accepts bytes without blocking. */
    private void writeWhileReady() {
        int written = 0;
        try {
            while (!closed.get() && out.isReady()) {
                byte[] frame = queue.poll();
                if (frame == null) {
                    if (flushPending) {
                        flushPending = false;
                        out.flush(); // may leave the output not ready: the loop asks again
                        continue;
                    }
                    if (ending) {
                        close("its last page of history is written");
                    }
                    return;
                }
                queuedBytes.addAndGet(-frame.length);
                out.write(frame);
                written++;
                flushPending = true;
            }
        } catch (IOException | IllegalStateException e) {
            // Jetty 12 no longer reports a failed write through AsyncListener.onError: the write
            // itself is where a vanished client shows up.
            close("write failed: " + e);
        } finally {
            if (written > 0) {
                stats.framesWritten(written);
            }
        }
    }

    @Override
    public void onError(Throwable t) {
        close("write error: " + t);
    }

    @Override
    public void onComplete(AsyncEvent event) {
        completedByContainer = true;
        release("completed"); // the container completed it: complete() again would be an error
    }

    /**
     * Completes the request even when another thread released this client a moment ago: a
     * timeout listener that neither completes nor dispatches makes the container end the request
     * as an error, cutting the connection. Tomcat times out the open requests of an application
     * it is stopping, which can land between close()'s release and its complete().
     */
    @Override
    public void onTimeout(AsyncEvent event) {
        release("timed out");
        if (!completedByContainer) {
            complete();
        }
    }

    @Override
    public void onError(AsyncEvent event) {
        close("async error: " + event.getThrowable());
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
        // not re-dispatched: nothing to do
    }
}
