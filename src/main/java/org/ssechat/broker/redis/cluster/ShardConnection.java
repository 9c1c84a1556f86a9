package org.ssechat.broker.redis.cluster;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.ssechat.broker.redis.DeliveryQueue;
import redis.clients.jedis.BinaryJedisShardedPubSub;
import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.Protocol;

/**
 * One connection to a primary and the sharded subscriptions on it. Its reader thread runs the
 * subscription loop and only hands on what arrives: messages, and the catch-up a confirmation
 * calls for, to the delivery queue; everything else to the manager ({@link Events}). The
 * manager alone writes the commands. A connection is closed, not unsubscribed, when its last
 * room leaves: the subscription loop would end under a room being added.
 */
final class ShardConnection extends BinaryJedisShardedPubSub {

    static final String READER_THREAD = "sse-chat-redis-shard-";

    /** What a reader tells the manager. Called on the reader's thread: each only queues its news. */
    interface Events {
        /** The connection's first confirmation came: the commands that waited for it may go. */
        void started(ShardConnection shard);

        /** A room's subscription was confirmed here. */
        void confirmed(ShardConnection shard, RoomSubscription room);

        /** A room's subscription ended without being asked to: its slot moved to another node. */
        void slotMoved(ShardConnection shard, RoomSubscription room);

        /** The subscription loop ended (the connection failed or was closed). */
        void ended(ShardConnection shard, String why);
    }

    final HostAndPort node;
    private final OneShotConnection connection;
    private final Clock clock;
    private final SubscribedRooms rooms;
    private final DeliveryQueue delivery;
    private final Events events;
    /** Where it is known while open and while its reader runs, so a stop can close it and wait. */
    private final OpenConnections open;
    private volatile Thread reader;
    /** Manager: the rooms whose SSUBSCRIBE was sent here (or waits to be). */
    final Set<RoomSubscription> routed = new LinkedHashSet<>();
    /** Manager: rooms to subscribe, and to unsubscribe, once the first confirmation came. */
    private final List<RoomSubscription> pendingJoin = new ArrayList<>();
    private final List<RoomSubscription> pendingLeave = new ArrayList<>();
    private volatile boolean started;
    /** When the first confirmation came. */
    private volatile long startedMillis;
    private volatile long lastHeardMillis;

    /** Connects, on the manager's thread, waiting at most the connect timeout. */
    ShardConnection(HostAndPort node, JedisClientConfig config, Clock clock, SubscribedRooms rooms,
            DeliveryQueue delivery, Events events, OpenConnections open) {
        this.node = node;
        this.clock = clock;
        this.rooms = rooms;
        this.delivery = delivery;
        this.events = events;
        this.open = open;
        this.lastHeardMillis = clock.millis();
        this.connection = new OneShotConnection(node, config);
        open.opened(this);
    }

    /** Whether the node is a primary: a replica would take the subscription and never hear of a move. */
    boolean isPrimary() {
        Object reply = connection.executeCommand(new CommandArguments(Protocol.Command.ROLE));
        Object role = reply instanceof List<?> list && !list.isEmpty() ? list.get(0) : null;
        return role instanceof byte[] bytes && "master".equals(new String(bytes, StandardCharsets.UTF_8));
    }

    /**
     * Manager: the room goes to this connection. It is routed before its SSUBSCRIBE goes (the
     * confirmation may come back at once); the first room starts the reader, which subscribes it
     * (the subscription loop needs one to begin); later ones wait for the first confirmation.
     */
    void join(RoomSubscription room) {
        room.route = this;
        routed.add(room);
        if (reader == null) {
            Thread thread = new Thread(() -> read(room.channel), READER_THREAD + node);
            thread.setDaemon(true);
            reader = thread;
            open.readerStarted(thread);
            thread.start();
        } else if (started) {
            write(() -> ssubscribe(room.channel));
        } else {
            pendingJoin.add(room);
        }
    }

    /**
     * Manager: a room leaves this connection.
     *
     * @return whether it was the last: then the connection is to be closed, not unsubscribed
     */
    boolean leave(RoomSubscription room) {
        routed.remove(room);
        if (routed.isEmpty()) {
            return true;
        }
        if (started) {
            write(() -> sunsubscribe(room.channel));
        } else {
            pendingLeave.add(room); // its SSUBSCRIBE is on the way: undone once confirmed
        }
        return false;
    }

    /** Manager: the first confirmation came; the SSUBSCRIBEs and SUNSUBSCRIBEs that waited for it go out. */
    void sendPending() {
        for (RoomSubscription room : pendingLeave) {
            RoomSubscription current = rooms.get(room.name);
            if (current == null || current.route != this) { // else it came back here: keep the subscription
                write(() -> sunsubscribe(room.channel));
            }
        }
        pendingLeave.clear();
        for (RoomSubscription room : pendingJoin) {
            if (room.route == this) {
                write(() -> ssubscribe(room.channel));
            }
        }
        pendingJoin.clear();
    }

    /** Manager: re-subscribes one confirmed room, as a ping Redis answers with a confirmation. */
    void ping() {
        for (RoomSubscription room : routed) {
            if (room.subscribedOn == this) {
                write(() -> ssubscribe(room.channel));
                return;
            }
        }
    }

    boolean isStarted() {
        return started;
    }

    long startedMillis() {
        return startedMillis;
    }

    long lastHeardMillis() {
        return lastHeardMillis;
    }

    /** Writes one command; a write that fails closes the connection, and its reader ends it. */
    private void write(Runnable command) {
        if (connection.isClosed()) {
            return;
        }
        try {
            command.run();
        } catch (RuntimeException e) {
            close();
        }
    }

    /** Closes the socket: the reader's loop fails, and the manager hears that it ended. */
    void close() {
        connection.close();
        open.closed(this);
    }

    private void read(byte[] firstChannel) {
        String why = "the subscription ended";
        try {
            proceed(connection, firstChannel); // returns when no room is left subscribed here
        } catch (RuntimeException e) {
            why = e.toString();
        } finally {
            close();
            events.ended(this, why);
            open.readerEnded(Thread.currentThread());
        }
    }

    @Override
    public void onSSubscribe(byte[] channel, int count) {
        lastHeardMillis = clock.millis();
        if (!started) {
            startedMillis = lastHeardMillis;
            started = true;
            events.started(this);
        }
        RoomSubscription room = rooms.ofChannel(channel);
        if (room != null && room.route == this && room.subscribedOn != this) {
            room.subscribedOn = this;
            // Ahead of this subscription's first message: what was published before it is caught up.
            delivery.roomSubscribed(room.name);
            room.firstSubscribed.complete(null);
            events.confirmed(this, room);
        }
    }

    @Override
    public void onSUnsubscribe(byte[] channel, int count) {
        lastHeardMillis = clock.millis();
        RoomSubscription room = rooms.ofChannel(channel);
        if (room != null && room.subscribedOn == this) {
            room.subscribedOn = null;
            events.slotMoved(this, room);
        }
    }

    @Override
    public void onSMessage(byte[] channel, byte[] payload) {
        lastHeardMillis = clock.millis();
        delivery.offer(payload);
    }

    @Override
    public String toString() {
        return node.toString();
    }
}
