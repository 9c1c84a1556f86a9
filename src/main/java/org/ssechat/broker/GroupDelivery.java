package org.ssechat.broker;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.ssechat.chat.ChatMessage;

/**
 * Hands the in-process broker's messages to its listener (the fan-out) in their order, those
 * that queued up while it was busy together: the group commit of a database, which flushes the
 * transactions that queued during the last flush at once.
 *
 * <p>Nothing waits to make a batch. A publisher that finds nobody delivering delivers its own
 * message itself, at once, on its own thread, as a batch of one. Messages published meanwhile
 * queue, and the thread delivering takes all of them as its next batch when its pass ends
 * ({@link BrokerListener#onMessages}). A publishing thread delivers one batch and returns: what
 * still waits then goes to a delivery thread of this class's own (started when first needed, gone
 * after 10 idle seconds), so one request is not kept answering for a flood that goes on.
 *
 * <p>Bounded: a publisher that finds more than {@link #MAX_WAITING_BYTES} waiting (estimated as
 * the history does) waits for its turn and delivers, so publishers slow down to the fan-out's
 * pace, as they did when one lock held them all, and nothing is dropped. (Each adds its message
 * before it looks: past the bound, at most one more message a publishing thread waits.)
 *
 * <p>So with the in-process broker a publish may return before its fan-out has run (it was
 * queued behind another's), as with Redis.
 */
final class GroupDelivery implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(GroupDelivery.class.getName());
    /** Messages that may wait before publishers wait for the fan-out (estimated bytes). */
    static final long MAX_WAITING_BYTES = 1024 * 1024;
    static final String THREAD_NAME = "sse-chat-delivery";
    private static final long STOP_WAIT_MILLIS = 2000;

    private final Supplier<BrokerListener> listener;
    private final Queue<ChatMessage> waiting = new ConcurrentLinkedQueue<>();
    private final AtomicLong waitingBytes = new AtomicLong();
    /**
     * Held by whoever delivers: one batch at a time, in the order of the queue. Fair, so that a
     * publisher waiting over the bound gets its turn before the delivery thread takes the lock
     * back; {@code tryLock} still takes a free lock at once.
     */
    private final ReentrantLock delivering = new ReentrantLock(true);
    /** A hand-over to the delivery thread is queued and has not started yet. */
    private final AtomicBoolean handedOver = new AtomicBoolean();
    /** One thread at most, started when first needed and ended after 10 idle seconds. */
    private final ThreadPoolExecutor thread = new ThreadPoolExecutor(0, 1, 10, TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(), runnable -> {
                Thread t = new Thread(runnable, THREAD_NAME);
                t.setDaemon(true);
                return t;
            });

    /** @param listener the broker's listener now */
    GroupDelivery(Supplier<BrokerListener> listener) {
        this.listener = listener;
    }

    /** Queues a message; called in the order of the ids (under the broker's lock). */
    void add(ChatMessage message) {
        waitingBytes.addAndGet(RoomHistories.sizeOf(message));
        waiting.add(message);
    }

    /**
     * Delivers what waits, or leaves it to the thread delivering now (which looks again before it
     * stops); called after {@link #add}, outside the broker's lock.
     */
    void deliver() {
        if (!delivering.tryLock()) {
            if (waitingBytes.get() <= MAX_WAITING_BYTES) {
                return;
            }
            delivering.lock(); // too much waits: this publisher waits its turn
        }
        try {
            deliverWaiting();
        } finally {
            delivering.unlock();
            // What was queued while this thread delivered, and found the lock taken, is handed on
            // (also when the listener failed).
            if (!waiting.isEmpty()) {
                handOver();
            }
        }
    }

    private void handOver() {
        if (!handedOver.compareAndSet(false, true)) {
            return; // the delivery thread has not started on the last hand-over: it takes this too
        }
        try {
            thread.execute(this::deliverRest);
        } catch (RejectedExecutionException stopped) {
            handedOver.set(false);
            LOG.fine("A message published as the broker stopped was not handed on (its history keeps it)");
        }
    }

    /** The delivery thread: delivers until nothing waits. */
    private void deliverRest() {
        handedOver.set(false);
        try {
            do {
                delivering.lock();
                try {
                    deliverWaiting();
                } finally {
                    delivering.unlock();
                }
            } while (!waiting.isEmpty());
        } finally {
            if (!waiting.isEmpty()) {
                handOver(); // the listener failed (an Error): what waits is not left for the next publish
            }
        }
    }

    /** Hands on what waits, as one batch of up to {@link BrokerListener#MAX_BATCH}; only while holding the lock. */
    private void deliverWaiting() {
        List<ChatMessage> batch = new ArrayList<>();
        ChatMessage message;
        while (batch.size() < BrokerListener.MAX_BATCH && (message = waiting.poll()) != null) {
            waitingBytes.addAndGet(-RoomHistories.sizeOf(message));
            batch.add(message);
        }
        if (batch.isEmpty()) {
            return;
        }
        try {
            listener.get().onMessages(batch);
        } catch (RuntimeException e) {
            // The messages are stored: a listener that fails cannot undo that, so it is logged.
            LOG.log(Level.SEVERE, "Delivering messages " + batch.get(0).id() + " to "
                    + batch.get(batch.size() - 1).id() + " failed", e);
        }
    }

    /** Stops the delivery thread; what still waits is dropped (the listener is gone). */
    @Override
    public void close() {
        thread.shutdown();
        try {
            if (!thread.awaitTermination(STOP_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                LOG.warning("The " + THREAD_NAME + " thread did not stop within " + STOP_WAIT_MILLIS + " ms");
                thread.shutdownNow();
            }
        } catch (InterruptedException e) {
            thread.shutdownNow();
            Thread.currentThread().interrupt();
        }
        int dropped = waiting.size();
        if (dropped > 0) {
            LOG.info(dropped + " messages published as the broker stopped were not delivered to the streams here"
                    + " (the history keeps them)");
        }
        waiting.clear();
        waitingBytes.set(0);
    }
}
