package org.ssechat.sse;

import jakarta.servlet.ServletOutputStream;
import java.io.IOException;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.ssechat.sse.container.FrameSink;

/**
 * The write side of one stream: a bounded queue of encoded frames, written through the
 * container's non-blocking output.
 *
 * <p>Threading: {@link #send(byte[])} may be called from any thread and never blocks on the
 * socket. When nothing waits and nobody else is writing, the frame is written and flushed at
 * once. Otherwise it is queued, and whoever is the writer writes queued frames for as long as
 * {@link ServletOutputStream#isReady()} holds; when the socket is full the container calls
 * {@link #onWritePossible()} later, which resumes draining. Several frames queued behind a slow
 * socket go out in one burst and one flush, and so do the parts of one batch
 * ({@link #sendMessages(byte[][], int)}). A work-in-progress counter makes one thread at a
 * time the writer, because the Servlet API forbids concurrent writes and writing while
 * {@code isReady()} is false. The writer touches the output only inside the stream's
 * {@link StreamOrder}, once per burst, and not at all once the stream has ended: a completing
 * container waits for the burst to end, and the burst never runs into a completed response.
 *
 * <p>Outcomes go one way: the writer never calls back into its stream. A write that fails (for
 * any reason: an {@code IOException}, or any other exception of the container's), an overflow
 * of the byte limit, or the end of a stream asked to end once written, is recorded as the
 * writer's {@link #outcome()}, which the stream reads after each call and acts on. Once there
 * is an outcome nothing more is written.
 */
final class FrameWriter {

    private static final Logger LOG = Logger.getLogger(FrameWriter.class.getName());

    /** How a writer ended; null while it is still open. */
    enum Ending {
        /** More than the limit waited: the client is too slow. */
        OVERFLOWED,
        /** A write failed: the client is gone, or the container gave up on the response. */
        FAILED,
        /** Everything queued before {@link #endWhenWritten()} is out. */
        WRITTEN,
        /** The stream was closed: what waited was dropped. */
        DISCARDED
    }

    /** The ending and, for a failure, what the container said. */
    record Outcome(Ending ending, String detail) {
    }

    private final ServletOutputStream out;
    /** How a frame goes into the output: the container's way. */
    private final FrameSink sink;
    private final StreamOrder order;
    private final long maxQueuedBytes;
    private final StreamStats stats;

    /** Each a frame that is not a chat message ({@code byte[]}: a comment, a presence event) or {@link Frames}. */
    private final Queue<Object> queue = new ConcurrentLinkedQueue<>();
    /** Bytes queued, plus those reserved by {@link #reserve} for frames held elsewhere. */
    private final AtomicLong queuedBytes = new AtomicLong();
    /** Work-in-progress counter that makes one thread at a time the writer; see drain(). */
    private final AtomicInteger wip = new AtomicInteger();
    /** Set once, by whichever thread sees the ending first. */
    private final AtomicReference<Outcome> outcome = new AtomicReference<>();
    /** Set by endWhenWritten(): nothing more is queued, and the writer ends once the queue is out. */
    private volatile boolean ending;
    /** Set by the container's first onWritePossible: before it, only the container thread may write. */
    private volatile boolean writable;
    /** Touched only by the current writer (see wip): bytes were written since the last flush. */
    private boolean flushPending;
    /** Touched only by the current writer: the chat messages written since the last flush. */
    private int unflushedMessages;
    /**
     * Touched only by the current writer: the parts of {@link Frames} whose first parts went out
     * when the output then said it was not ready (a write then would be refused); they go out
     * first when the output is ready again, before anything queued. Their bytes left the count
     * when their frames were taken from the queue: one batch at most waits here uncounted.
     */
    private byte[][] carried;
    /** The first part of {@link #carried} still to write. */
    private int carriedFrom;

    FrameWriter(ServletOutputStream out, FrameSink sink, StreamOrder order, long maxQueuedBytes, StreamStats stats) {
        this.out = out;
        this.sink = sink;
        this.order = order;
        this.maxQueuedBytes = maxQueuedBytes;
        this.stats = stats;
    }

