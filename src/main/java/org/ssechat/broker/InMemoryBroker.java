package org.ssechat.broker;

import java.time.Clock;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.ssechat.chat.ChatMessage;
import org.ssechat.metrics.ChatMetrics;
import org.ssechat.sse.EventId;

/**
 * The broker of a single node: publishing hands the message straight to this node's listener.
 * It is the default, so sse-chat runs with no Redis at all.
 *
 * <p>One lock makes assigning the id, keeping it in the history and queueing it for delivery one
 * step, so the messages reach the listener in the order of their ids even when requests publish
 * concurrently, and a history read sees every message delivered before it. The delivery runs
 * after the lock, in that order (see {@link GroupDelivery}): a message that finds the fan-out
 * idle is delivered at once by its publisher, and those published while it is busy go out
 * together once it is done.
 */
public final class InMemoryBroker implements Broker {

    private static final BrokerListener NOBODY = message -> { };

    private final ReentrantLock lock = new ReentrantLock();
    private final MessageIds ids = new MessageIds();
    /**
     * The rooms with streams on this node: their history is kept longest. Not under the lock:
     * the node tells from inside its registry's changes, and a delivery under the lock may end a
     * stream (and so change the registry).
     */
    private final Set<String> followed = ConcurrentHashMap.newKeySet();
    private final RoomHistories histories;
    private final PublishRecords records;
    private final Clock clock;
    private volatile BrokerListener listener = NOBODY;
    private final GroupDelivery delivery = new GroupDelivery(() -> listener);

    /**
     * @param historySize     messages kept per room
     * @param historyMaxBytes memory the history of all rooms may hold
     */
    public InMemoryBroker(int historySize, long historyMaxBytes, Clock clock) {
        this.histories = new RoomHistories(historySize, historyMaxBytes, followed::contains);
        // Retry records share the history's budget: a tenth of it, as they live only for a window.
        this.records = new PublishRecords(Math.max(64 * 1024, historyMaxBytes / 10));
        this.clock = clock;
    }

    @Override
    public String name() {
        return "memory";
    }

    @Override
    public void subscribe(String room) {
        followed.add(room);
    }

    @Override
    public void unsubscribe(String room) {
        followed.remove(room);
    }

    @Override
    public void start(BrokerListener listener) {
        this.listener = Objects.requireNonNull(listener);
    }

    /** The message is stored and delivered; a listener that fails cannot undo that, so it is logged, not thrown. */
    @Override
    public ChatMessage publish(ChatMessage message) {
        ChatMessage published;
        lock.lock();
        try {
            published = publishLocked(message);
        } finally {
            lock.unlock();
        }
        delivery.deliver();
        return published;
    }

    /** The key is looked up and kept under the same lock as the publish: two retries racing publish once. */
    @Override
    public Published publish(ChatMessage message, PublishOnce once) {
        ChatMessage published;
        lock.lock();
        try {
            long now = clock.millis();
            Published before = records.find(once, message, now);
            if (before != null) {
                return before;
            }
            published = publishLocked(message);
            records.keep(once, published, now);
        } finally {
            lock.unlock();
        }
        delivery.deliver();
        return Published.fresh(published);
    }

    /** Stores the message and queues it for delivery, in the order of the ids. */
    private ChatMessage publishLocked(ChatMessage message) {
        ChatMessage published = message.withId(ids.next(clock.millis()));
        histories.add(published);
        delivery.add(published);
        return published;
    }

    @Override
    public HistorySlice history(String room, EventId after, int limit) {
        lock.lock();
        try {
            return histories.read(room, after, limit);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public HistorySlice historyBefore(String room, EventId before, int limit) {
        lock.lock();
        try {
            return histories.readBefore(room, before, limit);
        } finally {
            lock.unlock();
        }
    }

    /** Straight to this node's listener: there is no other. */
    @Override
    public void signal(String payload) {
        listener.onSignal(payload);
    }

    @Override
    public boolean isHealthy() {
        return true;
    }

    @Override
    public void registerMetrics(ChatMetrics metrics) {
        metrics.gauge("sse_chat_history_bytes", "Bytes the in-process history holds (estimated).",
                () -> locked(histories::bytes));
        metrics.gauge("sse_chat_history_rooms", "Rooms the in-process history holds.",
                () -> locked(histories::rooms));
        metrics.counter("sse_chat_history_evicted_total",
                "Messages taken out of the in-process history to keep it within CHAT_HISTORY_MAX_BYTES.",
                () -> locked(histories::evicted));
    }

    private long locked(LongSupplier read) {
        lock.lock();
        try {
            return read.getAsLong();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        listener = NOBODY;
        delivery.close();
    }
}
