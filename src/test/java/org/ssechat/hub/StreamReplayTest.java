package org.ssechat.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import com.google.gson.JsonParser;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.ssechat.broker.Broker;
import org.ssechat.broker.BrokerListener;
import org.ssechat.broker.BrokerUnavailableException;
import org.ssechat.broker.HistorySlice;
import org.ssechat.broker.InMemoryBroker;
import org.ssechat.chat.ChatMessage;
import org.ssechat.sse.ClientRegistry;
import org.ssechat.metrics.ChatMetrics;
import org.ssechat.sse.EventId;
import org.ssechat.sse.StreamStats;
import org.ssechat.sse.container.ServletContainer;
import org.ssechat.sse.SseStreamOpener;
import org.ssechat.testing.FakeOutput;
import org.ssechat.testing.SseParser;

/** Resume and history, with the in-process broker and real clients on fake output streams. */
class StreamReplayTest {

    private static final ServletContainer CONTAINER = ServletContainer.of(ServletContainer.Kind.OTHER);

    private static final int HISTORY = 5;
    private final ClientRegistry registry = new ClientRegistry();
    private final InMemoryBroker broker = new InMemoryBroker(HISTORY, 1L << 30, Clock.systemUTC());
    private final ChatMetrics metrics = new ChatMetrics(registry::size, () -> 0);
    private final ChatHub hub = new ChatHub(registry, broker, HISTORY, metrics);
    private final StreamReplay streams = replay(broker, 1 << 20);

    StreamReplayTest() {
        registry.onRoomChanges(broker::subscribe, broker::unsubscribe);
        broker.start(hub);
    }

    private StreamReplay replay(Broker from, long clientBufferBytes) {
        return replay(from, clientBufferBytes, StreamStats.NONE);
    }

    private StreamReplay replay(Broker from, long clientBufferBytes, StreamStats stats) {
        return new StreamReplay(registry, from,
                new SseStreamOpener(3000, clientBufferBytes, stats, Runnable::run, CONTAINER),
                HISTORY, metrics);
    }

    private String publish(String room, String text) {
        return broker.publish(new ChatMessage(null, room, "ann", text, Instant.EPOCH)).id().toString();
    }

    private FakeOutput open(String room, ResumeRequest resume) throws Exception {
        return open(streams, room, resume);
    }

    private static FakeOutput open(StreamReplay streams, String room, ResumeRequest resume) throws Exception {
        return Opened.by(streams, room, resume).out();
    }

    /** A stream opened as a container would: mocked request and async context, a fake socket made writable at once. */
    private record Opened(FakeOutput out, AsyncContext async) {
        static Opened by(StreamReplay streams, String room, ResumeRequest resume) throws Exception {
            return by(streams, List.of(room), resume);
        }

        static Opened by(StreamReplay streams, List<String> rooms, ResumeRequest resume) throws Exception {
            FakeOutput out = new FakeOutput();
            HttpServletRequest req = mock(HttpServletRequest.class);
            HttpServletResponse resp = mock(HttpServletResponse.class);
            AsyncContext async = mock(AsyncContext.class);
            when(req.startAsync()).thenReturn(async);
            when(async.getResponse()).thenReturn(resp);
            when(resp.getOutputStream()).thenReturn(out);
            streams.open(req, resp, rooms, resume, () -> { });
            out.becomeReady();
            return new Opened(out, async);
        }
    }

    private static List<String> texts(FakeOutput out) {
        List<String> texts = new ArrayList<>();
        for (SseParser.Event event : SseParser.parse(out.text()).events()) {
            texts.add(event.event().equals("reset") ? "RESET"
                    : JsonParser.parseString(event.data()).getAsJsonObject().get("text").getAsString());
        }
        return texts;
    }

    @Test
    void aPlainStreamGetsOnlyNewMessages() throws Exception {
        publish("r", "old");
        FakeOutput out = open("r", ResumeRequest.NONE);
        publish("r", "new");
        assertEquals(List.of("new"), texts(out));
    }

    @Test
    void theNewestIdPerRoomIsKeptOnlyForRoomsWithClients() throws Exception {
        for (int i = 0; i < 200; i++) {
            FakeOutput out = open("room" + i, ResumeRequest.NONE);
            publish("room" + i, "hi");
            assertEquals(List.of("hi"), texts(out));
            registry.closeAll("next room"); // the mock context does not call back: close removes it
        }
        assertTrue(hub.trackedRooms() <= 2 * registry.roomCount() + 17, "tracked " + hub.trackedRooms());
    }

    @Test
    void replaysAreCounted() throws Exception {
        open("r", new ResumeRequest(null, 2));
        open("r", ResumeRequest.NONE);
        assertTrue(metrics.text().contains("sse_chat_history_replays_total 1\n"), metrics.text());
    }

