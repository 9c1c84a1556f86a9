package org.ssechat.broker.redis;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.ssechat.broker.BrokerListener;
import org.ssechat.chat.ChatMessage;
import org.ssechat.metrics.ChatMetrics;

/**
 * Lets the Redis subscriber read at Redis's pace: it hands each payload to this queue and goes
 * back to its socket, and a thread of this queue's own decodes the payloads and gives them to
 * the listener (the fan-out), in order: those that queued up while the fan-out was busy,
 * together. A subscriber that stops reading while it fans out gets
 * cut off by Redis once its {@code client-output-buffer-limit pubsub} (32 MB by default) fills;
 * this way the subscriber also keeps reading pongs while a long catch-up runs.
 *
 * <p>The queue is bounded in bytes. A payload that does not fit is dropped and counted, and the
 * listener is told to catch up from the history before anything that came after it, so a
 * message published through POST /chat (which has a history) is still delivered; a message
 * another program published straight into the channel has none and is lost.
 */
public final class DeliveryQueue {

    static final String THREAD_NAME = "sse-chat-redis-delivery";
    private static final Logger LOG = Logger.getLogger(DeliveryQueue.class.getName());
    private static final long STOP_WAIT_MILLIS = 2000;

    private sealed interface Item permits Payload, Subscribed, Missed, RoomMissed {
    }

    private record Payload(byte[] bytes) implements Item {
    }

    private record Subscribed(boolean afterOutage) implements Item {
    }

    private record Missed() implements Item {
    }

    private record RoomMissed(String room) implements Item {
    }

    private final BrokerListener listener;
    private final ChannelPayloads payloads;
    private final Clock clock;
    private final long maxBytes;
    private final BlockingQueue<Item> queue = new LinkedBlockingQueue<>();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    /** A Missed marker waits in the queue: later drops are covered by the same catch-up. */
    private final AtomicBoolean missedPending = new AtomicBoolean();
    private final Thread thread;
    private volatile boolean running = true;
    /** Touched by the delivery thread only: drops not yet logged. */
    private long droppedLogged;

    /** @param maxBytes payload bytes that may wait at most */
    public DeliveryQueue(BrokerListener listener, ChannelPayloads payloads, Clock clock, long maxBytes) {
        this.listener = listener;
        this.payloads = payloads;
        this.clock = clock;
        this.maxBytes = maxBytes;
        this.thread = new Thread(this::run, THREAD_NAME);
        thread.setDaemon(true);
        thread.start();
    }

    /** A payload from the channel; never blocks. Called by the subscriber thread. */
    public void offer(byte[] payload) {
        received.incrementAndGet();
        if (bytes.addAndGet(payload.length) > maxBytes) {
            bytes.addAndGet(-payload.length);
            dropped.incrementAndGet();
            if (missedPending.compareAndSet(false, true)) {
                queue.add(new Missed());
            }
            return;
        }
        queue.add(new Payload(payload));
    }

    /** The subscription (re)started: the listener hears it before any message of the new subscription. */
    void subscribed(boolean afterOutage) {
        queue.add(new Subscribed(afterOutage));
    }

    /**
     * A room's subscription (re)started on another connection: the listener catches the room up
     * before anything that comes after. Called by the thread that reads that connection.
     */
    public void roomSubscribed(String room) {
        queue.add(new RoomMissed(room));
    }

    /**
     * The queue's figures, for every Redis broker: what arrived, what was dropped, what waits.
     *
     * @param queue the broker's queue, null until it started
     */
    public static void registerMetrics(ChatMetrics metrics, Supplier<DeliveryQueue> queue) {
        metrics.counter("sse_chat_redis_messages_received_total", "Messages this node received from Redis (with a"
                + " cluster: those of the rooms it has streams for, and those published into the classic channel).",
                () -> queue.get() == null ? 0 : queue.get().received());
        metrics.counter("sse_chat_redis_messages_dropped_total", "Messages from Redis dropped because more than"
                + " CHAT_REDIS_QUEUE_BYTES waited for the fan-out (rooms are then caught up from their history).",
                () -> queue.get() == null ? 0 : queue.get().dropped());
        metrics.gauge("sse_chat_redis_queue_bytes", "Bytes of messages from Redis waiting for the fan-out.",
                () -> queue.get() == null ? 0 : queue.get().bytes());
    }

    /** Payloads received from Redis, since the start (dropped ones included). */
    public long received() {
        return received.get();
    }

    /** Payloads dropped because the queue was full, since the start. */
    long dropped() {
        return dropped.get();
    }

    /** Payload bytes waiting now. */
    long bytes() {
        return bytes.get();
    }

    private void run() {
        while (running) {
            Item item;
            try {
                item = queue.take();
            } catch (InterruptedException e) {
                continue; // stop() interrupts; the loop re-checks running
            }
            try {
                deliver(item);
            } catch (RuntimeException e) {
                // Never let one message end the delivery thread.
                LOG.log(Level.SEVERE, "Delivering a message from Redis failed", e);
            }
        }
    }

    private void deliver(Item item) {
        if (item instanceof Payload payload) {
            // The messages that queued up behind this one while the last fan-out ran go with it,
            // up to the next item that is not a message: one batch (see BrokerListener.onMessages).
            List<ChatMessage> messages = new ArrayList<>();
            long taken = payload.bytes().length;
            try {
                decode(payload, messages);
                while (messages.size() < BrokerListener.MAX_BATCH && queue.peek() instanceof Payload
                        && queue.poll() instanceof Payload next) { // this thread is the only one that takes
                    taken += next.bytes().length;
                    decode(next, messages);
                }
                if (!messages.isEmpty()) {
                    listener.onMessages(messages);
                }
            } finally {
                bytes.addAndGet(-taken); // counted until their fan-out is over: they are in memory until then
            }
        } else if (item instanceof Subscribed subscribed) {
            listener.onSubscribed(subscribed.afterOutage());
        } else if (item instanceof RoomMissed missed) {
            listener.onRoomMissed(missed.room());
        } else {
            missedPending.set(false);
            long total = dropped.get();
            LOG.warning("Dropped " + (total - droppedLogged) + " messages from Redis: more than " + maxBytes
                    + " bytes waited for this node's fan-out (CHAT_REDIS_QUEUE_BYTES). Rooms are caught up from"
                    + " their history; messages other programs published into the channel are lost.");
            droppedLogged = total;
            listener.onMessagesMissed();
        }
    }

    private void decode(Payload payload, List<ChatMessage> into) {
        String text = new String(payload.bytes(), StandardCharsets.UTF_8);
        try {
            into.add(payloads.decode(text, clock.instant()));
        } catch (ChannelPayloads.RefusedPayload e) {
            LOG.warning("Skipped a message from the Redis channel: " + e.getMessage());
        } catch (RuntimeException e) {
            // One payload that breaks the decoder costs that payload, not the ones it came with.
            LOG.log(Level.SEVERE, "Decoding a message from Redis failed", e);
        }
    }

    /** Stops the delivery thread; what still waits is dropped. */
    public void stop() {
        running = false;
        thread.interrupt();
        try {
            thread.join(STOP_WAIT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.warning("The Redis delivery thread did not stop within " + STOP_WAIT_MILLIS + " ms");
        }
        queue.clear();
    }
}
