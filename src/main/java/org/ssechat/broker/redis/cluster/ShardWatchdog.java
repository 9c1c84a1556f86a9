package org.ssechat.broker.redis.cluster;

import java.util.Collection;
import java.util.logging.Logger;

/**
 * Finds the sharded subscriptions that went silent. A subscribed Jedis connection reads with no
 * timeout, so a silently dropped one would wait forever; and a sharded subscription cannot be
 * pinged. So once a period the watchdog re-subscribes one confirmed room of each connection
 * (Redis confirms it again, which counts as hearing from it) and closes a connection that
 * answered nothing for {@link #MISSED_PINGS_BEFORE_RECONNECT} periods: its reader then fails,
 * and its rooms are routed again. Used by the manager thread only.
 */
final class ShardWatchdog {

    static final int MISSED_PINGS_BEFORE_RECONNECT = 3;
    private static final Logger LOG = Logger.getLogger(ShardWatchdog.class.getName());

    private final long pingMillis;
    private long nextWatchMillis;

    ShardWatchdog(long pingMillis) {
        this.pingMillis = pingMillis;
    }

    /** Once a period: pings each connection, or closes one that stopped answering. */
    void watch(Collection<ShardConnection> shards, long now) {
        if (now < nextWatchMillis) {
            return;
        }
        nextWatchMillis = now + pingMillis;
        for (ShardConnection shard : shards) {
            long silentMillis = now - shard.lastHeardMillis();
            if (tooSilent(silentMillis)) {
                LOG.warning("Redis Cluster node " + shard.node + " did not answer for " + silentMillis
                        + " ms; reconnecting");
                shard.close(); // its reader fails, and the manager routes its rooms again
            } else if (shard.isStarted()) {
                shard.ping(); // before its first confirmation, silence is timed from the connect
            }
        }
    }

    /** Whether a connection silent this long is taken for dead. */
    boolean tooSilent(long silentMillis) {
        return silentMillis > MISSED_PINGS_BEFORE_RECONNECT * pingMillis;
    }
}
