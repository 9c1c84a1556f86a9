package org.ssechat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.ssechat.testing.ChatHttp;
import org.ssechat.testing.Metrics;
import org.ssechat.testing.RawHttp;
import org.ssechat.testing.SseParser;
import org.ssechat.testing.SseStream;
import org.ssechat.testing.WarServer;

/**
 * Messages that queue up for a stream (while a fan-out runs, or behind its full socket) go out
 * together, and together they keep every promise one at a time kept: each stream gets every
 * message once and in order, a stream cut off in the middle of what was sent together resumes
 * after the last message it fully received, and a replay that meets messages arriving together
 * leaves no gap and no repeat. In both containers; the in-process broker's publishers race.
 */
class BatchingIT {

    private static final Map<String, String> SETTINGS = Map.of("CHAT_RATE_LIMIT_PER_SECOND", "0");
    private static final int PUBLISHERS = 6;

    /** Publishes {@code count} messages to a room from several threads at once; returns their ids, in id order. */
    private static List<String> flood(URI base, String room, int count) throws Exception {
        ExecutorService publishers = Executors.newFixedThreadPool(PUBLISHERS);
        try {
            AtomicInteger next = new AtomicInteger();
            List<Future<List<String>>> each = new ArrayList<>();
            for (int p = 0; p < PUBLISHERS; p++) {
                each.add(publishers.submit(() -> {
                    List<String> ids = new ArrayList<>();
                    for (int n = next.getAndIncrement(); n < count; n = next.getAndIncrement()) {
                        ids.add(ChatHttp.publish(base, room, "ann", "message " + n).get("id").getAsString());
                    }
                    return ids;
                }));
            }
            List<String> ids = new ArrayList<>();
            for (Future<List<String>> ids1 : each) {
                ids.addAll(ids1.get(60, TimeUnit.SECONDS));
            }
            Collections.sort(ids, BatchingIT::byId);
            return ids;
        } finally {
            publishers.shutdownNow();
        }
    }

    /** Ids are "millis-sequence": ordered by both numbers. */
    private static int byId(String a, String b) {
        String[] x = a.split("-");
        String[] y = b.split("-");
        int byMillis = Long.compare(Long.parseLong(x[0]), Long.parseLong(y[0]));
        return byMillis != 0 ? byMillis : Long.compare(Long.parseLong(x[1]), Long.parseLong(y[1]));
    }

    private static List<String> ids(SseStream stream, int count) throws InterruptedException {
        List<String> ids = new ArrayList<>();
        while (ids.size() < count) {
            SseParser.Event event = stream.next();
            assertEquals("message", event.event());
            ids.add(event.id());
        }
        return ids;
    }

    @ParameterizedTest
    @EnumSource(WarServer.Kind.class)
    void everyStreamGetsEveryMessageOnceAndInOrderWhenTheyGoOutTogether(WarServer.Kind kind) throws Exception {
        try (WarServer server = kind.start("/sse-chat", SETTINGS)) {
            URI base = server.base();
            List<SseStream> streams = new ArrayList<>();
            SseStream.openEach(base.resolve("sse?room=busy"), 20, streams);
            // This one stops reading: what reaches it meanwhile waits behind its full socket, and
            // goes out together when it reads again.
            SseStream paused = SseStream.openPaused(base.resolve("sse?room=busy"), Map.of());
            long writes = Metrics.value(base, "sse_chat_messages_per_write_count");
            long events = Metrics.value(base, "sse_chat_messages_per_write_sum");

            List<String> published = flood(base, "busy", 600);

            for (SseStream stream : streams) {
                assertEquals(published, ids(stream, published.size()), "every message once, in order");
            }
            paused.startReading();
            assertEquals(published, ids(paused, published.size()), "the paused stream too, once it read again");
            long moreWrites = Metrics.value(base, "sse_chat_messages_per_write_count") - writes;
            long moreEvents = Metrics.value(base, "sse_chat_messages_per_write_sum") - events;
            assertTrue(moreEvents > moreWrites, "some writes carried several messages: " + moreEvents
                    + " events in " + moreWrites + " writes");
            streams.forEach(SseStream::close);
            paused.close();
        }
    }

