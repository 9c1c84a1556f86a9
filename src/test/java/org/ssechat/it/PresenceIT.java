package org.ssechat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.ssechat.testing.Await;
import org.ssechat.testing.ChatHttp;
import org.ssechat.testing.RedisServer;
import org.ssechat.testing.SseParser;
import org.ssechat.testing.SseStream;
import org.ssechat.testing.Teardown;
import org.ssechat.testing.Tokens;
import org.ssechat.testing.WarServer;

/**
 * Who is here, on two nodes (Jetty and Tomcat) sharing one private redis-server: people joining
 * and leaving on either node show in GET /presence and in {@code event: presence} on both, a
 * person counts once however many streams, a wave of reconnects costs a few events, and
 * {@code POST /typing} reaches the room's other readers on both nodes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PresenceIT {

    private static final String SECRET = "presence-it-secret-0123456789abcdef";
    private static final long INTERVAL_MILLIS = 200;
    private static final int WAVE = 1000;

    private RedisServer redis;
    private WarServer jetty;
    private WarServer tomcat;

    @BeforeAll
    void start() throws Exception {
        redis = RedisServer.start();
        Map<String, String> settings = Map.of("REDIS_URL", redis.url(), "CHAT_RATE_LIMIT_PER_SECOND", "0",
                "CHAT_PRESENCE_TTL_SECONDS", "3", "CHAT_PRESENCE_INTERVAL_MILLIS", String.valueOf(INTERVAL_MILLIS),
                "CHAT_MAX_STREAMS_PER_ADDRESS", "0", "CHAT_JWT_SECRET", SECRET);
        jetty = WarServer.Kind.JETTY.start("/sse-chat", settings);
        tomcat = WarServer.Kind.TOMCAT.start("/", settings);
    }

    @AfterAll
    void stop() throws Exception {
        Teardown.close(jetty, tomcat, redis);
    }

    @Test
    void peopleOnEitherNodeShowOnBothAndAPersonWithThreeStreamsCountsOnce() throws Exception {
        String room = "here-" + UUID.randomUUID().toString().substring(0, 8);
        String bob = Tokens.hs256(SECRET, "u-bob", "Bob", 3600, List.of("*"), null);
        try (SseStream watchOnJetty = open(jetty, room, "&name=Wendy");
                SseStream watchOnTomcat = open(tomcat, room, "");
                SseStream bobOnTomcat = open(tomcat, room, "&access_token=" + bob)) {
            List<SseStream> ann = new ArrayList<>();
            try {
                // Three tabs of Ann's: two on one node, one on the other.
                ann.add(open(jetty, room, "&name=Ann"));
                ann.add(open(jetty, room, "&name=Ann"));
                ann.add(open(tomcat, room, "&name=Ann"));
                for (WarServer node : List.of(jetty, tomcat)) {
                    JsonObject here = awaitPresence(node, room, p -> p.get("streams").getAsInt() == 6);
                    assertEquals(4, here.get("people").getAsInt(), "Wendy, Ann (three streams), Bob, one unnamed: " + here);
                    assertEquals(List.of("Ann", "Bob", "Wendy"), names(here));
                    assertEquals("u-bob", here.getAsJsonArray("members").get(1).getAsJsonObject().get("userId")
                            .getAsString());
                    assertEquals(1, here.get("unnamed").getAsInt());
                    assertFalse(here.has("partial"), here.toString());
                }
                awaitEvent(watchOnJetty, p -> p.get("streams").getAsInt() == 6 && p.get("people").getAsInt() == 4);
                awaitEvent(watchOnTomcat, p -> p.get("streams").getAsInt() == 6 && p.get("people").getAsInt() == 4);
            } finally {
                ann.forEach(SseStream::close);
            }
            // Ann closed her tabs on both nodes: both nodes see her go.
            for (WarServer node : List.of(jetty, tomcat)) {
                JsonObject here = awaitPresence(node, room, p -> p.get("streams").getAsInt() == 3);
                assertEquals(List.of("Bob", "Wendy"), names(here));
                assertEquals(3, here.get("people").getAsInt());
            }
            awaitEvent(watchOnJetty, p -> p.get("streams").getAsInt() == 3 && names(p).equals(List.of("Bob", "Wendy")));
            awaitEvent(watchOnTomcat, p -> p.get("streams").getAsInt() == 3 && names(p).equals(List.of("Bob", "Wendy")));
        }
    }

    @Test
    void aThousandStreamsThatLeaveAndComeBackAtOnceCostAFewPresenceEvents() throws Exception {
        String room = "wave-" + UUID.randomUUID().toString().substring(0, 8);
        List<SseStream> wave = new ArrayList<>();
        try (SseStream watcher = open(jetty, room, "&name=Wendy")) {
            SseStream.openEach(WAVE, wave, () -> SseStream.open(tomcat.base().resolve("sse?room=" + room
                    + "&name=p" + wave.size())));
            awaitPresence(jetty, room, p -> p.get("streams").getAsInt() == WAVE + 1);
            awaitEvent(watcher, p -> p.get("streams").getAsInt() == WAVE + 1);
            while (watcher.poll(3 * INTERVAL_MILLIS) != null) {
                // nothing more to come once the room is still
            }

            long start = System.nanoTime();
            wave.forEach(SseStream::close);
            wave.clear();
            SseStream.openEach(WAVE, wave, () -> SseStream.open(tomcat.base().resolve("sse?room=" + room
                    + "&name=p" + wave.size())));
            long waveMillis = (System.nanoTime() - start) / 1_000_000;
            int events = 0;
            JsonObject last = null;
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (System.nanoTime() < deadline && (last == null || last.get("streams").getAsInt() != WAVE + 1)) {
                SseParser.Event event = watcher.poll(1000);
                if (event != null && "presence".equals(event.event())) {
                    events++;
                    last = JsonParser.parseString(event.data()).getAsJsonObject();
                }
            }
            assertTrue(last != null && last.get("streams").getAsInt() == WAVE + 1, "the room came back: " + last);
            assertEquals(WAVE + 1, last.get("people").getAsInt());
            // 2,000 joins and leaves: at most one event a wake of the watcher's node (its wakes are at
            // least an interval apart), over the wave and the two wakes after it that carry the news
            // from the other node (its own wake, then the watcher's), and one for the rounding.
            long bound = waveMillis / INTERVAL_MILLIS + 4;
            System.out.println("PresenceIT: " + 2 * WAVE + " leaves and joins in " + waveMillis + " ms gave " + events
                    + " presence events (bound " + bound + ")");
            assertTrue(events <= bound, events + " presence events for a wave of " + waveMillis + " ms");
            assertTrue(events < 2 * WAVE / 10, events + " presence events for " + 2 * WAVE + " changes");
        } finally {
            wave.forEach(SseStream::close);
        }
    }

    @Test
    void typingReachesTheRoomsOtherReadersOnBothNodesButNotTheTypistsOwnStreams() throws Exception {
        String room = "typing-" + UUID.randomUUID().toString().substring(0, 8);
        try (SseStream annOnJetty = open(jetty, room, "&name=Ann");
                SseStream bobOnJetty = open(jetty, room, "&name=Bob");
                SseStream bobOnTomcat = open(tomcat, room, "&name=Bob")) {
            awaitPresence(tomcat, room, p -> p.get("streams").getAsInt() == 3);
            HttpResponse<String> typed = ChatHttp.send(HttpRequest.newBuilder(tomcat.base().resolve("typing"))
                    .header("Content-Type", "application/json").timeout(Duration.ofSeconds(10))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"room\":\"" + room + "\",\"user\":\"Bob\"}")).build());
            assertEquals(204, typed.statusCode(), typed.body());
            SseParser.Event seen = next(annOnJetty, "typing");
            JsonObject data = JsonParser.parseString(seen.data()).getAsJsonObject();
            assertEquals(room, data.get("room").getAsString());
            assertEquals("Bob", data.get("user").getAsString());
            assertEquals(null, seen.id(), "typing is not resumable");
            for (SseStream own : List.of(bobOnJetty, bobOnTomcat)) {
                SseParser.Event event;
                while ((event = own.poll(500)) != null) {
                    assertFalse("typing".equals(event.event()), "the typist's own stream got " + event);
                }
            }
            // Typing is a post's: a private room the sender may not post in refuses it.
            HttpResponse<String> refused = ChatHttp.send(HttpRequest.newBuilder(jetty.base().resolve("typing"))
                    .header("Content-Type", "application/json").timeout(Duration.ofSeconds(10))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"room\":\"private-x\",\"user\":\"Bob\"}")).build());
            assertEquals(401, refused.statusCode(), refused.body());
        }
    }

    private static SseStream open(WarServer node, String room, String query) throws Exception {
        SseStream stream = SseStream.open(node.base().resolve("sse?room=" + room + "&presence=1" + query));
        stream.awaitFirstLine();
        assertEquals(200, stream.status());
        return stream;
    }

    private static JsonObject awaitPresence(WarServer node, String room, java.util.function.Predicate<JsonObject> test)
            throws Exception {
        return Await.until(node.name() + "'s presence of " + room, Duration.ofSeconds(15), () -> {
            HttpResponse<String> answer = ChatHttp.get(node.base(), "presence?room=" + room);
            assertEquals(200, answer.statusCode(), answer.body());
            return JsonParser.parseString(answer.body()).getAsJsonObject();
        }, test);
    }

    private static void awaitEvent(SseStream stream, java.util.function.Predicate<JsonObject> test) throws Exception {
        long deadline = System.nanoTime() + 15_000_000_000L;
        List<String> seen = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            SseParser.Event event = stream.poll(500);
            if (event != null && "presence".equals(event.event())) {
                JsonObject presence = JsonParser.parseString(event.data()).getAsJsonObject();
                seen.add(event.data());
                if (test.test(presence)) {
                    return;
                }
            }
        }
        throw new AssertionError("no presence event as expected; saw " + seen);
    }

    private static SseParser.Event next(SseStream stream, String type) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            SseParser.Event event = stream.poll(500);
            if (event != null && type.equals(event.event())) {
                return event;
            }
        }
        throw new AssertionError("no " + type + " event");
    }

    private static List<String> names(JsonObject presence) {
        List<String> names = new ArrayList<>();
        JsonArray members = presence.getAsJsonArray("members");
        for (JsonElement member : members) {
            names.add(member.getAsJsonObject().get("name").getAsString());
        }
        return names;
    }
}
