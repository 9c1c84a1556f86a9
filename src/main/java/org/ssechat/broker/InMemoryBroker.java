package org.ssechat.broker;

import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import org.ssechat.chat.ChatMessage;
import org.ssechat.sse.EventId;

/**
 * The broker of a single node: publishing hands the message straight to this node's listener.
 * It is the default, so sse-chat runs with no Redis at all.
 *
 * <p>One lock makes assigning the id, keeping it in the history and delivering one step, so
 * every client sees ids in increasing order even when requests publish concurrently, and a
 * history read sees exactly what was delivered before it. The listener only queues frames, so
 * the lock is held for microseconds per client.
 */
public final class InMemoryBroker implements Broker {

    private final ReentrantLock lock = new ReentrantLock();
    /** Rooms whose history is kept; beyond it the least recently used room's is forgotten. */
    public static final int MAX_ROOMS = 1000;
    private static final BrokerListener NOBODY = message -> { };

    private final MessageIds ids = new MessageIds();
    private final RoomHistories histories;
    private final Clock clock;
    private volatile BrokerListener listener = NOBODY;

    /** @param historySize messages kept per room */
    public InMemoryBroker(int historySize, Clock clock) {
        this.histories = new RoomHistories(historySize, MAX_ROOMS);
        this.clock = clock;
    }

    @Override
    public String name() {
        return "memory";
    }

    @Override
    public void start(BrokerListener listener) {
        this.listener = Objects.requireNonNull(listener);
    }

    @Override
    public ChatMessage publish(ChatMessage message) {
        lock.lock();
        try {
            ChatMessage published = message.withId(ids.next(clock.millis()));
            histories.add(published);
            listener.onMessage(published);
            return published;
        } finally {
            lock.unlock();
        }
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
    public boolean isHealthy() {
        return true;
    }

    @Override
    public void close() {
        listener = NOBODY;
    }
}
