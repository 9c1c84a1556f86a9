package org.ssechat.broker.redis.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.ssechat.testing.LogCapture;

class SubscriptionHealthTest {

    private static final long GRACE = SubscriptionHealth.UNSUBSCRIBED_GRACE_MILLIS;

    @Test
    void aRoomWithStreamsWithoutASubscriptionPastTheGraceMakesTheNodeUnhealthyWithOneWarning() {
        SubscriptionHealth health = new SubscriptionHealth();
        RoomSubscription waiting = new RoomSubscription("r", "chat:{r}", 0);
        try (LogCapture log = LogCapture.of(SubscriptionHealth.class)) {
            health.check(List.of(waiting), GRACE, () -> "none");
            assertTrue(health.isHealthy(), "within the grace");

            health.check(List.of(waiting), GRACE + 1, () -> "NOPERM");
            health.check(List.of(waiting), GRACE + 500, () -> "NOPERM");
            assertFalse(health.isHealthy());
            List<String> warnings = log.atLeast(Level.WARNING);
            assertEquals(1, warnings.size(), warnings.toString());
            assertTrue(warnings.get(0).contains("NOPERM"), warnings.get(0));
        }
    }

    @Test
    void aLingeringRoomDoesNotCount() {
        RoomSubscription lingering = new RoomSubscription("r", "chat:{r}", 0);
        lingering.emptySinceMillis = 100;
        assertEquals(0, SubscriptionHealth.waiting(List.of(lingering), 10 * GRACE));
    }
}
