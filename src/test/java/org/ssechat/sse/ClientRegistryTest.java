package org.ssechat.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import org.junit.jupiter.api.Test;

class ClientRegistryTest {

    private static SseClient clientIn(String room) {
        SseClient client = mock(SseClient.class);
        when(client.room()).thenReturn(room);
        when(client.isOpen()).thenReturn(true);
        when(client.send(org.mockito.ArgumentMatchers.any())).thenReturn(true);
        return client;
    }

    @Test
    void broadcastReachesTheRoomOnly() {
        ClientRegistry registry = new ClientRegistry(10);
        SseClient a1 = clientIn("a");
        SseClient a2 = clientIn("a");
        SseClient b = clientIn("b");
        registry.add(a1);
        registry.add(a2);
        registry.add(b);
        byte[] frame = {1};

        assertEquals(2, registry.broadcast("a", frame));
        verify(a1).send(frame);
        verify(a2).send(frame);
        verify(b, never()).send(frame);
        assertEquals(0, registry.broadcast("nobody-here", frame));
    }

    @Test
    void removingCountsOnceAndEmptyRoomsDisappear() {
        ClientRegistry registry = new ClientRegistry(10);
        SseClient a = clientIn("a");
        registry.add(a);
        assertEquals(1, registry.size());
        assertEquals(1, registry.roomCount());
        registry.remove(a);
        registry.remove(a);
        assertEquals(0, registry.size());
        assertEquals(0, registry.roomCount());
    }

    @Test
    void aFullRegistryRefusesMore() {
        ClientRegistry registry = new ClientRegistry(1);
        assertTrue(registry.add(clientIn("a")));
        assertTrue(registry.isFull());
        assertFalse(registry.add(clientIn("a")));
        assertEquals(1, registry.size());
    }

    @Test
    void aClientThatClosedBeforeItWasAddedDoesNotStay() {
        ClientRegistry registry = new ClientRegistry(10);
        SseClient closed = clientIn("a");
        when(closed.isOpen()).thenReturn(false);
        registry.add(closed);
        assertEquals(0, registry.size());
    }

    @Test
    void aBigRoomsEventReachesEveryClientOnceWhenTheFanOutIsShared() {
        try (FanOut fanOut = new FanOut(2)) {
            ClientRegistry registry = new ClientRegistry(1000, fanOut);
            java.util.List<SseClient> room = new java.util.ArrayList<>();
            for (int i = 0; i < 600; i++) {
                SseClient client = clientIn("big");
                room.add(client);
                registry.add(client);
            }
            SseClient other = clientIn("small");
            registry.add(other);
            EventId id = new EventId(1, 0);
            byte[] frame = {1};

            registry.broadcastEvent("big", id, frame);
            room.forEach(client -> verify(client).sendEvent(id, frame));
            verify(other, never()).sendEvent(id, frame);
        }
    }
}
