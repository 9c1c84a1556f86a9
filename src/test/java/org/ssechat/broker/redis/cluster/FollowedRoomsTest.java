package org.ssechat.broker.redis.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class FollowedRoomsTest {

    @Test
    void aRoomThatEmptiesAndFillsAgainBeforeTheManagerLooksEndsFollowed() {
        FollowedRooms rooms = new FollowedRooms();
        rooms.follow("r");
        rooms.unfollow("r");
        rooms.follow("r");

        assertEquals(List.of("r"), rooms.drainChanged(), "one look for the three words");
        assertTrue(rooms.contains("r"));
    }

    @Test
    void aRoomThatFillsAndEmptiesBeforeTheManagerLooksEndsNotFollowed() {
        FollowedRooms rooms = new FollowedRooms();
        rooms.follow("r");
        rooms.unfollow("r");

        assertEquals(List.of("r"), rooms.drainChanged());
        assertFalse(rooms.contains("r"));
    }

    @Test
    void eachWordWakesTheManagerAndARoomChangedAfterALookIsLookedAtAgain() {
        FollowedRooms rooms = new FollowedRooms();
        AtomicInteger wakeUps = new AtomicInteger();
        rooms.onChange(wakeUps::incrementAndGet);
        rooms.follow("a");
        rooms.follow("b");
        assertEquals(2, wakeUps.get());
        assertEquals(2, rooms.drainChanged().size());
        assertEquals(List.of(), rooms.drainChanged(), "nothing changed since");

        rooms.unfollow("a");
        assertEquals(List.of("a"), rooms.drainChanged());
        assertEquals(3, wakeUps.get());
    }
}
