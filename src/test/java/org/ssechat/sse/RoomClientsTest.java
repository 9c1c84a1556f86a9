package org.ssechat.sse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.Mockito.mock;

import org.junit.jupiter.api.Test;

class RoomClientsTest {

    /** A client: it joins its room as it opens (see SseStreamOpener). */
    private static SseClient opened() {
        return mock(SseClient.class);
    }

    @Test
    void aRoomThatDidNotChangeHandsOutTheSameOrderAgain() {
        RoomClients room = new RoomClients();
        SseClient older = opened();
        SseClient newer = opened();
        room.add(older);
        room.add(newer);

        SseClient[] first = room.newestFirst();
        assertArrayEquals(new SseClient[] {newer, older}, first);
        assertSame(first, room.newestFirst(), "no copy and no sort for a message to an unchanged room");
    }

    @Test
    void aClientThatJoinsAgainKeepsItsPlace() {
        RoomClients room = new RoomClients();
        SseClient older = opened();
        SseClient newer = opened();
        room.add(older);
        room.add(newer);
        room.add(older);
        assertArrayEquals(new SseClient[] {newer, older}, room.newestFirst());
    }

    @Test
    void everyChangeIsInTheNextOrder() {
        RoomClients room = new RoomClients();
        SseClient a = opened();
        SseClient b = opened();
        room.add(a);
        assertArrayEquals(new SseClient[] {a}, room.newestFirst());

        room.add(b);
        assertArrayEquals(new SseClient[] {b, a}, room.newestFirst());
        room.remove(b);
        assertArrayEquals(new SseClient[] {a}, room.newestFirst());
        room.remove(a);
        assertArrayEquals(new SseClient[0], room.newestFirst());
        assertTrue(room.isEmpty());
    }
}
