package org.ssechat.broker.redis.cluster;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ShardWatchdogTest {

    @Test
    void aConnectionIsTakenForDeadOnlyAfterItMissedSeveralPings() {
        ShardWatchdog watchdog = new ShardWatchdog(1000);
        assertFalse(watchdog.tooSilent(1000));
        assertFalse(watchdog.tooSilent(ShardWatchdog.MISSED_PINGS_BEFORE_RECONNECT * 1000));
        assertTrue(watchdog.tooSilent(ShardWatchdog.MISSED_PINGS_BEFORE_RECONNECT * 1000 + 1));
    }
}
