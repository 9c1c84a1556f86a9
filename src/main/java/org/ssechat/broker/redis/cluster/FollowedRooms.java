package org.ssechat.broker.redis.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The rooms this node follows, as the node tells ({@link #follow}, {@link #unfollow}): what the
 * sharded subscriptions are to become. Each word also marks the room changed and wakes whoever
 * brings the subscriptions in line, which then reads this set: so a room that empties and fills
 * again before it looks ends subscribed, as the set says. Never blocks.
 */
final class FollowedRooms {

    private final Set<String> followed = ConcurrentHashMap.newKeySet();
    /** Rooms to look at again: bounded by the rooms that had streams here lately. */
    private final Set<String> changed = ConcurrentHashMap.newKeySet();
    private volatile Runnable onChange = () -> { };

    void follow(String room) {
        followed.add(room);
        changed(room);
    }

    void unfollow(String room) {
        followed.remove(room);
        changed(room);
    }

    boolean contains(String room) {
        return followed.contains(room);
    }

    /** Marks a room to be looked at again, and wakes whoever looks. */
    void changed(String room) {
        changed.add(room);
        onChange.run();
    }

    /** Whom to wake when a room changes; it must not block. */
    void onChange(Runnable wakeUp) {
        this.onChange = wakeUp;
    }

    /** The rooms marked since the last call; each is marked again if it changes after this. */
    List<String> drainChanged() {
        List<String> names = new ArrayList<>(changed);
        names.forEach(changed::remove);
        return names;
    }
}
