package org.ssechat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.ssechat.testing.RedisServer;
import org.ssechat.testing.SseParser;
import org.ssechat.testing.SseStream;
import org.ssechat.testing.TcpProxy;
import org.ssechat.testing.Teardown;
import org.ssechat.testing.WarServer;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.StreamEntryID;

/**
 * POST /chat with an {@code Idempotency-Key}, on two nodes (Jetty and Tomcat) sharing one
 * private redis-server: retries that race on different nodes publish once, and a retry after
 * the connection to Redis broke between the script's write and its reply finds the first.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SafeRetryIT {

    private static final int MESSAGES = 1000;
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private RedisServer redis;
    private TcpProxy redisLink;
    private WarServer jetty;
    private WarServer tomcat;
    /** A third node that reaches Redis through the proxy, so its connection can be cut. */
    private WarServer cutOff;

    @BeforeAll
    void start() throws Exception {
        redis = RedisServer.start();
        redisLink = new TcpProxy(redis.port());
        Map<String, String> settings = Map.of("REDIS_URL", redis.url(), "CHAT_RATE_LIMIT_PER_SECOND", "0",
                "CHAT_HISTORY_SIZE", "5000");
        jetty = WarServer.Kind.JETTY.start("/sse-chat", settings);
        tomcat = WarServer.Kind.TOMCAT.start("/", settings);
        cutOff = WarServer.Kind.JETTY.start("/cut", Map.of("REDIS_URL", "redis://127.0.0.1:" + redisLink.port(),
                "CHAT_RATE_LIMIT_PER_SECOND", "0"));
    }

    @AfterAll
    void stop() throws Exception {
        Teardown.close(jetty, tomcat, cutOff, redisLink, redis);
    }

    @Test
    void postsSentTwiceToTwoNodesAtOnceAreStoredAndDeliveredOnce() throws Exception {
        String room = "retry-" + UUID.randomUUID().toString().substring(0, 8);
        try (SseStream onJetty = jetty.openRoom(room); SseStream onTomcat = tomcat.openRoom(room)) {
            Semaphore inFlight = new Semaphore(64);
            List<CompletableFuture<HttpResponse<String>>> first = new ArrayList<>();
            List<CompletableFuture<HttpResponse<String>>> second = new ArrayList<>();
            for (int i = 0; i < MESSAGES; i++) {
                String key = UUID.randomUUID().toString();
                String body = message(room, "message " + i);
                // The same key and body to both nodes at once; which one comes first is the race's.
                first.add(post(jetty.base(), key, body, inFlight));
                second.add(post(tomcat.base(), key, body, inFlight));
            }
            Set<String> ids = new HashSet<>();
            int replayed = 0;
            for (int i = 0; i < MESSAGES; i++) {
                HttpResponse<String> a = first.get(i).join();
                HttpResponse<String> b = second.get(i).join();
                assertEquals(202, a.statusCode(), a.body());
                assertEquals(202, b.statusCode(), b.body());
                JsonObject answerA = JsonParser.parseString(a.body()).getAsJsonObject();
                JsonObject answerB = JsonParser.parseString(b.body()).getAsJsonObject();
                assertEquals(answerA, answerB, "both answers are the first publish's");
                boolean aReplayed = a.headers().firstValue("Idempotent-Replayed").isPresent();
                boolean bReplayed = b.headers().firstValue("Idempotent-Replayed").isPresent();
                assertTrue(aReplayed != bReplayed, "exactly one of the two answers is a replay: " + a.headers().map()
                        + " / " + b.headers().map());
                replayed++;
                ids.add(answerA.get("id").getAsString());
            }
            assertEquals(MESSAGES, ids.size(), "one id per key");
            assertEquals(MESSAGES, replayed);
            try (Jedis jedis = redis.client()) {
                assertEquals(MESSAGES, jedis.xlen("chat:history:" + room), "stored once each");
            }
            assertEquals(ids, delivered(onJetty), "Jetty's stream got each message once");
            assertEquals(ids, delivered(onTomcat), "Tomcat's stream got each message once");
        }
    }

    @Test
    void aRetryAfterTheRedisConnectionBrokeBeforeTheReplyFindsTheFirstPublish() throws Exception {
        String room = "cut-" + UUID.randomUUID().toString().substring(0, 8);
        String text = "cut before the reply " + UUID.randomUUID();
        String key = UUID.randomUUID().toString();
        redisLink.cutAfterRequestContaining(text);
        HttpResponse<String> lost = post(cutOff.base(), key, message(room, text), new Semaphore(1)).join();
        assertEquals(503, lost.statusCode(), "the node never heard back from Redis: " + lost.body());
        try (Jedis jedis = redis.client()) {
            assertEquals(1, jedis.xlen("chat:history:" + room), "the script ran before the connection broke");
            StreamEntryID stored = jedis.xrange("chat:history:" + room, (StreamEntryID) null, null).get(0).getID();

            HttpResponse<String> retried = post(cutOff.base(), key, message(room, text), new Semaphore(1)).join();
            assertEquals(202, retried.statusCode(), retried.body());
            assertEquals("true", retried.headers().firstValue("Idempotent-Replayed").orElse(null));
            assertEquals(stored.toString(), JsonParser.parseString(retried.body()).getAsJsonObject().get("id")
                    .getAsString(), "the retry answers the message stored before the cut");
            assertEquals(1, jedis.xlen("chat:history:" + room), "stored once");
        }
    }

    @Test
    void theSameKeyForAnotherMessageIsAConflict() throws Exception {
        String room = "conflict-" + UUID.randomUUID().toString().substring(0, 8);
        String key = UUID.randomUUID().toString();
        assertEquals(202, post(jetty.base(), key, message(room, "one"), new Semaphore(1)).join().statusCode());
        HttpResponse<String> other = post(tomcat.base(), key, message(room, "two"), new Semaphore(1)).join();
        assertEquals(422, other.statusCode(), other.body());
        assertTrue(other.body().contains("\"error\""), other.body());
        assertNull(other.headers().firstValue("Idempotent-Replayed").orElse(null));
        try (Jedis jedis = redis.client()) {
            assertEquals(1, jedis.xlen("chat:history:" + room));
        }
        String metrics = org.ssechat.testing.ChatHttp.get(tomcat.base(), "metrics").body();
        assertTrue(metrics.matches("(?s).*\\nsse_chat_publish_key_conflicts_total [1-9].*"), metrics);
    }

    /** The ids of the messages a stream received, waiting until it has {@value #MESSAGES} of them. */
    private static Set<String> delivered(SseStream stream) throws InterruptedException {
        Set<String> ids = new HashSet<>();
        List<String> duplicates = new ArrayList<>();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (ids.size() < MESSAGES && System.nanoTime() < deadline) {
            SseParser.Event event = stream.poll(1000);
            if (event != null && "message".equals(event.event()) && event.id() != null && !ids.add(event.id())) {
                duplicates.add(event.id());
            }
        }
        // A duplicate would come right after: give it a moment to show.
        SseParser.Event late;
        while ((late = stream.poll(300)) != null) {
            if ("message".equals(late.event()) && late.id() != null && !ids.add(late.id())) {
                duplicates.add(late.id());
            }
        }
        assertEquals(List.of(), duplicates, "messages delivered twice");
        return ids;
    }

    private static String message(String room, String text) {
        JsonObject json = new JsonObject();
        json.addProperty("room", room);
        json.addProperty("user", "ann");
        json.addProperty("text", text);
        return json.toString();
    }

    private static CompletableFuture<HttpResponse<String>> post(URI base, String key, String body, Semaphore inFlight) {
        inFlight.acquireUninterruptibly();
        HttpRequest request = HttpRequest.newBuilder(base.resolve("chat")).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json").header("Idempotency-Key", key)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((r, e) -> inFlight.release());
    }
}
