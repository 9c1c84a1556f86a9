package org.ssechat.broker.redis.cluster;

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
import org.ssechat.broker.redis.DeliveryQueue;
import redis.clients.jedis.BinaryJedisShardedPubSub;
import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.Connection;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.providers.ClusterConnectionProvider;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * This node's sharded subscriptions on a Redis Cluster: one {@code SSUBSCRIBE} per room with
 * streams here, on a connection to the primary that owns the room's slot, so a node receives
 * only the rooms it serves. A room is subscribed when it gets its first stream here and left
 * {@link #LINGER_MILLIS} after its last one ended (a client that reconnects keeps it).
 *
 * <p>A room whose subscription ends without being asked to (its slot moved: Redis sends
 * {@code sunsubscribe}) or whose connection fails (its primary died and a replica takes over)
 * is routed again from a fresh view of the slots, retried with backoff per node, and caught up
 * from its history once it is subscribed again: {@link DeliveryQueue#roomSubscribed} runs ahead
 * of the new subscription's messages. A node that takes the connection and then refuses the
 * {@code SSUBSCRIBE} (an ACL without it) fails like one that cannot be reached ({@link NodeRetries}).
 *
 * <p>One manager thread decides everything and is the only one that writes to the connections.
 * Each connection has a reader thread that only hands what arrives to the delivery queue and
 * tells the manager. A connection is closed, not unsubscribed, when its last room leaves (the
 * subscription loop would end under a room being added), and it never reconnects by itself: a
 * new one is made, checked to be a primary. A sharded subscription cannot be pinged, so the
 * watchdog re-subscribes one of a connection's rooms (Redis confirms it again) and drops a
 * connection that stays silent for {@link #MISSED_PINGS_BEFORE_RECONNECT} periods.
 */
final class ShardSubscriptions {

    static final String MANAGER_THREAD = "sse-chat-redis-shards";
    static final String READER_THREAD = "sse-chat-redis-shard-";
    /** How long a room stays subscribed after its last stream here ended. */
    static final long LINGER_MILLIS = 2000;
    /** A room with streams that is not subscribed for this long makes the broker unhealthy. */
    static final long UNSUBSCRIBED_GRACE_MILLIS = 3000;
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

    /** The rooms this node subscribes or is about to: written by the manager (and {@link #awaitSubscribed}). */
    private final Map<String, Room> rooms = new ConcurrentHashMap<>();
    /** Rooms whose state may have changed: bounded by the rooms that had streams here lately. */
    private final Set<String> changed = ConcurrentHashMap.newKeySet();
    /** What the reader threads tell the manager: a few items per room and connection at most. */
    private final LinkedBlockingQueue<Runnable> events = new LinkedBlockingQueue<>();
    /** Every connection not yet closed, for {@link #stop()}: the manager may be busy when it runs. */
    private final Set<Shard> open = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean wakeUpPending = new AtomicBoolean();
    private final AtomicLong moved = new AtomicLong();
    private volatile boolean running = true;
    private volatile boolean healthy = true;

    // The manager's own state.
    private final Map<HostAndPort, Shard> shards = new HashMap<>();
    private final Set<Room> unrouted = new LinkedHashSet<>();
    /** Nodes whose subscriptions failed, and when to try each again. */
    private final NodeRetries retries = new NodeRetries();
    private boolean slotsStale;
    /** Manager: why the last attempt to read the slots or to subscribe failed, for the log. */
    private String lastFailure = "none";
    private long nextRenewMillis;
    private long nextWatchMillis;

    /** One room's subscription. */
    private static final class Room {
        final String name;
        final byte[] channel;
        /** Where its SSUBSCRIBE was sent: written by the manager, read by the readers. */
        volatile Shard route;
        /** Where it was confirmed: written by the readers and the manager. */
        volatile Shard subscribedOn;
        /** Manager: when its last stream here ended; -1 while it has streams. */
        long emptySinceMillis = -1;
        /** Manager: since when it waits for a subscription (for health). */
        long waitingSinceMillis;
        /** Manager: it lost its subscription and is routed again (for the log and the metric). */
        boolean lost;
        final CompletableFuture<Void> firstSubscribed = new CompletableFuture<>();

        Room(String name, String channel, long now) {
            this.name = name;
            this.channel = channel.getBytes(StandardCharsets.UTF_8);
            this.waitingSinceMillis = now;
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
     * history read that follows misses nothing between itself and the first live message.
     */
    void awaitSubscribed(String room, long timeoutMillis) {
        Room entry = rooms.computeIfAbsent(room, this::newRoom);
        if (entry.subscribedOn != null) {
            return;
        }
        roomChanged(room);
        try {
            entry.firstSubscribed.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // Not subscribed in time (its node is down): read anyway; the catch-up once it is
            // subscribed covers what comes meanwhile.
        }
    }

    private Room newRoom(String name) {
        return new Room(name, channelOf.apply(name), clock.millis());
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

    /** Rooms that lost their subscription (slot moved, node failed) and were subscribed again, since the start. */
    long moved() {
        return moved.get();
    }

    /** False while a room with streams here has not been subscribed for a while (its node is unreachable). */
    boolean isHealthy() {
        return healthy;
    }

    /** Stops the manager, closes every connection and waits for the threads. */
    void stop() {
        running = false;
        manager.interrupt();
        join(manager);
        for (Shard shard : List.copyOf(open)) {
            shard.close(); // also those the manager opened while it was stopping
        }
        for (Shard shard : List.copyOf(open)) {
            join(shard.reader);
        }
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
            List.copyOf(open).forEach(Shard::close);
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
        for (String name : drainChanged()) {
            look(name, now);
        }
        for (Room room : new ArrayList<>(rooms.values())) {
            if (room.emptySinceMillis >= 0 && now - room.emptySinceMillis >= LINGER_MILLIS) {
                leave(room);
            }
        }
        if (!unrouted.isEmpty()) {
            routeUnrouted(now);
        }
        if (now >= nextWatchMillis) {
            nextWatchMillis = now + pingMillis;
            new ArrayList<>(shards.values()).forEach(shard -> watch(shard, now));
        }
        long waiting = rooms.values().stream().filter(room -> room.subscribedOn == null && room.emptySinceMillis < 0
                && now - room.waitingSinceMillis > UNSUBSCRIBED_GRACE_MILLIS).count();
        if (healthy && waiting > 0) {
            LOG.warning("Redis Cluster: " + waiting + " room(s) with streams here have had no subscription for over "
                    + UNSUBSCRIBED_GRACE_MILLIS + " ms (last failure: " + lastFailure + "); still trying");
        } else if (!healthy && waiting == 0) {
            LOG.info("Redis Cluster: every room with streams here is subscribed again");
        }
        healthy = waiting == 0;
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
                room = rooms.computeIfAbsent(name, this::newRoom);
            }
            if (room.emptySinceMillis >= 0) {
                room.emptySinceMillis = -1;
                room.waitingSinceMillis = now;
            }
            if (room.route == null && !unrouted.contains(room)) {
                unrouted.add(room);
                routeUnrouted(now); // a new room goes at once (unless its node is being retried)
            }
        } else if (room != null && room.emptySinceMillis < 0) {
            room.emptySinceMillis = now;
        }
    }

    /** Unsubscribes a room nobody here listens to any more; the last room of a connection closes it. */
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
            if (shard.routed.isEmpty()) {
                retire(shard);
            } else if (shard.started) {
                shard.write(() -> shard.sunsubscribe(room.channel));
            } else {
                shard.pendingLeave.add(room); // its SSUBSCRIBE is on the way: undo it once confirmed
            }
        }
    }

    /** Closes a connection with no room left (its subscription loop ends with its last room anyway). */
    private void retire(Shard shard) {
        if (shards.get(shard.node) == shard) {
            shards.remove(shard.node);
        }
        shard.close();
    }

    /**
     * Sends each unrouted room's SSUBSCRIBE to the primary that owns its slot now. A node that
     * cannot be reached is retried later with its own backoff; the other nodes' rooms go on.
     */
    private void routeUnrouted(long now) {
        ClusterConnectionProvider slots;
        try {
            slots = topology.get();
            if (slotsStale && now >= nextRenewMillis) {
                // At most twice a second: each renewal may wait for a node that does not answer.
                nextRenewMillis = now + 500;
                slots.renewSlotCache();
                slotsStale = false;
            }
        } catch (RuntimeException e) {
            slotsStale = true;
            lastFailure = "no node answers: " + e.getMessage();
            LOG.log(Level.FINE, "Redis Cluster: no node answers yet", e);
            return; // tried again next step
        }
        for (Room room : new ArrayList<>(unrouted)) {
            if (!running) {
                return;
            }
            if (rooms.get(room.name) != room) {
                unrouted.remove(room);
                continue;
            }
            HostAndPort node = slots.getNode(JedisClusterCRC16.getSlot(room.channel));
            if (node == null) {
                slotsStale = true; // no node owns the slot in this view: read it again next step
                continue;
            }
            Shard shard = shards.get(node);
            boolean fresh = shard == null;
            if (fresh) {
                shard = connect(node, now);
                if (shard == null) {
                    continue;
                }
            }
            // Routed before the SSUBSCRIBE goes: its confirmation may come back at once.
            room.route = shard;
            shard.routed.add(room);
            unrouted.remove(room);
            if (fresh) {
                shard.start(room);
            } else if (shard.started) {
                Shard target = shard;
                shard.write(() -> target.ssubscribe(room.channel));
            } else {
                shard.pendingJoin.add(room);
            }
        }
    }

    /** A new connection to a primary, or null (the node is down, a replica now, or being retried). */
    private Shard connect(HostAndPort node, long now) {
        if (!retries.mayTry(node, now)) {
            return null;
        }
        Shard shard = null;
        try {
            shard = new Shard(node);
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

    /**
     * The connection of a shard ended: its rooms are routed again from a fresh view of the slots,
     * and its node is tried again after its backoff. A connection that ends before its first
     * confirmation (the node refused the SSUBSCRIBE, say) failed like one that could not be made.
     */
    private void ended(Shard shard, String why) {
        boolean current = shards.get(shard.node) == shard;
        if (current) {
            shards.remove(shard.node);
        }
        if (!running) {
            return;
        }
        long now = clock.millis();
        int lost = 0;
        for (Room room : shard.routed) {
            if (rooms.get(room.name) == room && room.route == shard) {
                lose(room, room.subscribedOn != null, now);
                lost++;
            }
        }
        if (shard.started && now - shard.startedMillis >= NodeRetries.HELD_MILLIS) {
            retries.held(shard.node);
        }
        if (!current) {
            return; // closed here: its last room left, or its slots moved away
        }
        if (!shard.started) {
            cannotSubscribe(shard.node, why, now);
            return;
        }
        NodeRetries.Failure failure = nodeFailed(shard.node, why, now);
        int count = lost;
        LOG.log(levelOf(failure), () -> "Redis Cluster: the subscription on " + shard.node + " ended (" + why
                + "); following its " + count + " room(s) to where their slots are now");
    }

    /** Connecting, asking ROLE or the first SSUBSCRIBE failed on a node. */
    private void cannotSubscribe(HostAndPort node, String why, long now) {
        NodeRetries.Failure failure = nodeFailed(node, why, now);
        LOG.log(levelOf(failure), () -> "Redis Cluster: cannot subscribe on " + node + " (" + why
                + "); trying it again within " + failure.stepMillis() + " ms");
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

    /**
     * A room's subscription ended, or its SSUBSCRIBE failed: it is routed again. Its wait (for
     * health) starts now if it was subscribed until now; a room whose subscription keeps failing
     * goes on waiting since it lost the last one, or since its first stream here.
     */
    private void lose(Room room, boolean wasSubscribed, long now) {
        if (wasSubscribed) {
            room.waitingSinceMillis = now;
        }
        room.route = null;
        room.subscribedOn = null;
        room.lost = true;
        unrouted.add(room);
    }

    /** A room's subscription ended without being asked to: its slot moved to another node. */
    private void slotMoved(Shard shard, Room room) {
        if (rooms.get(room.name) != room || room.route != shard) {
            return; // we asked for it, or it was already routed elsewhere
        }
        LOG.info("Redis Cluster: the slot of room '" + room.name + "' left " + shard.node + "; following it");
        shard.routed.remove(room);
        lose(room, true, clock.millis()); // subscribed until now: its reader cleared subscribedOn
        slotsStale = true;
        if (shard.routed.isEmpty()) {
            retire(shard);
        }
    }

    /** A room's subscription was confirmed: for the log and the count of moves. */
    private void confirmed(Shard shard, Room room) {
        if (room.lost && room.subscribedOn == shard) {
            room.lost = false;
            moved.incrementAndGet();
            LOG.info("Redis Cluster: room '" + room.name + "' is subscribed on " + shard.node + " now");
        }
    }

    /** The first confirmation came: the SSUBSCRIBEs and SUNSUBSCRIBEs that waited for it go out. */
    private void started(Shard shard) {
        for (Room room : shard.pendingLeave) {
            Room current = rooms.get(room.name);
            if (current == null || current.route != shard) { // else it came back here: keep the subscription
                shard.write(() -> shard.sunsubscribe(room.channel));
            }
        }
        shard.pendingLeave.clear();
        for (Room room : shard.pendingJoin) {
            if (room.route == shard) {
                shard.write(() -> shard.ssubscribe(room.channel));
            }
        }
        shard.pendingJoin.clear();
    }

    /** Re-subscribes one room of the shard as a ping; drops a connection that answered nothing for long. */
    private void watch(Shard shard, long now) {
        long silentMillis = now - shard.lastHeardMillis;
        if (silentMillis > MISSED_PINGS_BEFORE_RECONNECT * pingMillis) {
            LOG.warning("Redis Cluster node " + shard.node + " did not answer for " + silentMillis + " ms; reconnecting");
            shard.close(); // its reader fails, and ended() routes its rooms again
            return;
        }
        if (!shard.started) {
            return; // its first confirmation is still due: silence is timed from the connect
        }
        for (Room room : shard.routed) {
            if (room.subscribedOn == shard) {
                shard.write(() -> shard.ssubscribe(room.channel));
                return;
            }
        }
    }

    private static void join(Thread thread) {
        if (thread == null) {
            return;
        }
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
     * A connection that never reconnects by itself: Jedis reconnects a closed connection on the
     * next command, without its handshake, and nothing would read or close that socket.
     */
    private static final class OneShotConnection extends Connection {
        private volatile boolean closed;

        OneShotConnection(HostAndPort node, JedisClientConfig config) {
            super(node, config); // connects and runs the handshake
        }

        @Override
        public void connect() {
            if (closed) {
                throw new JedisConnectionException("the connection was closed");
            }
            super.connect();
        }

        @Override
        public void close() {
            closed = true;
            super.close();
        }
    }

    /**
     * One connection to a primary and the sharded subscriptions on it. Its reader thread runs
     * the subscription loop; the manager writes the commands.
     */
    private final class Shard extends BinaryJedisShardedPubSub {
        final HostAndPort node;
        final OneShotConnection connection;
        volatile Thread reader;
        /** Manager: the rooms whose SSUBSCRIBE was sent here (or waits to be). */
        final Set<Room> routed = new LinkedHashSet<>();
        /** Manager: rooms to subscribe, and to unsubscribe, once the first confirmation came. */
        final List<Room> pendingJoin = new ArrayList<>();
        final List<Room> pendingLeave = new ArrayList<>();
        volatile boolean started;
        /** When the first confirmation came. */
        volatile long startedMillis;
        volatile long lastHeardMillis = clock.millis();

        /** Connects, on the manager's thread, waiting at most the connect timeout. */
        Shard(HostAndPort node) {
            this.node = node;
            this.connection = new OneShotConnection(node, config);
            open.add(this);
        }

        /** Whether the node is a primary: a replica would take the subscription and never hear of a move. */
        boolean isPrimary() {
            Object reply = connection.executeCommand(new CommandArguments(Protocol.Command.ROLE));
            Object role = reply instanceof List<?> list && !list.isEmpty() ? list.get(0) : null;
            return role instanceof byte[] bytes && "master".equals(new String(bytes, StandardCharsets.UTF_8));
        }

        /** Starts the reader, which subscribes the first room (the subscription loop needs one to begin). */
        void start(Room first) {
            Thread thread = new Thread(() -> read(first.channel), READER_THREAD + node);
            thread.setDaemon(true);
            reader = thread;
            thread.start();
        }

        private void read(byte[] firstChannel) {
            String why = "the subscription ended";
            try {
                proceed(connection, firstChannel); // returns when no room is left subscribed here
            } catch (RuntimeException e) {
                why = e.toString();
            } finally {
                close();
                String reason = why;
                events.add(() -> ended(this, reason));
            }
        }

        /** Writes one command; a write that fails closes the connection, and its reader ends it. */
        void write(Runnable command) {
            if (connection.closed) {
                return;
            }
            try {
                command.run();
            } catch (RuntimeException e) {
                close();
            }
        }

        void close() {
            connection.close();
            open.remove(this);
        }

        @Override
        public void onSSubscribe(byte[] channel, int count) {
            lastHeardMillis = clock.millis();
            if (!started) {
                startedMillis = lastHeardMillis;
                started = true;
                events.add(() -> started(this));
            }
            Room room = roomOf(channel);
            if (room != null && room.route == this && room.subscribedOn != this) {
                room.subscribedOn = this;
                // Ahead of this subscription's first message: what was published before it is caught up.
                delivery.roomSubscribed(room.name);
                room.firstSubscribed.complete(null);
                events.add(() -> confirmed(this, room));
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
