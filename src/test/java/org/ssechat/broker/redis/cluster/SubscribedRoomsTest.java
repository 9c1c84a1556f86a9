package org.ssechat.broker.redis.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SubscribedRoomsTest {

    private final SubscribedRooms rooms = new SubscribedRooms(room -> "chat:{" + room + "}",
            Clock.fixed(Instant.ofEpochMilli(5000), ZoneOffset.UTC));

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aRoomIsFoundByItsShardChannel() {
        RoomSubscription room = rooms.getOrAdd("lobby");
        assertEquals("chat:{lobby}", new String(room.channel, StandardCharsets.UTF_8));
        assertEquals(5000, room.waitingSinceMillis, "it waits for its subscription from the start");

        assertSame(room, rooms.ofChannel(bytes("chat:{lobby}")));
        assertSame(room, rooms.ofChannel(bytes("x{y}:{lobby}")), "the last hash tag names the room");
        assertNull(rooms.ofChannel(bytes("chat:{elsewhere}")), "a room not held here");
        assertNull(rooms.ofChannel(bytes("chat")), "no hash tag");
    }

    @Test
    void aRoomLeftAndAddedAgainIsANewOneAndTheOldIsNoLongerCurrent() {
        RoomSubscription first = rooms.getOrAdd("r");
        assertSame(first, rooms.getOrAdd("r"));
        rooms.remove(first);
        RoomSubscription second = rooms.getOrAdd("r");

        assertFalse(rooms.isCurrent(first));
        assertTrue(rooms.isCurrent(second));
        rooms.remove(first); // a late removal of the old one leaves the new one
        assertSame(second, rooms.get("r"));
    }

    @Test
    void onlyConfirmedRoomsCountAsSubscribed() {
        rooms.getOrAdd("a");
        RoomSubscription b = rooms.getOrAdd("b");
        assertEquals(0, rooms.subscribed());
        b.subscribedOn = b.route; // null: still waiting
        assertEquals(0, rooms.subscribed());
    }

    @Test
    void aStreamWaitsForItsRoomsFirstConfirmationAndNoLongerThanItsTimeout() throws Exception {
        RoomSubscription room = rooms.getOrAdd("r");
        assertFalse(SubscribedRooms.awaitFirst(room, 50), "no confirmation: it reads anyway after the timeout");

        CompletableFuture<Boolean> waiting = CompletableFuture.supplyAsync(() -> SubscribedRooms.awaitFirst(room, 10_000));
        room.firstSubscribed.complete(null);
        assertTrue(waiting.get(5, TimeUnit.SECONDS));
        assertTrue(SubscribedRooms.awaitFirst(room, 0), "once confirmed, at once");
    }

    @Test
    void aRoomThatLosesItsSubscriptionWaitsFromThenAndIsRoutedAgain() {
        RoomSubscription room = rooms.getOrAdd("r");
        room.lose(true, 9000);
        assertEquals(9000, room.waitingSinceMillis);
        assertTrue(room.lost);
        assertNull(room.route);

        room.lose(false, 12_000);
        assertEquals(9000, room.waitingSinceMillis, "one whose subscription keeps failing waits on since it lost it");
    }
}