    @Test
    void replaysMessagesAfterLastEventIdThenGoesLive() throws Exception {
        publish("r", "a");
        String b = publish("r", "b");
        publish("r", "c");
        publish("other", "x");
        FakeOutput out = open("r", new ResumeRequest(b, 0));
        publish("r", "d");
        assertEquals(List.of("c", "d"), texts(out));
    }

    @Test
    void anIdThatDoesNotParseGetsAResetAndTheWholeHistory() throws Exception {
        publish("r", "a");
        publish("r", "b");
        assertEquals(List.of("RESET", "a", "b"), texts(open("r", new ResumeRequest("garbage", 0))));
    }

    @Test
    void anIdOlderThanTheHistoryGetsAResetAndTheWholeHistory() throws Exception {
        String first = publish("r", "m0");
        for (int i = 1; i < 8; i++) {
            publish("r", "m" + i);
        }
        assertEquals(List.of("RESET", "m3", "m4", "m5", "m6", "m7"), texts(open("r", new ResumeRequest(first, 0))));
    }

    @Test
    void anIdBeyondTheNewestGetsAResetAndThenLiveMessages() throws Exception {
        publish("r", "a");
        FakeOutput out = open("r", new ResumeRequest("99999999999999-0", 0));
        publish("r", "b");
        assertEquals(List.of("RESET", "b"), texts(out), "a future id must not hide live messages");
    }

    @Test
    void anIdFromAnotherRoomActsAsAPointInTime() throws Exception {
        publish("r", "a");
        String other = publish("other", "x");
        publish("r", "b");
        assertEquals(List.of("b"), texts(open("r", new ResumeRequest(other, 0))));
    }

    @Test
    void resumingAnEmptyRoomSaysSo() throws Exception {
        assertEquals(List.of("RESET"), texts(open("new-room", new ResumeRequest("1-0", 0))));
    }

    @Test
    void historyStartsWithTheNewestMessages() throws Exception {
        for (int i = 0; i < 4; i++) {
            publish("r", "m" + i);
        }
        assertEquals(List.of("m2", "m3"), texts(open("r", new ResumeRequest(null, 2))));
        assertEquals(List.of("m0", "m1", "m2", "m3"), texts(open("r", new ResumeRequest(null, HISTORY))));
    }

    @Test
    void aResumeWhileTheHistoryIsUnavailableEndsTheStreamSoTheClientRetries() throws Exception {
        Broker down = new Broker() {
            @Override
            public String name() {
                return "down";
            }

            @Override
            public void start(BrokerListener listener) {
            }

            @Override
            public ChatMessage publish(ChatMessage message) throws BrokerUnavailableException {
                throw new BrokerUnavailableException("down", null);
            }

            @Override
            public void signal(String payload) throws BrokerUnavailableException {
                throw new BrokerUnavailableException("down", null);
            }

            @Override
            public org.ssechat.broker.Published publish(ChatMessage message, org.ssechat.broker.PublishOnce once)
                    throws BrokerUnavailableException {
                throw new BrokerUnavailableException("down", null);
            }

            @Override
            public HistorySlice history(String room, EventId after, int limit) throws BrokerUnavailableException {
                throw new BrokerUnavailableException("down", null);
            }

            @Override
            public HistorySlice historyBefore(String room, EventId before, int limit) throws BrokerUnavailableException {
                throw new BrokerUnavailableException("down", null);
            }

            @Override
            public boolean isHealthy() {
                return false;
            }

            @Override
            public void close() {
            }
        };
        Opened opened = Opened.by(replay(down, 1 << 20), "r", new ResumeRequest("1-0", 0));

        verify(opened.async()).complete();
        assertEquals(0, registry.size());
    }