    /**
     * Chat messages that go out together, in the same burst, with nothing another thread sends
     * between them: one, or a batch (see {@link EventBatch}), whole or in parts (a many-room
     * stream's own {@code id:} lines between the frames every stream shares, see {@link EventFrame}).
     *
     * @param messages how many messages (events) the parts carry
     * @param length   their bytes
     */
    private record Frames(byte[][] parts, int messages, int length) {
    }

    /** One frame to the container, its way (in Jetty a frame larger than the response buffer goes in whole). */
    private void write(byte[] frame) throws IOException {
        sink.write(out, frame);
    }

    /**
     * A queued frame, or frames, to the container. The servlet API allows a write only while the
     * output is ready, so the parts left when a write leaves it not ready wait as {@link #carried}.
     */
    private void write(Object queued) throws IOException {
        if (queued instanceof Frames frames) {
            writeParts(frames.parts(), 0);
        } else {
            write((byte[]) queued);
        }
    }

    /** The chat messages a queued item carries. */
    private static int messages(Object queued) {
        return queued instanceof Frames frames ? frames.messages() : 0;
    }

    /** Writes parts from {@code from} on while the output stays ready; what is left waits as {@link #carried}. */
    private void writeParts(byte[][] parts, int from) throws IOException {
        for (int i = from; i < parts.length; i++) {
            if (i > from && !out.isReady()) {
                carried = parts;
                carriedFrom = i;
                return;
            }
            write(parts[i]);
        }
    }

    private static int length(Object queued) {
        return queued instanceof Frames frames ? frames.length() : ((byte[]) queued).length;
    }

    long maxQueuedBytes() {
        return maxQueuedBytes;
    }

    /** How the writer ended, or null while it takes frames. */
    Outcome outcome() {
        return outcome.get();
    }

    /**
     * Writes one frame that is not a chat message (a comment, a presence event, a stream's own
     * line) now, or queues it behind a full socket or another writer.
     *
     * @return false if it was not taken: the writer has ended or is ending, or the frame
     *         overflowed the limit (then {@link #outcome()} says so)
     */
    boolean send(byte[] frame) {
        return sendQueued(frame, 0);
    }

    /**
     * Writes chat messages that are one array (one message's frame, or a batch's run): at once,
     * or queued behind a full socket or another writer, as {@link #send(byte[])}.
     *
     * @param messages how many messages the array holds
     * @return as {@link #send(byte[])}
     */
    boolean sendMessages(byte[] frames, int messages) {
        return sendQueued(frames, messages);
    }

