package org.ssechat.sse;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.io.IOException;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The write side of one stream: a bounded queue of encoded frames, written through the
 * container's non-blocking output ({@link WriteListener}).
 *
 * <p>Threading: {@link #send(byte[])} may be called from any thread and never blocks on the
 * socket. When nothing waits and nobody else is writing, the frame is written and flushed at
 * once. Otherwise it is queued, and whoever is the writer writes queued frames for as long as
 * {@link ServletOutputStream#isReady()} holds. When the socket is full the container calls
 * {@link #onWritePossible()} later, which resumes draining. Several frames queued behind a slow
 * socket go out in one burst and one flush. A work-in-progress counter makes one thread at a
 * time the writer, because the Servlet API forbids concurrent writes and writing while
 * {@code isReady()} is false.
 *
 * <p>What happens to the stream (cut off, failed, finished) is its {@link Stream}'s business.
 */
final class FrameWriter implements WriteListener {

    /** The stream a writer serves: told what happened, asked whether it is still open. */
    interface Stream {
        boolean isClosed();

        /** More than the limit waited: the client is too slow. */
        void overflowed();

        /** Writing failed: the client is gone. */
        void failed(String reason);

        /** Everything queued before {@link #endWhenWritten()} is out. */
        void written();
    }

    private final ServletOutputStream out;
    private final long maxQueuedBytes;
    private final StreamStats stats;
    private final Stream stream;

    private final Queue<byte[]> queue = new ConcurrentLinkedQueue<>();
    /** Bytes queued, plus those reserved by {@link #reserve} for frames held elsewhere. */
    private final AtomicLong queuedBytes = new AtomicLong();
    /** Work-in-progress counter that makes one thread at a time the writer; see drain(). */
    private final AtomicInteger wip = new AtomicInteger();
    /** Set by endWhenWritten(): nothing more is queued, and the stream ends once the queue is out. */
    private volatile boolean ending;
    /** Set by the container's first onWritePossible: before it, only the container thread may write. */
    private volatile boolean writable;
    /** Touched only by the current writer (see wip): bytes were written since the last flush. */
    private boolean flushPending;

    FrameWriter(ServletOutputStream out, long maxQueuedBytes, StreamStats stats, Stream stream) {
        this.out = out;
        this.maxQueuedBytes = maxQueuedBytes;
        this.stats = stats;
        this.stream = stream;
    }

    long maxQueuedBytes() {
        return maxQueuedBytes;
    }

    /**
     * Writes one frame now, or queues it behind a full socket or another writer.
     *
     * @return false if it was not taken: the stream is closed or ending, or its queue overflowed
     */
    boolean send(byte[] frame) {
        if (stream.isClosed() || ending) {
            return false;
        }
        if (writable && wip.compareAndSet(0, 1)) {
            // This thread is the writer now (see drain()).
            boolean taken;
            if (queue.isEmpty()) {
                taken = writeNow(frame);
            } else if (taken = enqueue(frame)) {
                writeWhileReady(); // behind the frames that wait, in order
            }
            int missed = wip.addAndGet(-1);
            if (missed != 0) {
                drainFrom(missed); // frames queued meanwhile by other threads
            }
            return taken;
        }
        if (!enqueue(frame)) {
            return false;
        }
        if (writable) {
            drain();
        }
        return true;
    }

    /**
     * Counts bytes held elsewhere (live events held back during a replay) against the limit.
     *
     * @return false, after telling the stream it overflowed, if they do not fit
     */
    boolean reserve(int bytes) {
        if (queuedBytes.addAndGet(bytes) > maxQueuedBytes) {
            stream.overflowed();
            return false;
        }
        return true;
    }

    /** Gives back what {@link #reserve} counted, before those frames are sent. */
    void unreserve(int bytes) {
        queuedBytes.addAndGet(-bytes);
    }

    /** Takes nothing more; tells the stream {@link Stream#written()} once the queue is out. */
    void endWhenWritten() {
        ending = true;
        if (writable) {
            drain();
        }
    }

    /** Drops what waits: the stream is closed. */
    void discard() {
        queue.clear();
        queuedBytes.set(0);
    }

    private boolean enqueue(byte[] frame) {
        if (!reserve(frame.length)) {
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
    private boolean writeNow(byte[] frame) {
        try {
            if (!out.isReady()) {
                return enqueue(frame); // written when the container calls onWritePossible
            }
            out.write(frame);
            flushPending = true;
            stats.framesWritten(1);
            if (out.isReady()) {
                flushPending = false;
                out.flush();
            }
            return true;
        } catch (IOException | IllegalStateException e) {
            stream.failed("write failed: " + e);
            return false;
        }
    }

    @Override
    public void onWritePossible() {
        writable = true;
        drain();
    }

    @Override
    public void onError(Throwable t) {
        stream.failed("write error: " + t);
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
            while (!stream.isClosed() && out.isReady()) {
                byte[] frame = queue.poll();
                if (frame == null) {
                    if (flushPending) {
                        flushPending = false;
                        out.flush(); // may leave the output not ready: the loop asks again
                        continue;
                    }
                    if (ending) {
                        stream.written();
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
            stream.failed("write failed: " + e);
        } finally {
            if (written > 0) {
                stats.framesWritten(written);
            }
        }
    }
}