    @Test
    void aReplayBiggerThanHalfTheBufferGoesOutAPageAtATime() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(publish("paged", "m" + i + " " + "x".repeat(150)));
        }
        // Each frame is about 250 bytes; a 1000-byte buffer takes pages of at most 500 bytes.
        Opened opened = Opened.by(replay(broker, 1000), "paged", new ResumeRequest(ids.get(0), 0));

        List<String> page = texts(opened.out()).stream().map(text -> text.substring(0, 2)).toList();
        assertEquals(List.of("m1"), page, "one page: as much as fits in half the buffer, at least one message");
        verify(opened.async()).complete(); // the stream ends once the page is written: EventSource comes back for more
    }

    /** Fifty clients resume, each a few messages back, while a thread publishes without pause. */
    @Test
    void messagesPublishedDuringReplaysAreNeitherLostNorDoubled() throws Exception {
        InMemoryBroker bigBroker = new InMemoryBroker(100_000, 1L << 30, Clock.systemUTC());
        bigBroker.start(new ChatHub(registry, bigBroker, 100_000, metrics));
        StreamReplay liveStreams = new StreamReplay(registry, bigBroker,
                new SseStreamOpener(3000, 1 << 24, StreamStats.NONE, Runnable::run, CONTAINER), 100_000, metrics);
        List<String> ids = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean publishing = new AtomicBoolean(true);
        Thread publisher = new Thread(() -> {
            for (int i = 0; publishing.get(); i++) {
                ids.add(bigBroker.publish(new ChatMessage(null, "r", "ann", "m" + i, Instant.EPOCH)).id().toString());
            }
        });
        publisher.start();
        List<FakeOutput> outs = new ArrayList<>();
        List<Integer> from = new ArrayList<>();
        while (outs.size() < 50) {
            if (ids.size() > outs.size() * 20 + 1) {
                int index = ids.size() - 1 - (outs.size() % 7);
                from.add(index + 1);
                outs.add(open(liveStreams, "r", new ResumeRequest(ids.get(index), 0)));
            }
            Thread.onSpinWait();
        }
        publishing.set(false);
        publisher.join();
        for (int c = 0; c < outs.size(); c++) {
            List<String> expected = new ArrayList<>();
            for (int i = from.get(c); i < ids.size(); i++) {
                expected.add("m" + i);
            }
            assertEquals(expected, texts(outs.get(c)), "client " + c + " resumed at message " + from.get(c));
        }
    }

    /** Each event as {@code room/text}, a reset as {@code RESET room}. */
    private static List<String> roomTexts(FakeOutput out) {
        List<String> texts = new ArrayList<>();
        for (SseParser.Event event : SseParser.parse(out.text()).events()) {
            var json = JsonParser.parseString(event.data()).getAsJsonObject();
            texts.add(event.event().equals("reset") ? "RESET " + json.get("room").getAsString()
                    : json.get("room").getAsString() + "/" + json.get("text").getAsString());
        }
        return texts;
    }

    @Test
    void aStreamOfManyRoomsCarriesEachRoomsMessagesWithItsPositionInAllAsTheId() throws Exception {
        String a1 = publish("a", "a1");
        FakeOutput out = Opened.by(streams, List.of("a", "b"), ResumeRequest.NONE).out();
        SseParser start = SseParser.parse(out.text());
        assertEquals("a:" + a1 + ",b:0-0", start.lastEventId(), "its position, sent once it has started");
        assertTrue(start.events().isEmpty(), "an id-only event dispatches nothing");
        String b1 = publish("b", "b1");
        String a2 = publish("a", "a2");
        publish("c", "not followed");
        assertEquals(List.of("b/b1", "a/a2"), roomTexts(out));
        List<SseParser.Event> events = SseParser.parse(out.text()).events();
        assertEquals("a:" + a1 + ",b:" + b1, events.get(0).id());
        assertEquals("a:" + a2 + ",b:" + b1, events.get(1).id());
        assertEquals(b1, JsonParser.parseString(events.get(0).data()).getAsJsonObject().get("id").getAsString(),
                "the message's own id stays in its JSON");
    }

    @Test
    void aManyRoomIdResumesEveryRoomFromItsOwnPosition() throws Exception {
        String a1 = publish("a", "a1");
        publish("a", "a2");
        String b1 = publish("b", "b1");
        publish("b", "b2");
        publish("b", "b3");
        FakeOutput out = Opened.by(streams, List.of("a", "b"), new ResumeRequest("a:" + a1 + ",b:" + b1, 0)).out();
        publish("a", "a3");
        assertEquals(List.of("a/a2", "b/b2", "b/b3", "a/a3"), roomTexts(out));
    }

    @Test
    void aRoomTheIdDoesNotNameStartsAsOnANewStream() throws Exception {
        String a1 = publish("a", "a1");
        publish("a", "a2");
        publish("new", "n1");
        publish("new", "n2");
        FakeOutput out = Opened.by(streams, List.of("a", "new"), new ResumeRequest("a:" + a1 + ",gone:1-0", 1)).out();
        assertEquals(List.of("a/a2", "new/n2"), roomTexts(out));
    }

    @Test
    void aRoomBehindItsHistoryGetsItsOwnResetTheOthersResume() throws Exception {
        String a1 = publish("a", "a1");
        publish("a", "a2");
        String b0 = publish("b", "b0");
        for (int i = 1; i <= HISTORY + 1; i++) {
            publish("b", "b" + i);
        }
        FakeOutput out = Opened.by(streams, List.of("a", "b"), new ResumeRequest("a:" + a1 + ",b:" + b0, 0)).out();
        assertEquals(List.of("RESET b", "a/a2", "b/b2", "b/b3", "b/b4", "b/b5", "b/b6"), roomTexts(out));
    }

    @Test
    void aOneRoomIdGivenToAManyRoomStreamIsNotOursInAnyRoom() throws Exception {
        String a1 = publish("a", "a1");
        publish("b", "b1");
        FakeOutput out = Opened.by(streams, List.of("a", "b"), new ResumeRequest(a1, 0)).out();
        assertEquals(List.of("RESET a", "RESET b", "a/a1", "b/b1"), roomTexts(out), "the resets first, then each room");
    }

    @Test
    void aReplayTooBigForOneStreamEndsAfterAPageAndTheNextResumesWhereItStopped() throws Exception {
        StreamReplay small = replay(broker, 1200);
        for (int i = 0; i < HISTORY; i++) {
            publish("a", "a" + i);
            publish("b", "b" + i);
        }
        List<String> seen = new ArrayList<>();
        String lastEventId = "a:0-0,b:0-0";
        for (int page = 0; page < 20 && seen.size() < 2 * HISTORY; page++) {
            FakeOutput out = Opened.by(small, List.of("a", "b"), new ResumeRequest(lastEventId, 0)).out();
            seen.addAll(roomTexts(out));
            lastEventId = SseParser.parse(out.text()).lastEventId();
        }
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < HISTORY; i++) {
            expected.add("a/a" + i);
        }
        for (int i = 0; i < HISTORY; i++) {
            expected.add("b/b" + i);
        }
        assertEquals(expected, seen, "each message once, page after page, in each room's order");
    }

    @Test
    void aRoomStillEmptySinceTheStreamStartedResumesWithoutAReset() throws Exception {
        String a1 = publish("a", "a1");
        FakeOutput out = Opened.by(streams, List.of("a", "quiet"), new ResumeRequest("a:" + a1 + ",quiet:0-0", 0)).out();
        publish("quiet", "at last");
        assertEquals(List.of("quiet/at last"), roomTexts(out), "no reset for a room that had nothing to miss");
        assertTrue(out.text().startsWith("retry: 3000\n\nid: a:" + a1 + ",quiet:0-0\n\n"), out.text());
    }

    @Test
    void aStreamEndedAfterAPageNamesEveryRoomSoTheNextMissesNothingInTheRoomsItNeverGotTo() throws Exception {
        StreamReplay small = replay(broker, 900);
        for (int i = 0; i < HISTORY; i++) {
            publish("big", "big" + i);
        }
        publish("live", "before");
        // Neither room is in the id: each gets its whole history, "big" more than a page.
        FakeOutput first = Opened.by(small, List.of("big", "live"), new ResumeRequest("garbage", 0)).out();
        publish("live", "while the first stream pages");
        String lastEventId = SseParser.parse(first.text()).lastEventId();
        assertTrue(lastEventId.contains("live:"), lastEventId);
        List<String> seen = new ArrayList<>(roomTexts(first));
        for (int page = 0; page < 20 && !seen.contains("live/while the first stream pages"); page++) {
            FakeOutput next = Opened.by(small, List.of("big", "live"), new ResumeRequest(lastEventId, 0)).out();
            seen.addAll(roomTexts(next));
            lastEventId = SseParser.parse(next.text()).lastEventId();
        }
        // The id is no position at all: each room is told so, at once, and gets its whole history.
        List<String> expected = new ArrayList<>(List.of("RESET big", "RESET live"));
        for (int i = 0; i < HISTORY; i++) {
            expected.add("big/big" + i);
        }
        expected.add("live/before");
        expected.add("live/while the first stream pages");
        assertEquals(expected, seen, "each message once, the room the first stream never reached included");
    }

    @Test
    void aPageCountsTheStreamsOwnIdLineSoLongRoomNamesNeverOverflowIt() throws Exception {
        AtomicInteger overflows = new AtomicInteger();
        StreamStats counting = new StreamStats() {
            @Override
            public void framesWritten(int frames) {
            }

            @Override
            public void slowClientDisconnected() {
                overflows.incrementAndGet();
            }
        };
        List<String> rooms = new ArrayList<>();
        for (int r = 0; r < 8; r++) {
            String room = ("room-" + r + "-").repeat(10).substring(0, 64);
            rooms.add(room);
            for (int i = 0; i < HISTORY; i++) {
                publish(room, "m" + i);
            }
        }
        StreamReplay small = replay(broker, 6000, counting);
        String lastEventId = String.join(",", rooms.stream().map(room -> room + ":0-0").toList());
        int seen = 0;
        for (int page = 0; page < 100 && seen < rooms.size() * HISTORY; page++) {
            FakeOutput out = Opened.by(small, rooms, new ResumeRequest(lastEventId, 0)).out();
            seen += roomTexts(out).size();
            lastEventId = SseParser.parse(out.text()).lastEventId();
        }
        assertEquals(rooms.size() * HISTORY, seen);
        assertEquals(0, overflows.get(), "a page stays within half the buffer, ids included");
    }
}
