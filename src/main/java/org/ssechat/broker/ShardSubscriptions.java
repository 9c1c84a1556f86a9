package org.ssechat.broker;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import redis.clients.jedis.BinaryJedisShardedPubSub;
import redis.clients.jedis.Connection;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.providers.ClusterConnectionProvider;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * This node's sharded subscriptions on a Redis Cluster: one {@code SSUBSCRIBE} per room with
 * streams here, on a connection to the node that owns the room's slot, so a node receives only
 * the rooms it serves. A room is subscribed when it gets its first stream here and unsubscribed
 * {@link #LINGER_MILLIS} after its last one left (a client that reconnects keeps it).
 *
 * <p>A room whose subscription ends without being asked to (its slot moved: Redis sends
 * {@code sunsubscribe}) or whose connection fails (its node died and a replica takes over) is
 * routed again from a fresh view of the slots, retried with backoff, and caught up from its
 * history once it is subscribed again: {@link DeliveryQueue#roomSubscribed} runs ahead of the
 * new subscription's messages.
 *
 * <p>One manager thread decides everything and is the only one that writes to the connections.
 * Each connection has a reader thread that only hands what arrives to the delivery queue and
 * tells the manager. A sharded subscription cannot be pinged, so the manager's watchdog
 * re-subscribes one of a connection's rooms (Redis answers with a confirmation) and drops a
 * connection that stays silent for {@link #MISSED_PINGS_BEFORE_RECONNECT} periods.
 */
final class ShardSubscriptions {

    static final String MANAGER_THREAD = "sse-chat-redis-shards";
    static final String READER_THREAD = "sse-chat-redis-shard-";
    /** How long a room stays subscribed after its last stream here ended. */
    static final long LINGER_MILLIS = 2000;
    private static final long TICK_MILLIS = 100;
    private static final int MISSED_PINGS_BEFORE_RECONNECT = 3;
    private static final long STOP_WAIT_MILLIS = 2000;
    private static final Logger LOG = Logger.getLogger(ShardSubscriptions.class.getName());

    private final Supplier<ClusterConnectionProvider> topology;
    private final JedisClientConfig config;
    private final Function<String, String> channelOf;
    private final Predicate<String> wanted;
    private final DeliveryQueue delivery;
    private final Clock clock;
    private final long pingMillis;
    private final Thread manager;

    /** The rooms this node subscribes or is about to: written by the manager (and {@link #want}). */
    private final Map<String, Room> rooms = new ConcurrentHashMap<>();
    /** Rooms whose state may have changed: bounded by the rooms that had streams here lately. */
    private final Set<String> changed = ConcurrentHashMap.newKeySet();
    /** What the reader threads tell the manager: a few items per room and connection at most. */
    private final LinkedBlockingQueue<Runnable> events = new LinkedBlockingQueue<>();
    private final AtomicBoolean wakeUpPending = new AtomicBoolean();
    private final AtomicLong moved = new AtomicLong();
    private volatile boolean running = true;
    private volatile int unroutedCount;

    // The manager's own state.
    private final Map<HostAndPort, Shard> shards = new HashMap<>();
    private final Set<Room> unrouted = new LinkedHashSet<>();
    private final Backoff backoff = new Backoff(100, 2000);
    private long nextRouteAttemptMillis;
    private boolean slotsStale;
    private long nextWatchMillis;

    /** One room's subscription. */
    private static final class Room {
        final String name;
        final String channel;
        final byte[] channelBytes;
        /** Where its SSUBSCRIBE was sent: written by the manager, read by the readers. */
        volatile Shard route;
        /** Where it was confirmed: written by the readers and the manager. */
        volatile Shard subscribedOn;
        /** Manager: when its last stream here ended; -1 while it has streams. */
        long emptySinceMillis = -1;
        /** Manager: it lost its subscription and is routed again (for the log and the metric). */
        boolean lost;
        final CompletableFuture<Void> firstSubscribed = new CompletableFuture<>();

        Room(String name, String channel) {
            this.name = name;
            this.channel = channel;
            this.channelBytes = channel.getBytes(StandardCharsets.UTF_8);
        }
    }

    /**
     * @param topology  the cluster's view of its slots, shared with the publisher (may throw while no node answers)
     * @param channelOf a room's shard channel, in the slot of the room's history key
     * @param wanted    whether a room has streams on this node now
     */
    ShardSubscriptions(Supplier<ClusterConnectionProvider> topology, JedisClientConfig config,
            Function<String, String> channelOf, Predicate<String> wanted, DeliveryQueue delivery, Clock clock,
            long pingMillis) {
        this.topology = topology;
        this.config = config;
        this.channelOf = channelOf;
        this.wanted = wanted;
        this.delivery = delivery;
        this.clock = clock;
        this.pingMillis = pingMillis;
        this.manager = new Thread(this::run, MANAGER_THREAD);
        manager.setDaemon(true);
        manager.start();
    }

    /** A room got its first stream here or lost its last: the manager looks at it soon. Never blocks. */
    void roomChanged(String room) {
        changed.add(room);
        wakeUp();
    }

    /**
     * Waits, at most {@code timeoutMillis}, until a room with streams here is subscribed, so a
     * history read that follows misses nothing between itself and the first live message. Does
     * not wait on the delivery thread, whose catch-ups run before the subscription's messages.
     */
    void awaitSubscribed(String room, long timeoutMillis) {
        if (delivery.isDeliveryThread() || !wanted.test(room)) {
            return;
        }
        Room entry = rooms.computeIfAbsent(room, name -> new Room(name, channelOf.apply(name)));
        if (entry.subscribedOn != null) {
            return;
        }
        roomChanged(room);
        try {
            entry.firstSubscribed.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            // Not subscribed in time (its node is down): read anyway; the catch-up after the
            // subscription covers what comes meanwhile.
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Rooms subscribed now. */
    int subscribedRooms() {
        int count = 0;
        for (Room room : rooms.values()) {
            if (room.subscribedOn != null) {
                count++;
            }
        }
        return count;
    }

    /** Rooms that lost their subscription (slot moved, node failed) and were routed again, since the start. */
    long moved() {
        return moved.get();
    }

    /** False while some room with streams here cannot be subscribed (its node is unreachable). */
    boolean isHealthy() {
        return unroutedCount == 0;
    }

    /** Stops the manager, closes every connection and waits for the threads. */
    void stop() {
        running = false;
        manager.interrupt();
        join(manager);
    }

    private void wakeUp() {
        if (wakeUpPending.compareAndSet(false, true)) {
            events.add(() -> wakeUpPending.set(false));
        }
    }

    // ---- the manager thread ----

    private void run() {
        try {
            while (running) {
                Runnable event = events.poll(TICK_MILLIS, TimeUnit.MILLISECONDS);
                while (event != null) {
                    event.run();
                    event = events.poll();
                }
                step();
            }
        } catch (InterruptedException e) {
            // stop()
        } finally {
            List<Shard> all = new ArrayList<>(shards.values());
            all.forEach(shard -> shard.connection.close());
            all.stream().filter(shard -> shard.reader != null).forEach(shard -> join(shard.reader));
        }
    }

    private void step() {
        try {
            long now = clock.millis();
            for (String name : drainChanged()) {
                look(name, now);
            }
            for (Room room : new ArrayList<>(rooms.values())) {
                if (room.emptySinceMillis >= 0 && now - room.emptySinceMillis >= LINGER_MILLIS) {
                    leave(room);
                }
            }
            if (!unrouted.isEmpty() && now >= nextRouteAttemptMillis) {
                routeUnrouted(now);
            }
            if (now >= nextWatchMillis) {
                nextWatchMillis = now + pingMillis;
                new ArrayList<>(shards.values()).forEach(shard -> watch(shard, now));
            }
            unroutedCount = unrouted.size();
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "The Redis Cluster subscription manager failed a step; it goes on", e);
        }
    }

    private List<String> drainChanged() {
        List<String> names = new ArrayList<>(changed);
        names.forEach(changed::remove);
        return names;
    }

    /** Brings one room in line with whether it has streams here now. */
    private void look(String name, long now) {
        Room room = rooms.get(name);
        if (wanted.test(name)) {
            if (room == null) {
                room = rooms.computeIfAbsent(name, n -> new Room(n, channelOf.apply(n)));
            }
            room.emptySinceMillis = -1;
            if (room.route == null && !unrouted.contains(room)) {
                unrouted.add(room);
                if (now >= nextRouteAttemptMillis) {
                    routeUnrouted(now); // a new room goes at once, unless its node is being retried anyway
                }
            }
        } else if (room != null && room.emptySinceMillis < 0) {
            room.emptySinceMillis = now;
        }
    }

    /** Unsubscribes a room nobody here listens to any more. */
    private void leave(Room room) {
        if (wanted.test(room.name)) {
            room.emptySinceMillis = -1; // a stream came back meanwhile
            return;
        }
        rooms.remove(room.name, room);
        unrouted.remove(room);
        Shard shard = room.route;
        room.route = null;
        room.subscribedOn = null;
        if (shard != null) {
            shard.routed.remove(room);
            if (shard.started) {
                shard.write(() -> shard.sunsubscribe(room.channelBytes));
            } else {
                shard.pendingLeave.add(room); // its SSUBSCRIBE is on the way: undo it once confirmed
            }
        }
    }

    /** Sends every unrouted room's SSUBSCRIBE to the node that owns its slot now; retries later on failure. */
    private void routeUnrouted(long now) {
        ClusterConnectionProvider slots;
        try {
            slots = topology.get();
            if (slotsStale) {
                slots.renewSlotCache();
                slotsStale = false;
            }
        } catch (RuntimeException e) {
            retryLater(now, "no cluster node answers: " + e.getMessage());
            return;
        }
        for (Room room : new ArrayList<>(unrouted)) {
            if (rooms.get(room.name) != room) {
                unrouted.remove(room);
                continue;
            }
            HostAndPort node = slots.getNode(JedisClusterCRC16.getSlot(room.channel));
            if (node == null) {
                slotsStale = true;
                retryLater(now, "no node owns the slot of room '" + room.name + "'");
                return;
            }
            Shard shard = shards.get(node);
            boolean connected = shard == null;
            if (connected) {
                try {
                    shard = new Shard(node);
                } catch (RuntimeException e) {
                    slotsStale = true;
                    retryLater(now, "cannot connect to " + node + ": " + e.getMessage());
                    return;
                }
                shards.put(node, shard);
            }
            // Routed before the SSUBSCRIBE goes: its confirmation may come back at once.
            room.route = shard;
            shard.routed.add(room);
            unrouted.remove(room);
            if (connected) {
                shard.start(room);
            } else if (shard.started) {
                Shard target = shard;
                shard.write(() -> target.ssubscribe(room.channelBytes));
            } else {
                shard.pendingJoin.add(room);
            }
            if (room.lost) {
                room.lost = false;
                moved.incrementAndGet();
                LOG.info("Redis Cluster: room '" + room.name + "' is now subscribed on " + node);
            }
        }
        backoff.reset();
    }

    private void retryLater(long now, String why) {
        long delay = backoff.nextDelayMillis();
        nextRouteAttemptMillis = now + delay;
        LOG.log(delay >= 1000 ? Level.WARNING : Level.FINE, "Redis Cluster: {0} room(s) wait for a subscription ({1});"
                + " retrying in {2} ms", new Object[] {unrouted.size(), why, delay});
    }

    /** The connection of a shard ended: its rooms are routed again from a fresh view of the slots. */
    private void ended(Shard shard, String why) {
        if (shards.get(shard.node) == shard) {
            shards.remove(shard.node);
        }
        if (!running) {
            return;
        }
        int lost = 0;
        for (Room room : shard.routed) {
            if (rooms.get(room.name) == room && room.route == shard) {
                room.route = null;
                room.subscribedOn = null;
                room.lost = true;
                unrouted.add(room);
                lost++;
            }
        }
        if (lost > 0) {
            LOG.warning("Redis Cluster: the subscription on " + shard.node + " ended (" + why + "); following its "
                    + lost + " room(s) to where their slots are now");
            slotsStale = true;
            nextRouteAttemptMillis = clock.millis();
        }
    }

    /** A room's subscription ended without being asked to: its slot moved to another node. */
    private void slotMoved(Shard shard, Room room) {
        if (rooms.get(room.name) != room || room.route != shard) {
            return; // we asked for it, or it was already routed elsewhere
        }
        LOG.info("Redis Cluster: the slot of room '" + room.name + "' left " + shard.node + "; following it");
        shard.routed.remove(room);
        room.route = null;
        room.lost = true;
        unrouted.add(room);
        slotsStale = true;
        nextRouteAttemptMillis = clock.millis();
    }

    /** The first confirmation came: the SSUBSCRIBEs and SUNSUBSCRIBEs that waited for it go out. */
    private void started(Shard shard) {
        for (Room room : shard.pendingJoin) {
            if (room.route == shard) {
                shard.write(() -> shard.ssubscribe(room.channelBytes));
            }
        }
        shard.pendingJoin.clear();
        for (Room room : shard.pendingLeave) {
            shard.write(() -> shard.sunsubscribe(room.channelBytes));
        }
        shard.pendingLeave.clear();
    }

    /** Re-subscribes one room of the shard as a ping; drops the connection when nothing came back for long. */
    private void watch(Shard shard, long now) {
        if (!shard.started) {
            return;
        }
        long silentMillis = now - shard.lastHeardMillis;
        if (silentMillis > MISSED_PINGS_BEFORE_RECONNECT * pingMillis) {
            LOG.warning("Redis Cluster node " + shard.node + " did not answer for " + silentMillis + " ms; reconnecting");
            shard.connection.close(); // its reader fails, and ended() routes its rooms again
            return;
        }
        for (Room room : shard.routed) {
            if (room.subscribedOn == shard) {
                shard.write(() -> shard.ssubscribe(room.channelBytes));
                return;
            }
        }
    }

    private static void join(Thread thread) {
        try {
            thread.join(STOP_WAIT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.warning("The thread " + thread.getName() + " did not stop within " + STOP_WAIT_MILLIS + " ms");
        }
    }

    /**
     * One connection to a cluster node and the sharded subscriptions on it. Its reader thread
     * runs the subscription loop; the manager writes the commands.
     */
    private final class Shard extends BinaryJedisShardedPubSub {
        final HostAndPort node;
        final Connection connection;
        private Thread reader;
        /** Manager: the rooms whose SSUBSCRIBE was sent here (or waits to be). */
        final Set<Room> routed = new LinkedHashSet<>();
        /** Manager: rooms to subscribe, and to unsubscribe, once the first confirmation came. */
        final List<Room> pendingJoin = new ArrayList<>();
        final List<Room> pendingLeave = new ArrayList<>();
        volatile boolean started;
        volatile long lastHeardMillis = clock.millis();

        /** Connects, on the manager's thread, waiting at most the connect timeout. */
        Shard(HostAndPort node) {
            this.node = node;
            this.connection = new Connection(node, config);
            connection.connect();
        }

        /** Starts the reader, which subscribes the first room (the subscription loop needs one to begin). */
        void start(Room first) {
            this.reader = new Thread(() -> read(first.channelBytes), READER_THREAD + node);
            reader.setDaemon(true);
            reader.start();
        }

        private void read(byte[] firstChannel) {
            String why = "the subscription ended";
            try {
                proceed(connection, firstChannel); // returns when no room is left subscribed here
            } catch (RuntimeException e) {
                why = e.toString();
            } finally {
                connection.close();
                String reason = why;
                events.add(() -> ended(this, reason));
            }
        }

        /** Writes one command; a write that fails closes the connection, and its reader ends it. */
        void write(Runnable command) {
            try {
                command.run();
            } catch (RuntimeException e) {
                connection.close();
            }
        }

        @Override
        public void onSSubscribe(byte[] channel, int count) {
            lastHeardMillis = clock.millis();
            if (!started) {
                started = true;
                events.add(() -> started(this));
            }
            Room room = roomOf(channel);
            if (room != null && room.route == this && room.subscribedOn != this) {
                room.subscribedOn = this;
                // Ahead of this subscription's first message: what was published before it is caught up.
                delivery.roomSubscribed(room.name);
                room.firstSubscribed.complete(null);
            }
        }

        @Override
        public void onSUnsubscribe(byte[] channel, int count) {
            lastHeardMillis = clock.millis();
            Room room = roomOf(channel);
            if (room != null && room.subscribedOn == this) {
                room.subscribedOn = null;
                events.add(() -> slotMoved(this, room));
            }
        }

        @Override
        public void onSMessage(byte[] channel, byte[] payload) {
            lastHeardMillis = clock.millis();
            delivery.offer(payload);
        }

        private Room roomOf(byte[] channel) {
            String name = new String(channel, StandardCharsets.UTF_8);
            int open = name.lastIndexOf('{');
            return open < 0 || !name.endsWith("}") ? null : rooms.get(name.substring(open + 1, name.length() - 1));
        }
    }
}
