package org.ssechat.broker.redis.cluster;

import java.util.Collection;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Whether every room with streams here is subscribed, or on its way: a room that has waited
 * longer than {@link #UNSUBSCRIBED_GRACE_MILLIS} for a subscription (its node is unreachable,
 * or refuses it) makes the node unhealthy, with one warning when that starts and one line when
 * it ends. Checked by the manager thread; read by any.
 */
final class SubscriptionHealth {

    /** A room with streams that is not subscribed for this long makes the broker unhealthy. */
    static final long UNSUBSCRIBED_GRACE_MILLIS = 3000;
    private static final Logger LOG = Logger.getLogger(SubscriptionHealth.class.getName());

    private volatile boolean healthy = true;

    /** @param lastFailure why the last attempt to subscribe failed, for the warning */
    void check(Collection<RoomSubscription> rooms, long now, Supplier<String> lastFailure) {
        long waiting = waiting(rooms, now);
        if (healthy && waiting > 0) {
            LOG.warning("Redis Cluster: " + waiting + " room(s) with streams here have had no subscription for over "
                    + UNSUBSCRIBED_GRACE_MILLIS + " ms (last failure: " + lastFailure.get() + "); still trying");
        } else if (!healthy && waiting == 0) {
            LOG.info("Redis Cluster: every room with streams here is subscribed again");
        }
        healthy = waiting == 0;
    }

    /** Rooms with streams here that have waited for a subscription longer than the grace. */
    static long waiting(Collection<RoomSubscription> rooms, long now) {
        return rooms.stream().filter(room -> !room.isSubscribed() && room.hasStreams()
                && now - room.waitingSinceMillis > UNSUBSCRIBED_GRACE_MILLIS).count();
    }

    boolean isHealthy() {
        return healthy;
    }
}
