package org.ssechat.broker.redis.cluster;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.providers.ClusterConnectionProvider;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * Sends each room's {@code SSUBSCRIBE} to the primary that owns its slot now, over one
 * connection per primary, read from the cluster's view of its slots (renewed after a failure or
 * a move). A node that cannot be reached, is not a primary, or refuses the subscription is tried
 * again after its own backoff ({@link NodeRetries}) while the other nodes' rooms go on. Used by
 * the manager thread only.
 */
final class SlotRouter {

    private static final Logger LOG = Logger.getLogger(SlotRouter.class.getName());
    /** At most twice a second: each renewal of the slots may wait for a node that does not answer. */
    private static final long RENEW_MILLIS = 500;

    private final Supplier<ClusterConnectionProvider> topology;
    /** Opens a connection to a node (may throw: the node is down). */
    private final Function<HostAndPort, ShardConnection> connector;
    private final Map<HostAndPort, ShardConnection> shards = new HashMap<>();
    private final NodeRetries retries = new NodeRetries();
    private boolean slotsStale;
    private long nextRenewMillis;
    /** Why the last attempt to read the slots or to subscribe failed, for the log. */
    private String lastFailure = "none";

    /** @param topology the cluster's view of its slots, shared with the publisher (may throw while no node answers) */
    SlotRouter(Supplier<ClusterConnectionProvider> topology, Function<HostAndPort, ShardConnection> connector) {
        this.topology = topology;
        this.connector = connector;
    }

    /**
     * Routes the rooms of {@code unrouted} that are still current, and takes them out of it;
     * a room whose node is down or being retried stays for the next step.
     */
    void route(Set<RoomSubscription> unrouted, SubscribedRooms rooms, BooleanSupplier running, long now) {
        ClusterConnectionProvider slots = slots(now);
        if (slots == null) {
            return; // tried again next step
        }
        for (RoomSubscription room : new ArrayList<>(unrouted)) {
            if (!running.getAsBoolean()) {
                return;
            }
            if (!rooms.isCurrent(room)) {
                unrouted.remove(room);
                continue;
            }
            HostAndPort node = slots.getNode(JedisClusterCRC16.getSlot(room.channel));
            if (node == null) {
                slotsStale = true; // no node owns the slot in this view: read it again next step
                continue;
            }
            ShardConnection shard = shards.get(node);
            if (shard == null && (shard = connect(node, now)) == null) {
                continue;
            }
            unrouted.remove(room);
            shard.join(room);
        }
    }

    /** The view of the slots, renewed first when it is stale; null while no node answers. */
    private ClusterConnectionProvider slots(long now) {
        try {
            ClusterConnectionProvider slots = topology.get();
            if (slotsStale && now >= nextRenewMillis) {
                nextRenewMillis = now + RENEW_MILLIS;
                slots.renewSlotCache();
                slotsStale = false;
            }
            return slots;
        } catch (RuntimeException e) {
            slotsStale = true;
            lastFailure = "no node answers: " + e.getMessage();
            LOG.log(Level.FINE, "Redis Cluster: no node answers yet", e);
            return null;
        }
    }

    /** A new connection to a primary, or null (the node is down, a replica now, or being retried). */
    private ShardConnection connect(HostAndPort node, long now) {
        if (!retries.mayTry(node, now)) {
            return null;
        }
        ShardConnection shard = null;
        try {
            shard = connector.apply(node);
            if (!shard.isPrimary()) {
                throw new JedisConnectionException(node + " is not a primary (any more)");
            }
            shards.put(node, shard);
            return shard;
        } catch (RuntimeException e) {
            if (shard != null) {
                shard.close();
            }
            cannotSubscribe(node, String.valueOf(e.getMessage()), now);
            return null;
        }
    }

    /** Whether the connection is the one its node's rooms go to now. */
    boolean isCurrent(ShardConnection shard) {
        return shards.get(shard.node) == shard;
    }

    /** The connection's node gets a new one for its next rooms; returns whether it was the current one. */
    boolean forget(ShardConnection shard) {
        return shards.remove(shard.node, shard);
    }

    /** Closes a connection with no room left (its subscription loop ends with its last room anyway). */
    void retire(ShardConnection shard) {
        forget(shard);
        shard.close();
    }

    Collection<ShardConnection> connections() {
        return List.copyOf(shards.values());
    }

    /** A slot moved: the view is read again before the next routing. */
    void slotsMoved() {
        slotsStale = true;
    }

    /** A subscription on the node held long enough: its run of failures is over. */
    void held(HostAndPort node) {
        retries.held(node);
    }

    /** Connecting, asking ROLE or the first SSUBSCRIBE failed on a node. */
    void cannotSubscribe(HostAndPort node, String why, long now) {
        NodeRetries.Failure failure = nodeFailed(node, why, now);
        LOG.log(levelOf(failure), () -> "Redis Cluster: cannot subscribe on " + node + " (" + why
                + "); trying it again within " + failure.stepMillis() + " ms");
    }

    /** A started subscription on a node ended: its rooms are routed again. */
    void subscriptionEnded(HostAndPort node, String why, int rooms, long now) {
        NodeRetries.Failure failure = nodeFailed(node, why, now);
        LOG.log(levelOf(failure), () -> "Redis Cluster: the subscription on " + node + " ended (" + why
                + "); following its " + rooms + " room(s) to where their slots are now");
    }

    /** A node failed: the slots are read again, and the node waits for its next backoff step. */
    private NodeRetries.Failure nodeFailed(HostAndPort node, String why, long now) {
        slotsStale = true;
        lastFailure = "cannot subscribe on " + node + ": " + why;
        return retries.failed(node, why, now);
    }

    /** News is a warning; a failure that repeats the last one of its node is not worth more than FINE. */
    private static Level levelOf(NodeRetries.Failure failure) {
        return failure.news() ? Level.WARNING : Level.FINE;
    }

    String lastFailure() {
        return lastFailure;
    }
}
