package org.ssechat.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimiterTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    private void advanceMillis(long millis) {
        now.addAndGet(millis * 1_000_000L);
    }

    @Test
    void aBurstIsAllowedThenTheClientWaitsForTokensToComeBack() {
        RateLimiter limiter = new RateLimiter(2, 3, 100, now::get);
        assertEquals(0, limiter.acquire("a"));
        assertEquals(0, limiter.acquire("a"));
        assertEquals(0, limiter.acquire("a"));
        assertEquals(1, limiter.acquire("a"), "at 2 per second the next token is half a second away: 1 s rounded up");
        assertEquals(0, limiter.acquire("b"), "another address has its own bucket");

        advanceMillis(500);
        assertEquals(0, limiter.acquire("a"));
        assertEquals(1, limiter.acquire("a"));
    }

    @Test
    void aSlowRateAsksForALongerWait() {
        RateLimiter limiter = new RateLimiter(1, 1, 100, now::get);
        limiter.acquire("a");
        advanceMillis(100);
        assertEquals(1, limiter.acquire("a"));
        RateLimiter slow = new RateLimiter(0.2, 1, 100, now::get);
        slow.acquire("a");
        assertEquals(5, slow.acquire("a"));
    }

    @Test
    void quietAddressesAreForgottenAndTheTableIsBounded() {
        RateLimiter limiter = new RateLimiter(10, 1, 3, now::get);
        limiter.acquire("a");
        limiter.acquire("b");
        limiter.acquire("c");
        assertEquals(3, limiter.size());

        limiter.acquire("d"); // the table is full of busy buckets: d gets the shared overflow bucket
        assertEquals(4, limiter.size(), "three addresses and the overflow bucket, however many more come");
        assertEquals(1, limiter.acquire("e"), "new addresses share the overflow bucket, which is spent");

        advanceMillis(1000);
        limiter.forgetIdle();
        assertEquals(0, limiter.size(), "full buckets are the same as new ones: nothing to keep");
        assertEquals(0, limiter.acquire("e"));
    }
}
