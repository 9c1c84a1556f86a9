package org.ssechat.broker.redis;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Capped exponential backoff with jitter, for reconnecting: many nodes that lost the same Redis
 * do not all knock on its door in the same millisecond. Not thread-safe: one per thread.
 */
public final class Backoff {

    private final long initialMillis;
    private final long maxMillis;
    private long nextMillis;

    public Backoff(long initialMillis, long maxMillis) {
        this.initialMillis = initialMillis;
        this.maxMillis = maxMillis;
        this.nextMillis = initialMillis;
    }

    /** The next delay: a random point in the upper half of the current step, then the step doubles. */
    public long nextDelayMillis() {
        long step = nextMillis;
        nextMillis = Math.min(maxMillis, nextMillis * 2);
        return step / 2 + ThreadLocalRandom.current().nextLong(step / 2 + 1);
    }

    /** The current step: the most the next delay can be. */
    public long stepMillis() {
        return nextMillis;
    }

    void reset() {
        nextMillis = initialMillis;
    }
}
