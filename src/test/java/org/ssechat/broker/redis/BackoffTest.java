package org.ssechat.broker.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void delaysDoubleUpToTheCapWithJitterAndResetAfterSuccess() {
        Backoff backoff = new Backoff(100, 800);
        long[] steps = {100, 200, 400, 800, 800, 800};
        for (long step : steps) {
            assertEquals(step, backoff.stepMillis(), "the most the next delay can be");
            long delay = backoff.nextDelayMillis();
            assertTrue(delay >= step / 2 && delay <= step, delay + " not within [" + step / 2 + ", " + step + "]");
        }
        backoff.reset();
        assertTrue(backoff.nextDelayMillis() <= 100);
    }
}