    @ParameterizedTest
    @EnumSource(WarServer.Kind.class)
    void aStreamCutInTheMiddleOfWhatWentOutTogetherResumesAfterTheLastMessageItFullyReceived(WarServer.Kind kind)
            throws Exception {
        try (WarServer server = kind.start("/sse-chat", SETTINGS)) {
            URI base = server.base();
            // HTTP/1.0: the body is the event stream itself, so the cut can fall on any byte of it.
            RawHttp raw = RawHttp.connect(base.resolve("sse?room=cut"), null, 4096);
            raw.write(("GET " + base.resolve("sse?room=cut").getRawPath() + "?room=cut HTTP/1.0\r\nHost: localhost\r\n"
                    + "Accept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            assertEquals(200, raw.readHead(10_000).status());
            ByteArrayOutputStream first = new ByteArrayOutputStream();
            raw.readInto(first, 1000, 1 << 20); // the retry line and the first comment: the stream is live

            List<String> published = flood(base, "cut", 300);

            // It reads about half of what waits for it, to a byte inside an event, and is gone.
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            got.write(first.toByteArray());
            raw.readInto(got, 10_000, 150 * 100);
            while (got.toString(StandardCharsets.UTF_8).endsWith("\n\n")) {
                raw.readInto(got, 10_000, 1); // a cut on an event's end would prove nothing
            }
            raw.reset();
            SseParser parser = SseParser.parse(got.toString(StandardCharsets.UTF_8));
            List<String> received = new ArrayList<>(parser.events().stream().map(SseParser.Event::id).toList());
            assertTrue(!received.isEmpty() && received.size() < published.size(),
                    "cut in the middle: " + received.size() + " of " + published.size());
            assertEquals(published.subList(0, received.size()), received, "what it fully received, in order");
            assertEquals(received.get(received.size() - 1), parser.resumeId(),
                    "the event cut in two does not count: EventSource resumes after the last whole one");

            try (SseStream resumed = SseStream.open(base.resolve("sse?room=cut"),
                    Map.of("Last-Event-ID", parser.resumeId()))) {
                received.addAll(ids(resumed, published.size() - received.size()));
            }
            assertEquals(published, received, "every message once, in order, across the cut");
        }
    }

    @ParameterizedTest
    @EnumSource(WarServer.Kind.class)
    void aReplayThatMeetsMessagesArrivingTogetherLeavesNoGapAndNoRepeat(WarServer.Kind kind) throws Exception {
        try (WarServer server = kind.start("/sse-chat", SETTINGS)) {
            URI base = server.base();
            List<SseStream> watchers = new ArrayList<>();
            SseStream.openEach(base.resolve("sse?room=replay"), 10, watchers); // the room is busy: passes take a while
            List<String> before = flood(base, "replay", 50);
            ExecutorService more = Executors.newSingleThreadExecutor();
            try {
                // While a second flood goes out, streams resume from the middle of the first.
                Future<List<String>> during = more.submit(() -> flood(base, "replay", 400));
                List<SseStream> resumed = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    resumed.add(SseStream.open(base.resolve("sse?room=replay"),
                            Map.of("Last-Event-ID", before.get(10 + 4 * i))));
                }
                List<String> all = new ArrayList<>(before);
                all.addAll(during.get(60, TimeUnit.SECONDS));
                all.sort(BatchingIT::byId);
                for (int i = 0; i < resumed.size(); i++) {
                    List<String> expected = all.subList(all.indexOf(before.get(10 + 4 * i)) + 1, all.size());
                    assertEquals(expected, ids(resumed.get(i), expected.size()),
                            "stream " + i + ": the replay, then the live messages, each once, in order");
                    resumed.get(i).close();
                }
            } finally {
                more.shutdownNow();
                watchers.forEach(SseStream::close);
            }
        }
    }
}
