package org.ssechat.publish;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.LongSupplier;

/**
 * Token buckets per key (a client address): each key may spend {@code burst} requests at once
 * and earns {@code perSecond} back every second. The table is bounded: buckets that have filled
 * up again are forgotten (they behave like new ones), and past {@code maxKeys} new keys share
 * one overflow bucket, so a flood of addresses cannot grow memory past {@code maxKeys + 1}.
 */
public final class RateLimiter {

    private static final String OVERFLOW_KEY = "";

    private final double perSecond;
    private final double burst;
    private final int maxKeys;
    private final LongSupplier nanoTime;
    private final ConcurrentMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    /**
     * @param perSecond requests a key earns back per second
     * @param burst     requests a key may make at once
     * @param maxKeys   keys tracked at most
     * @param nanoTime  the clock ({@code System::nanoTime} outside tests)
     */
    public RateLimiter(double perSecond, int burst, int maxKeys, LongSupplier nanoTime) {
        this.perSecond = perSecond;
        this.burst = burst;
        this.maxKeys = maxKeys;
        this.nanoTime = nanoTime;
    }

    /**
     * Spends one request of the key's allowance.
     *
     * @return 0 when allowed, else how many seconds (at least 1) until the next request is
     */
    public long acquire(String key) {
        long now = nanoTime.getAsLong();
        Bucket bucket = buckets.get(key);
        if (bucket == null) {
            if (buckets.size() >= maxKeys) {
                forgetIdle();
            }
            String slot = buckets.size() >= maxKeys ? OVERFLOW_KEY : key;
            bucket = buckets.computeIfAbsent(slot, k -> new Bucket(burst, now));
        }
        return bucket.acquire(now);
    }

    /** Forgets buckets that are full again: their keys have been quiet long enough. */
    public void forgetIdle() {
        long now = nanoTime.getAsLong();
        buckets.values().removeIf(bucket -> bucket.isFull(now));
    }

    /** How many keys are tracked now. */
    public int size() {
        return buckets.size();
    }

    private final class Bucket {
        private double tokens;
        private long updatedNanos;

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.updatedNanos = now;
        }

        synchronized long acquire(long now) {
            refill(now);
            if (tokens >= 1) {
                tokens -= 1;
                return 0;
            }
            return Math.max(1, (long) Math.ceil((1 - tokens) / perSecond));
        }

        synchronized boolean isFull(long now) {
            refill(now);
            return tokens >= burst;
        }

        private void refill(long now) {
            tokens = Math.min(burst, tokens + (now - updatedNanos) / 1e9 * perSecond);
            updatedNanos = now;
        }
    }
}
