package org.ssechat.broker.redis.cluster;

import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.ssechat.broker.redis.DeliveryQueue;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.providers.ClusterConnectionProvider;

/**
 * This node's sharded subscriptions on a Redis Cluster: one {@code SSUBSCRIBE} per room this
 * node follows ({@link FollowedRooms}), on a connection to the primary that owns the room's slot
 * ({@link SlotRouter}, {@link ShardConnection}), so a node receives only the rooms it serves. A
 * room is subscribed when it gets its first stream here and left {@link #LINGER_MILLIS} after
 * its last one ended (a client that reconnects keeps it).
 *
 * <p>A room whose subscription ends without being asked to (its slot moved: Redis sends
 * {@code sunsubscribe}) or whose connection fails (its primary died and a replica takes over)
 * is routed again from a fresh view of the slots, and caught up from its history once it is
 * subscribed again: {@link DeliveryQueue#roomSubscribed} runs ahead of the new subscription's
 * messages. Silent connections are found by the {@link ShardWatchdog}; whether every room is
 * served, by the {@link SubscriptionHealth}.
 *
 * <p>One manager thread decides everything and is the only one that writes to the connections:
 * it runs what the readers and the node told it, then a step that brings the subscriptions in
 * line with the followed rooms.
 */
final class ShardSubscriptions implements ShardConnection.Events {

    static final String MANAGER_THREAD = "sse-chat-redis-shards";
    /** How long a room stays subscribed after its last stream here ended. */
    static final long LINGER_MILLIS = 2000;
    private static final long TICK_MILLIS = 100;
    private static final Logger LOG = Logger.getLogger(ShardSubscriptions.class.getName());

    private final FollowedRooms followed;
    private final SubscribedRooms rooms;
    private final Clock clock;
    private final Thread manager;
    /** What the readers and the node tell the manager: a few items per room and connection at most. */
    private final LinkedBlockingQueue<Runnable> events = new LinkedBlockingQueue<>();
    private final OpenConnections open = new OpenConnections();
    private final AtomicBoolean wakeUpPending = new AtomicBoolean();
    private final AtomicLong moved = new AtomicLong();
    private final SubscriptionHealth health = new SubscriptionHealth();
    private volatile boolean running = true;

    // The manager's own.
    private final SlotRouter router;
    private final ShardWatchdog watchdog;
    private final Set<RoomSubscription> unrouted = new LinkedHashSet<>();

    /**
     * @param topology  the cluster's view of its slots, shared with the publisher (may throw while no node answers)
     * @param channelOf a room's shard channel, in the slot of the room's history key
     * @param followed  the rooms this node follows, as it tells the broker
     */
    ShardSubscriptions(Supplier<ClusterConnectionProvider> topology, JedisClientConfig config,
            Function<String, String> channelOf, FollowedRooms followed, DeliveryQueue delivery, Clock clock,
            long pingMillis) {
        this.followed = followed;
        this.rooms = new SubscribedRooms(channelOf, clock);
        this.clock = clock;
        this.router = new SlotRouter(topology,
                node -> new ShardConnection(node, config, clock, rooms, delivery, this, open));
        this.watchdog = new ShardWatchdog(pingMillis);
        this.manager = new Thread(this::run, MANAGER_THREAD);
        manager.setDaemon(true);
        followed.onChange(this::wakeUp);
        manager.start();
    }

    /**
     * Waits, at most {@code timeoutMillis}, until a followed room is subscribed, so a history
     * read that follows misses nothing between itself and the first live message.
     */
    void awaitSubscribed(String room, long timeoutMillis) {
        RoomSubscription entry = rooms.getOrAdd(room);
        if (entry.isSubscribed()) {
            return;
        }
        followed.changed(room);
        // Not subscribed in time (its node is down): read anyway; the catch-up once it is
        // subscribed covers what comes meanwhile.
        SubscribedRooms.awaitFirst(entry, timeoutMillis);
    }

    /** Rooms subscribed now. */
    int subscribedRooms() {
        return rooms.subscribed();
    }

    /** Rooms that lost their subscription (slot moved, node failed) and were subscribed again, since the start. */
    long moved() {
        return moved.get();
    }

    /** False while a room with streams here has not been subscribed for a while (its node is unreachable). */
    boolean isHealthy() {
        return health.isHealthy();
    }

    /** Stops the manager, closes every connection and waits for the threads. */
    void stop() {
        running = false;
        manager.interrupt();
        OpenConnections.join(manager);
        open.closeAndJoin(); // also those the manager opened while it was stopping
    }

    private void wakeUp() {
        if (wakeUpPending.compareAndSet(false, true)) {
            events.add(() -> wakeUpPending.set(false));
        }
    }

    // ---- what the readers tell: queued for the manager ----

    @Override
    public void started(ShardConnection shard) {
        events.add(shard::sendPending);
    }

