package org.ssechat.broker.redis.cluster;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/**
 * One room's sharded subscription on this node: where its {@code SSUBSCRIBE} went, where Redis
 * confirmed it, and since when it has lacked one. The manager writes it; a reader writes only
 * {@link #subscribedOn} (and completes {@link #firstSubscribed}).
 */
final class RoomSubscription {

    final String name;
    final byte[] channel;
    /** Where its SSUBSCRIBE was sent: written by the manager, read by the readers. */
    volatile ShardConnection route;
    /** Where it was confirmed: written by the readers and the manager. */
    volatile ShardConnection subscribedOn;
    /** Manager: when its last stream here ended; -1 while it has streams. */
    long emptySinceMillis = -1;
    /** Manager: since when it waits for a subscription (for health). */
    long waitingSinceMillis;
    /** Manager: it lost its subscription and is routed again (for the log and the metric). */
    boolean lost;
    /** Completed by its first confirmation: what a stream opening in the room waits for. */
    final CompletableFuture<Void> firstSubscribed = new CompletableFuture<>();

    /** @param channel the room's shard channel, {@code <channel>:{<room>}} */
    RoomSubscription(String name, String channel, long nowMillis) {
        this.name = name;
        this.channel = channel.getBytes(StandardCharsets.UTF_8);
        this.waitingSinceMillis = nowMillis;
    }

    boolean isSubscribed() {
        return subscribedOn != null;
    }

    /** Whether streams here follow the room (it is not lingering after its last one). */
    boolean hasStreams() {
        return emptySinceMillis < 0;
    }

    /** Manager: its SSUBSCRIBE failed or its subscription ended; it is to be routed again. */
    void lose(boolean wasSubscribed, long nowMillis) {
        if (wasSubscribed) {
            waitingSinceMillis = nowMillis; // it waits since now; one that keeps failing waits on
        }
        route = null;
        subscribedOn = null;
        lost = true;
    }

    @Override
    public String toString() {
        return name;
    }
}
