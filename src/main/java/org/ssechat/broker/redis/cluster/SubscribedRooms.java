package org.ssechat.broker.redis.cluster;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * The rooms this node subscribes or is about to, by name. The manager adds and removes them; a
 * reader finds the room of a confirmation here; a stream that opens in a room new to this node
 * waits here for the room's first confirmation (and may add the room first, ahead of the manager).
 */
final class SubscribedRooms {

    private final Map<String, RoomSubscription> rooms = new ConcurrentHashMap<>();
    private final Function<String, String> channelOf;
    private final Clock clock;

    /** @param channelOf a room's shard channel, in the slot of the room's history key */
    SubscribedRooms(Function<String, String> channelOf, Clock clock) {
        this.channelOf = channelOf;
        this.clock = clock;
    }

    RoomSubscription get(String name) {
        return rooms.get(name);
    }

    RoomSubscription getOrAdd(String name) {
        return rooms.computeIfAbsent(name, n -> new RoomSubscription(n, channelOf.apply(n), clock.millis()));
    }

    /** Whether the room is still the one held under its name (not left, nor left and added again). */
    boolean isCurrent(RoomSubscription room) {
        return rooms.get(room.name) == room;
    }

    void remove(RoomSubscription room) {
        rooms.remove(room.name, room);
    }

    List<RoomSubscription> all() {
        return new ArrayList<>(rooms.values());
    }

    /** Rooms subscribed now. */
    int subscribed() {
        return (int) rooms.values().stream().filter(RoomSubscription::isSubscribed).count();
    }

    /** The room of a shard channel {@code <channel>:{<room>}}, or null for a room not held here. */
    RoomSubscription ofChannel(byte[] channel) {
        String name = new String(channel, StandardCharsets.UTF_8);
        int open = name.lastIndexOf('{');
        return open < 0 || !name.endsWith("}") ? null : rooms.get(name.substring(open + 1, name.length() - 1));
    }

    /**
     * Waits, at most {@code timeoutMillis}, for a room's first confirmation.
     *
     * @return whether it came
     */
    static boolean awaitFirst(RoomSubscription room, long timeoutMillis) {
        try {
            room.firstSubscribed.get(timeoutMillis, TimeUnit.MILLISECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // not in time
        }
        return false;
    }
}
