package org.ssechat.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.ssechat.sse.container.FrameSink;
import org.ssechat.sse.container.PeerWatch;
import org.ssechat.testing.FakeOutput;

class ClientRegistryTest {

    private static SseClient clientIn(String room) {
        SseClient client = mock(SseClient.class);
        when(client.rooms()).thenReturn(List.of(room));
        when(client.isOpen()).thenReturn(true);
        when(client.send(org.mockito.ArgumentMatchers.any())).thenReturn(true);
        return client;
    }

    @Test
    void broadcastReachesTheRoomOnly() {
        ClientRegistry registry = new ClientRegistry();
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
        ClientRegistry registry = new ClientRegistry();
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
    void aClientThatClosedBeforeItWasAddedDoesNotStay() {
        ClientRegistry registry = new ClientRegistry();
        SseClient closed = clientIn("a");
        when(closed.isOpen()).thenReturn(false);
        registry.add(closed);
        assertEquals(0, registry.size());
    }

    @Test
    void aBigRoomsEventReachesEveryClientOnceWhenTheFanOutIsShared() {
        try (FanOut fanOut = new FanOut(2)) {
            ClientRegistry registry = new ClientRegistry(fanOut);
            List<SseClient> room = new ArrayList<>();
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
            room.forEach(client -> verify(client).sendBatch(any(EventBatch.class), eq(0), anyLong()));
            verify(other, never()).sendBatch(any(), anyInt(), anyLong());
        }
    }

    /**
     * Review item 8: one client's failure of any kind (here the NullPointerException Tomcat's
     * output stream throws when the container recycled the response under it) closes that client
     * and nothing else: every other client still gets the frame, and the broadcast returns.
     */
    @Test
    void aClientWhoseWriteThrowsIsClosedAndTheOthersStillGetTheFrame() throws Exception {
        ClientRegistry registry = new ClientRegistry();
        List<FakeOutput> outputs = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            FakeOutput out = new FakeOutput();
            SseClient client = writableClient(registry, out);
            registry.add(client);
            outputs.add(out);
        }
        outputs.get(7).throwOnWrite(new NullPointerException("this.ob is null"));

        registry.broadcastEvent("a", new EventId(1, 0), "frame".getBytes(StandardCharsets.UTF_8));

        for (int i = 0; i < outputs.size(); i++) {
            assertEquals(i == 7 ? "" : "frame", outputs.get(i).text(), "client " + i);
        }
        assertEquals(19, registry.size(), "the failing client is closed and forgotten");
        registry.broadcastEvent("a", new EventId(2, 0), "again".getBytes(StandardCharsets.UTF_8));
        assertEquals("frameagain", outputs.get(0).text());
    }

    /** In a wave of disconnects the old clients are the gone ones: a message reaches the newest first. */
    @Test
    void aMessageReachesTheMostRecentlyConnectedClientsFirst() throws Exception {
        ClientRegistry registry = new ClientRegistry();
        List<String> order = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            int index = i;
            FakeOutput out = new FakeOutput();
            SseClient client = writableClient(registry, out);
            out.onWrite(() -> order.add("client " + index));
            registry.add(client); // as the opener does: a stream joins its room as it opens
        }
        registry.broadcastEvent("a", new EventId(1, 0), "frame".getBytes(StandardCharsets.UTF_8));
        List<String> expected = new ArrayList<>();
        for (int i = 49; i >= 0; i--) {
            expected.add("client " + i);
        }
        assertEquals(expected, order);
    }

    /**
     * Streams of a few rooms open and close at once on many threads: each room's words alternate
     * (opened, emptied, opened...), and at the end the rooms told to be followed are exactly the
     * rooms with clients, even when the last stream of a room leaves as a new one comes in.
     */
    @Test
    void theRoomsToldAreExactlyTheRoomsWithClientsHoweverStreamsRace() throws Exception {
        ClientRegistry registry = new ClientRegistry();
        Map<String, AtomicInteger> told = new ConcurrentHashMap<>();
        List<String> outOfOrder = Collections.synchronizedList(new ArrayList<>());
        registry.onRoomChanges(
                room -> step(told, room, 0, 1, outOfOrder),
                room -> step(told, room, 1, 0, outOfOrder));
        ExecutorService threads = Executors.newFixedThreadPool(8);
        List<Future<?>> runs = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int thread = t;
            runs.add(threads.submit(() -> {
                SseClient mine = clientIn("room-" + thread % 3);
                for (int i = 0; i < 2000; i++) {
                    registry.add(mine);
                    registry.remove(mine);
                }
                if (thread < 2) {
                    registry.add(mine); // these stay: their rooms end followed
                }
            }));
        }
        for (Future<?> run : runs) {
            run.get(30, TimeUnit.SECONDS);
        }
        threads.shutdown();

        assertEquals(List.of(), outOfOrder);
        Set<String> followed = new HashSet<>();
        told.forEach((room, state) -> {
            if (state.get() == 1) {
                followed.add(room);
            }
        });
        assertEquals(registry.rooms(), followed);
        assertEquals(Set.of("room-0", "room-1"), followed);
    }

    private static void step(Map<String, AtomicInteger> told, String room, int from, int to, List<String> outOfOrder) {
        if (!told.computeIfAbsent(room, r -> new AtomicInteger()).compareAndSet(from, to)) {
            outOfOrder.add(room + ": " + (to == 1 ? "opened" : "emptied") + " twice in a row");
        }
    }

    /** A real client of room "a" on a fake socket the container has made writable. */
    private static SseClient writableClient(ClientRegistry registry, FakeOutput out) throws Exception {
        return writableClient(registry, out, List.of("a"));
    }

    private static SseClient writableClient(ClientRegistry registry, FakeOutput out, List<String> rooms)
            throws Exception {
        AsyncContext async = mock(AsyncContext.class);
        ServletResponse response = mock(ServletResponse.class);
        when(response.getOutputStream()).thenReturn(out);
        when(async.getResponse()).thenReturn(response);
        SseClient client = new SseClient(async, rooms, 1 << 20, registry::remove, StreamStats.NONE, Runnable::run,
                FrameSink.ARRAY, (started, onReadError) -> PeerWatch.NONE);
        client.start();
        out.becomeReady();
        return client;
    }

    @Test
    void aStreamOfManyRoomsIsInEachOfThemOnceAndLeavesThemAllTogether() throws Exception {
        ClientRegistry registry = new ClientRegistry();
        List<String> opened = new ArrayList<>();
        List<String> emptied = new ArrayList<>();
        registry.onRoomChanges(opened::add, emptied::add);
        FakeOutput out = new FakeOutput();
        SseClient client = writableClient(registry, out, List.of("a", "b"));
        registry.add(client);
        assertEquals(1, registry.size(), "one stream, whatever its rooms");
        assertEquals(List.of("a", "b"), opened);
        assertEquals(Set.of("a", "b"), registry.rooms());

        registry.broadcastAll(": hb\n\n".getBytes(StandardCharsets.UTF_8));
        assertEquals(": hb\n\n", out.text(), "a heartbeat reaches a stream once, not once a room");
        registry.broadcastEvent("b", new EventId(1, 0), "id: 1-0\ndata: x\n\n".getBytes(StandardCharsets.UTF_8));
        assertTrue(out.text().endsWith("id: b:1-0\ndata: x\n\n"), out.text());

        client.close("gone");
        assertEquals(0, registry.size());
        assertEquals(List.of("a", "b"), emptied);
        assertEquals(Set.of(), registry.rooms());
    }
}
