package org.ssechat.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.ssechat.sse.container.FrameSink;
import org.ssechat.sse.container.PeerWatch;
import org.ssechat.testing.FakeOutput;
import org.ssechat.testing.SseParser;

/**
 * Events that queued up go to each stream in one write, encoded once, and keep every promise a
 * single event keeps: the order, the ids, the hand-over from a replay, the byte bound.
 */
class EventBatchTest {

    private static final PeerWatch.Factory UNWATCHED = (async, onReadError) -> PeerWatch.NONE;

    private final FakeOutput out = new FakeOutput();
    private final AsyncContext async = mock(AsyncContext.class);
    private final AtomicInteger closes = new AtomicInteger();
    private final AtomicInteger slow = new AtomicInteger();
    private final List<Integer> flushed = new ArrayList<>();
    private final AtomicInteger writes = new AtomicInteger();
    private final StreamStats stats = new StreamStats() {
        @Override
        public void framesWritten(int frames) {
        }

        @Override
        public void messagesFlushed(int messages) {
            flushed.add(messages);
        }

        @Override
        public void slowClientDisconnected() {
            slow.incrementAndGet();
        }
    };

    @BeforeEach
    void wireResponse() {
        ServletResponse response = mock(ServletResponse.class);
        try {
            when(response.getOutputStream()).thenReturn(out);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        when(async.getResponse()).thenReturn(response);
        out.onWrite(writes::incrementAndGet);
    }

    private SseClient stream(long maxQueuedBytes, String... rooms) throws Exception {
        SseClient client = new SseClient(async, List.of(rooms), maxQueuedBytes, c -> closes.incrementAndGet(), stats,
                Runnable::run, FrameSink.ARRAY, UNWATCHED);
        client.start();
        return client;
    }

    private static byte[] event(String id, String data) {
        return SseEvent.builder().id(id).event("message").data(data).encode();
    }

    private static EventId id(long millis) {
        return new EventId(millis, 0);
    }

    /** A batch of messages numbered from..to in one room, each with the id millis-0. */
    private static EventBatch.Builder messages(EventBatch.Builder batch, String room, int from, int to) {
        for (int i = from; i <= to; i++) {
            batch.add(room, id(i), event(i + "-0", room + i));
        }
        return batch;
    }

    private long passes;

    private void sendAll(SseClient client, EventBatch batch) {
        passes++;
        for (int run = 0; run < batch.runs().length; run++) {
            client.sendBatch(batch, run, passes);
        }
    }

    private List<String> received() {
        return SseParser.parse(out.text()).events().stream().map(SseParser.Event::data).toList();
    }

    @Test
    void eachRoomsEventsAreEncodedOnceAsOneArrayInTheirOrderAndABatchOfOneIsItsFrame() {
        byte[] a1 = event("1-0", "a1");
        byte[] b1 = event("1-1", "b1");
        byte[] a2 = event("2-0", "a2");
        EventBatch batch = EventBatch.builder().add("a", id(1), a1).add("b", new EventId(1, 1), b1)
                .add("a", id(2), a2).build();
        assertEquals(3, batch.size());
        assertEquals(2, batch.runs().length, "one run a room, in the order of its first event");
        assertEquals("a", batch.runs()[0].room());
        assertEquals(new String(a1, StandardCharsets.UTF_8) + new String(a2, StandardCharsets.UTF_8),
                new String(batch.runs()[0].whole(), StandardCharsets.UTF_8));
        assertSame(b1, batch.runs()[1].whole(), "a room's one event is its frame as it is: no copy");
        assertEquals(id(2), batch.runs()[0].lastId());
        assertEquals(a1.length + b1.length + a2.length, batch.bytes());
    }

    @Test
    void aOneRoomStreamGetsAllOfItsRoomsEventsInOneWriteAndItsCursorMovesToTheLast() throws Exception {
        SseClient client = stream(1 << 20, "a");
        out.becomeReady();
        EventBatch batch = messages(EventBatch.builder(), "a", 1, 3).add("b", id(9), event("9-0", "b9")).build();
        int before = writes.get();
        sendAll(client, batch);
        assertEquals(List.of("a1", "a2", "a3"), received(), "its room's events, in order; not the other room's");
        assertEquals(1, writes.get() - before, "one write");
        assertEquals(List.of(3), flushed, "one flush, counted as three messages");
        assertEquals(id(3), client.cursor("a"));
    }

    @Test
    void aStreamThatHasPartOfABatchGetsTheRestOnlyInOrder() throws Exception {
        SseClient client = stream(1 << 20, "a");
        out.becomeReady();
        client.sendEvent("a", id(2), EventFrame.withId(event("2-0", "a2")));
        sendAll(client, messages(EventBatch.builder(), "a", 1, 4).build());
        assertEquals(List.of("a2", "a3", "a4"), received(), "1 and 2 it had: nothing twice, nothing out of order");
        assertEquals(List.of(1, 2), flushed, "the rest in one burst");
        assertEquals(id(4), client.cursor("a"));
    }

    @Test
    void aReplayThatOverlapsABatchHeldMeanwhileLeavesNoGapAndNoRepeat() throws Exception {
        SseClient client = stream(1 << 20, "a");
        client.holdLiveEvents();
        out.becomeReady();
        // Live batches arrive while the replay reads the history: held.
        sendAll(client, messages(EventBatch.builder(), "a", 3, 5).build());
        sendAll(client, messages(EventBatch.builder(), "a", 6, 7).build());
        assertEquals(List.of(), received(), "nothing live before the replay");
        // The replay read the history up to 4: 3 and 4 are in both.
        for (int i = 1; i <= 4; i++) {
            client.replay("a", id(i), EventFrame.withId(event(i + "-0", "a" + i)));
        }
        client.releaseHeldEvents();
        assertEquals(List.of("a1", "a2", "a3", "a4", "a5", "a6", "a7"), received());
        sendAll(client, messages(EventBatch.builder(), "a", 8, 9).build());
        assertEquals(List.of("a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9"), received(), "and live again");
    }

    @Test
    void aManyRoomStreamGetsItsEventsOfABatchInOneBurstEachAfterItsPositionAndOnlyOnce() throws Exception {
        SseClient client = stream(1 << 20, "a", "b");
        out.becomeReady();
        EventBatch batch = EventBatch.builder().add("a", id(1), event("1-0", "a1")).add("c", id(2), event("2-0", "c2"))
                .add("b", id(3), event("3-0", "b3")).add("a", id(4), event("4-0", "a4")).build();
        sendAll(client, batch); // met in the runs of a and b (and c, not its room): sent once
        assertEquals("id: a:1-0\nevent: message\ndata: a1\n\n"
                + "id: a:1-0,b:3-0\nevent: message\ndata: b3\n\n"
                + "id: a:4-0,b:3-0\nevent: message\ndata: a4\n\n", out.text());
        assertEquals(List.of(3), flushed, "one burst, one flush, three messages");
        assertEquals(id(4), client.cursor("a"));
        assertEquals(id(3), client.cursor("b"));
    }

    @Test
    void aManyRoomStreamMetFirstInALaterRunStillGetsItsEarlierRoomsEvents() throws Exception {
        SseClient client = stream(1 << 20, "a", "b");
        out.becomeReady();
        EventBatch batch = EventBatch.builder().add("a", id(1), event("1-0", "a1")).add("b", id(2), event("2-0", "b2"))
                .build();
        client.sendBatch(batch, 1, 1); // it joined room a just after a's run went by
        assertEquals(List.of("a1", "b2"), received());
        client.sendBatch(batch, 0, 1);
        assertEquals(List.of("a1", "b2"), received(), "not twice");
    }

    @Test
    void batchesBehindAFullSocketGoOutInOneBurstAndCountAgainstTheBoundByTheirBytes() throws Exception {
        EventBatch first = messages(EventBatch.builder(), "a", 1, 3).build();
        EventBatch second = messages(EventBatch.builder(), "a", 4, 6).build();
        SseClient client = stream(first.bytes() + second.bytes(), "a");
        out.becomeReady();
        out.blockWrites(); // the socket is full
        sendAll(client, first);
        sendAll(client, second);
        assertTrue(client.isOpen(), "the two batches fill the bound exactly");
        out.becomeReady();
        assertEquals(List.of("a1", "a2", "a3", "a4", "a5", "a6"), received());
        assertEquals(List.of(6), flushed, "what waited went out in one burst, one flush");

        out.blockWrites();
        sendAll(client, messages(EventBatch.builder(), "a", 7, 9).build());
        assertTrue(client.isOpen());
        sendAll(client, messages(EventBatch.builder(), "a", 10, 14).build());
        assertFalse(client.isOpen(), "a batch that does not fit in what is left overflows: the slow client is cut off");
        assertEquals(1, slow.get());
        assertEquals(1, closes.get());
    }

    @Test
    void aManyRoomStreamsWriteOfABigBatchIsCutEvery64KiBOfItsOwnBytes() throws Exception {
        SseClient client = stream(1 << 24, "a", "b");
        out.becomeReady();
        String text = "x".repeat(1000);
        EventBatch.Builder builder = EventBatch.builder();
        for (int i = 1; i <= 200; i++) {
            builder.add(i % 2 == 0 ? "a" : "b", id(i), event(i + "-0", text));
        }
        sendAll(client, builder.build());
        assertEquals(200, received().size(), "every event, once");
        assertTrue(flushed.size() >= 3, "about 200 kB in writes of 64 KiB or so: " + flushed);
        assertEquals(200, flushed.stream().mapToInt(Integer::intValue).sum());
        assertEquals(id(200), client.cursor("a"));
        assertEquals(id(199), client.cursor("b"));
    }

    @Test
    void aBatchWhoseIdsDoNotIncreaseIsCheckedEventByEvent() throws Exception {
        SseClient client = stream(1 << 20, "a");
        out.becomeReady();
        EventBatch batch = EventBatch.builder().add("a", id(2), event("2-0", "a2")).add("a", id(1), event("1-0", "a1"))
                .add("a", null, SseEvent.builder().event("message").data("x").encode()).build();
        sendAll(client, batch);
        assertEquals(List.of("a2", "x"), received(), "an older id after a newer one is a repeat; an event without an id always goes");
        assertFalse(batch.runs()[0].allNewerThan(null), "checked one by one");
    }
}