    /**
     * Writes chat messages in parts, as one: nothing another thread sends comes between them,
     * and they go out in the same burst, with one flush.
     *
     * @param messages how many messages the parts carry
     * @return as {@link #send(byte[])}
     */
    boolean sendMessages(byte[][] parts, int messages) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        return sendQueued(new Frames(parts, messages, length), messages);
    }

    /** @param messages the chat messages {@code frame} carries (0 for a frame that is none) */
    private boolean sendQueued(Object frame, int messages) {
        if (outcome.get() != null || ending) {
            return false;
        }
        if (writable && wip.compareAndSet(0, 1)) {
            // This thread is the writer now (see drain()).
            boolean taken = false;
            try {
                taken = writeFirst(frame, messages);
            } finally {
                int missed = wip.addAndGet(-1);
                if (missed != 0) {
                    drainFrom(missed); // frames queued meanwhile by other threads
                }
            }
            return taken;
        }
        if (!enqueue(queueable(frame, messages))) {
            return false;
        }
        if (writable) {
            drain();
        }
        return true;
    }

    /** What waits in the queue: an array of messages is wrapped, so that it is counted as such. */
    private static Object queueable(Object frame, int messages) {
        return messages > 0 && frame instanceof byte[] array ? new Frames(new byte[][] {array}, messages, array.length)
                : frame;
    }

    /**
     * Counts bytes held elsewhere (live events held back during a replay) against the limit.
     *
     * @return false, with the outcome {@link Ending#OVERFLOWED}, if they do not fit
     */
    boolean reserve(int bytes) {
        if (queuedBytes.addAndGet(bytes) > maxQueuedBytes) {
            end(Ending.OVERFLOWED, null);
            return false;
        }
        return true;
    }

    /** Gives back what {@link #reserve} counted, before those frames are sent. */
    void unreserve(int bytes) {
        queuedBytes.addAndGet(-bytes);
    }

    /** Takes nothing more; the outcome becomes {@link Ending#WRITTEN} once the queue is out. */
    void endWhenWritten() {
        ending = true;
        if (writable) {
            drain();
        }
    }

    /** Drops what waits and takes nothing more: the stream is closed. */
    void discard() {
        end(Ending.DISCARDED, null);
        queue.clear();
        queuedBytes.set(0);
    }

    /** The container's first call says the response may be written; later ones resume a full socket. */
    void onWritePossible() {
        writable = true;
        drain();
    }

    private boolean enqueue(Object frame) {
        if (!reserve(length(frame))) {
            return false;
        }
        queue.add(frame);
        return true;
    }

    private void end(Ending ending, String detail) {
        outcome.compareAndSet(null, new Outcome(ending, detail));
    }

    /**
     * The writer's own frame. In the common case of a client that keeps up nothing waits, and
     * the frame goes straight to the container, with no queue node and no counter to move;
     * otherwise it goes behind the frames that wait (queued by other threads while this one
     * waited for the order, say), and a full socket keeps it for onWritePossible. Only the
     * writer (see drain()) calls this.
     */
    private boolean writeFirst(Object frame, int messages) {
        if (!order.enter()) {
            end(Ending.DISCARDED, null); // the stream ended: its response is not ours any more
            return false;
        }
        try {
            if (carried != null || !queue.isEmpty() || !out.isReady()) {
                if (!enqueue(queueable(frame, messages))) {
                    return false;
                }
                writeWhileReady(); // in order, behind the others
                return true;
            }
            write(frame);
            flushPending = true;
            unflushedMessages += messages;
            stats.framesWritten(Math.max(1, messages));
            if (isOpen() && out.isReady()) {
                flush();
            }
            return true;
        } catch (Exception e) {
            failed(e);
            return false;
        } finally {
            order.exit();
        }
    }

    /** Flushes what was written since the last flush, and counts the chat messages it carried. */
    private void flush() throws IOException {
        flushPending = false;
        out.flush();
        if (unflushedMessages > 0) {
            stats.messagesFlushed(unflushedMessages);
            unflushedMessages = 0;
        }
    }

    /** Whether the output may still be touched: no outcome yet, and the stream has not ended. */
    private boolean isOpen() {
        return outcome.get() == null && !order.hasEnded();
    }

    /**
     * Any exception from the container's stream ends this stream and nothing else. Jetty 12 no
     * longer reports a failed write through {@code AsyncListener.onError}, so the write itself
     * is where a vanished client shows up.
     */
    private void failed(Exception e) {
        if (!(e instanceof IOException) && outcome.get() == null) {
            // A closed connection is an IOException in both containers; anything else is the
            // container refusing how it was written to (Jetty's "isReady() not called"): a bug
            // to see in the log, not a client to count as gone without a word.
            LOG.log(Level.WARNING, "A write to a stream failed, not for a closed connection; the stream ends", e);
        }
        end(Ending.FAILED, e.toString());
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

    /** Writes, then flushes, for as long as the container accepts bytes without blocking: one burst. */
    private void writeWhileReady() {
        if (outcome.get() != null) {
            carried = null; // the stream is closed: what was left of a batch is dropped with it
            return;
        }
        if (!order.enter()) {
            end(Ending.DISCARDED, null);
            return;
        }
        int written = 0;
        try {
            while (isOpen() && out.isReady()) {
                if (carried != null) {
                    byte[][] rest = carried;
                    carried = null;
                    writeParts(rest, carriedFrom);
                    flushPending = true;
                    continue;
                }
                Object frame = queue.poll();
                if (frame == null) {
                    if (flushPending) {
                        flush(); // may leave the output not ready: the loop asks again
                        continue;
                    }
                    if (ending) {
                        end(Ending.WRITTEN, null);
                    }
                    return;
                }
                queuedBytes.addAndGet(-length(frame));
                write(frame);
                int messages = messages(frame);
                written += Math.max(1, messages);
                unflushedMessages += messages;
                flushPending = true;
            }
        } catch (Exception e) {
            failed(e);
        } finally {
            order.exit();
            if (written > 0) {
                stats.framesWritten(written);
            }
        }
    }
}
