package org.ssechat.broker.redis.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.HostAndPort;

class NodeRetriesTest {

    private static final HostAndPort NODE = new HostAndPort("127.0.0.1", 7000);
    private static final HostAndPort OTHER = new HostAndPort("127.0.0.1", 7001);
    private static final String REFUSED = "NOPERM this user has no permissions to run the 'ssubscribe' command";

    @Test
    void aNodeThatKeepsFailingWaitsLongerEachTimeUpToASecondAndOnlyNewsIsWorthAWarning() {
        NodeRetries retries = new NodeRetries();
        List<Long> steps = new ArrayList<>();
        List<Boolean> news = new ArrayList<>();
        long now = 0;
        for (int i = 0; i < 8; i++) {
            assertTrue(retries.mayTry(NODE, now));
            NodeRetries.Failure failure = retries.failed(NODE, REFUSED, now);
            assertFalse(retries.mayTry(NODE, now), "not tried again at once");
            steps.add(failure.stepMillis());
            news.add(failure.news());
            now += failure.stepMillis(); // the most it waits
        }
        assertEquals(List.of(100L, 200L, 400L, 800L, 1000L, 1000L, 1000L, 1000L), steps);
        assertEquals(List.of(true, true, true, true, true, false, false, false), news,
                "a warning per backoff step, then none while the cause stays the same");
        assertTrue(retries.failed(NODE, "Failed to connect", now).news(), "a new cause is news");
        assertTrue(retries.mayTry(OTHER, now), "another node is not held up");
    }

    @Test
    void aSubscriptionThatHeldEndsTheRunAndTheNextFailureStartsFromTheFirstStep() {
        NodeRetries retries = new NodeRetries();
        for (int i = 0; i < 6; i++) {
            retries.failed(NODE, REFUSED, 0);
        }
        retries.held(NODE);
        assertTrue(retries.mayTry(NODE, 0));
        NodeRetries.Failure failure = retries.failed(NODE, REFUSED, 0);
        assertEquals(100, failure.stepMillis());
        assertTrue(failure.news(), "the first failure of a new run is logged");
    }
}
