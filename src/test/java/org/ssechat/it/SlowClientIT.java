package org.ssechat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.ssechat.testing.ChatHttp;
import org.ssechat.testing.SseParser;
import org.ssechat.testing.SseStream;
import org.ssechat.testing.WarServer;

/**
 * A client that stops reading is cut off at its buffer limit, logged and counted, without
 * holding anyone else up; when it reads again and resumes with Last-Event-ID it misses nothing.
 */
class SlowClientIT {

    private static final int BUFFER = 64 * 1024;
    private static final String BIG = "x".repeat(32 * 1024);

    @ParameterizedTest
    @EnumSource(WarServer.Kind.class)
    void aClientThatStopsReadingIsCutOffAndResumesWithoutLoss(WarServer.Kind kind) throws Exception {
        try (WarServer server = kind.start("/sse-chat", Map.of("CHAT_CLIENT_BUFFER_BYTES", String.valueOf(BUFFER),
                "CHAT_MAX_TEXT_LENGTH", "40000", "CHAT_MAX_BODY_BYTES", "65536", "CHAT_RATE_LIMIT_PER_SECOND", "0"))) {
            URI base = server.base();
            SseStream slow = SseStream.openPaused(base.resolve("sse?room=big"), Map.of());
            SseStream fast = SseStream.open(base.resolve("sse?room=big"));
            List<String> published = new ArrayList<>();
            long deadline = System.currentTimeMillis() + 60_000;
            while (slowClientsCut(base) == 0) {
                if (System.currentTimeMillis() > deadline || published.size() > 1500) {
                    fail("the slow client was not cut off after " + published.size() + " messages of 32 KiB");
                }
                published.add(ChatHttp.publish(base, "big", "ann", published.size() + ":" + BIG).get("id").getAsString());
                assertEquals(published.get(published.size() - 1), fast.next().id(), "the fast client keeps up");
            }
            for (int i = 0; i < 5; i++) {
                published.add(ChatHttp.publish(base, "big", "ann", published.size() + ":" + BIG).get("id").getAsString());
                assertEquals(published.get(published.size() - 1), fast.next().id());
            }

            // The slow client reads what reached it, then resumes from the last id it saw.
            slow.startReading();
            slow.awaitEnd(10_000);
            List<String> received = new ArrayList<>();
            for (SseParser.Event event = slow.poll(200); event != null; event = slow.poll(200)) {
                received.add(event.id());
            }
            assertTrue(received.size() < published.size(), "it was cut off before it had everything");
            assertTrue(!received.isEmpty(), "it got something before it stopped reading");
            // What it missed is more than its buffer holds: it comes a page at a time, each page
            // ending the stream, as EventSource reconnects by itself with the newest id it got.
            int pages = 0;
            while (received.size() < published.size()) {
                assertTrue(pages++ < published.size(), "the replay makes no progress");
                String lastId = received.get(received.size() - 1);
                try (SseStream resumed = SseStream.open(base.resolve("sse?room=big"), Map.of("Last-Event-ID", lastId))) {
                    for (SseParser.Event event = resumed.poll(2000); event != null; event = resumed.poll(500)) {
                        assertEquals("message", event.event(), "no reset: the history still reaches back");
                        received.add(event.id());
                        if (received.size() == published.size()) {
                            break;
                        }
                    }
                }
            }
            assertTrue(pages > 1, "the replay came in pages, not " + pages);
            assertEquals(published, received, "every message once, in order, across the cut");
            fast.close();
        }
    }

    private static long slowClientsCut(URI base) throws Exception {
        return ChatHttp.get(base, "metrics").body().lines()
                .filter(line -> line.startsWith("sse_chat_slow_clients_disconnected_total "))
                .mapToLong(line -> Long.parseLong(line.split(" ")[1])).findFirst().orElseThrow();
    }
}
