package org.ssechat.broker;

import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.ssechat.chat.ChatMessage;

/**
 * The broker of a single node: publishing hands the message straight to this node's listener.
 * It is the default, so sse-chat runs with no Redis at all.
 *
 * <p>One lock makes assigning the id and delivering one step, so every client sees ids in
 * increasing order even when requests publish concurrently. The listener only queues frames,
 * so the lock is held for microseconds per client.
 */
public final class InMemoryBroker implements Broker {

    private final ReentrantLock lock = new ReentrantLock();
    private final MessageIds ids = new MessageIds();
    private final Clock clock;
    private volatile Consumer<ChatMessage> listener = message -> { };

    public InMemoryBroker(Clock clock) {
        this.clock = clock;
    }

    @Override
    public String name() {
        return "memory";
    }

    @Override
    public void start(Consumer<ChatMessage> listener) {
        this.listener = Objects.requireNonNull(listener);
    }

    @Override
    public ChatMessage publish(ChatMessage message) {
        lock.lock();
        try {
            ChatMessage published = message.withId(ids.next(clock.millis()));
            listener.accept(published);
            return published;
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
        listener = message -> { };
    }
}
