package org.ssechat.sse;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntConsumer;
import java.util.function.IntPredicate;

/**
 * Live events held back while a new stream replays history, so that the replay goes out first,
 * then released in their order. Held bytes count against the stream's byte limit like queued
 * ones.
 *
 * <p>Threading: the live path offers (one thread at a time, the broker's); the opening thread
 * releases, once. An event offered while the release runs waits for the lock and then goes out
 * after the held ones, never before.
 */
final class HeldEvents {

    /** Delivers one released event; false when the stream took no more (it ended). */
    interface Delivery {
        boolean deliver(int room, EventId id, EventFrame frame);
    }

    /**
     * @param room  the event's room: its index in the stream's rooms
     * @param bytes what it was counted at against the stream's limit
     */
    private record Held(int room, EventId id, EventFrame frame, int bytes) {
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final List<Held> held = new ArrayList<>();
    private volatile boolean holding;

    /** Whether events are held now: only then does {@link #offer} need what an event costs. */
    boolean holding() {
        return holding;
    }

    /** From now on live events are held; call before the stream is registered. */
    void hold() {
        holding = true;
    }

    /**
     * Holds a live event if events are being held.
     *
     * @param bytes   what the event will cost the stream: its frame, and the stream's own bytes with it
     * @param reserve counts those bytes against the stream's limit; false if they do not fit
     * @return true if the event was taken care of (held, or refused for lack of room), false if
     *         nothing is held any more and the caller delivers it now
     */
    boolean offer(int room, EventId id, EventFrame frame, int bytes, IntPredicate reserve) {
        if (!holding) {
            return false;
        }
        lock.lock();
        try {
            if (!holding) {
                return false;
            }
            if (reserve.test(bytes)) {
                held.add(new Held(room, id, frame, bytes));
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Ends the hold: each held event is handed to {@code delivery} in order, until the stream
     * takes no more (the rest is dropped with it, as Mercure stops dispatching at the first
     * failed write). The bytes of each are given back just before it goes out.
     */
    void release(Delivery delivery, IntConsumer unreserve) {
        lock.lock();
        try {
            for (Held event : held) {
                unreserve.accept(event.bytes());
                if (!delivery.deliver(event.room(), event.id(), event.frame())) {
                    break;
                }
            }
            held.clear();
            holding = false;
        } finally {
            lock.unlock();
        }
    }
}