    @Override
    public void confirmed(ShardConnection shard, RoomSubscription room) {
        events.add(() -> countMove(shard, room));
    }

    @Override
    public void slotMoved(ShardConnection shard, RoomSubscription room) {
        events.add(() -> followSlot(shard, room));
    }

    @Override
    public void ended(ShardConnection shard, String why) {
        events.add(() -> routeAgain(shard, why));
    }

    // ---- the manager thread ----

    private void run() {
        try {
            while (running) {
                Runnable event = events.poll(TICK_MILLIS, TimeUnit.MILLISECONDS);
                while (event != null && running) {
                    guarded(event);
                    event = events.poll();
                }
                if (running) {
                    guarded(this::step);
                }
            }
        } catch (InterruptedException e) {
            // stop()
        } finally {
            open.closeAll();
        }
    }

    /** Never lets one event or step end the manager: every subscription would freeze. */
    private static void guarded(Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "The Redis Cluster subscription manager failed a step; it goes on", e);
        }
    }

    private void step() {
        long now = clock.millis();
        for (String name : followed.drainChanged()) {
            look(name, now);
        }
        for (RoomSubscription room : rooms.all()) {
            if (!room.hasStreams() && now - room.emptySinceMillis >= LINGER_MILLIS) {
                leave(room);
            }
        }
        if (!unrouted.isEmpty()) {
            router.route(unrouted, rooms, () -> running, now);
        }
        watchdog.watch(router.connections(), now);
        health.check(rooms.all(), now, router::lastFailure);
    }

    /** Brings one room in line with whether this node follows it now. */
    private void look(String name, long now) {
        RoomSubscription room = rooms.get(name);
        if (followed.contains(name)) {
            if (room == null) {
                room = rooms.getOrAdd(name);
            }
            if (!room.hasStreams()) {
                room.emptySinceMillis = -1;
                room.waitingSinceMillis = now;
            }
            if (room.route == null && unrouted.add(room)) {
                // A new room goes at once (unless its node is being retried).
                router.route(unrouted, rooms, () -> running, now);
            }
        } else if (room != null && room.hasStreams()) {
            room.emptySinceMillis = now;
        }
    }

    /** Unsubscribes a room this node no longer follows; the last room of a connection closes it. */
    private void leave(RoomSubscription room) {
        if (followed.contains(room.name)) {
            room.emptySinceMillis = -1; // a stream came back meanwhile
            return;
        }
        rooms.remove(room);
        unrouted.remove(room);
        ShardConnection shard = room.route;
        room.route = null;
        room.subscribedOn = null;
        if (shard != null && shard.leave(room)) {
            router.retire(shard);
        }
    }

    /** A room's subscription ended without being asked to: it follows its slot to another node. */
    private void followSlot(ShardConnection shard, RoomSubscription room) {
        if (!rooms.isCurrent(room) || room.route != shard) {
            return; // we asked for it, or it was already routed elsewhere
        }
        LOG.info("Redis Cluster: the slot of room '" + room.name + "' left " + shard.node + "; following it");
        shard.routed.remove(room);
        lose(room, true, clock.millis()); // subscribed until now: its reader cleared subscribedOn
        router.slotsMoved();
        if (shard.routed.isEmpty()) {
            router.retire(shard);
        }
    }

    /**
     * The connection of a shard ended: its rooms are routed again from a fresh view of the slots,
     * and its node is tried again after its backoff. A connection that ends before its first
     * confirmation (the node refused the SSUBSCRIBE, say) failed like one that could not be made.
     */
    private void routeAgain(ShardConnection shard, String why) {
        boolean current = router.forget(shard);
        if (!running) {
            return;
        }
        long now = clock.millis();
        int lost = 0;
        for (RoomSubscription room : shard.routed) {
            if (rooms.isCurrent(room) && room.route == shard) {
                lose(room, room.isSubscribed(), now);
                lost++;
            }
        }
        if (shard.isStarted() && now - shard.startedMillis() >= NodeRetries.HELD_MILLIS) {
            router.held(shard.node);
        }
        if (!current) {
            return; // closed here: its last room left, or its slots moved away
        }
        if (shard.isStarted()) {
            router.subscriptionEnded(shard.node, why, lost, now);
        } else {
            router.cannotSubscribe(shard.node, why, now);
        }
    }

    /** A room's SSUBSCRIBE failed or its subscription ended: it is routed again. */
    private void lose(RoomSubscription room, boolean wasSubscribed, long now) {
        room.lose(wasSubscribed, now);
        unrouted.add(room);
    }

    /** A room's subscription was confirmed: one that had lost its last counts as moved. */
    private void countMove(ShardConnection shard, RoomSubscription room) {
        if (room.lost && room.subscribedOn == shard) {
            room.lost = false;
            moved.incrementAndGet();
            LOG.info("Redis Cluster: room '" + room.name + "' is subscribed on " + shard.node + " now");
        }
    }
}
