package org.ssechat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.ssechat.testing.Tokens;
import org.ssechat.sse.EventId;
import org.ssechat.testing.Await;
import org.ssechat.testing.ChatHttp;
import org.ssechat.testing.JsonAssertions;
import org.ssechat.testing.RedisCluster;
import org.ssechat.testing.RedisServer;
import org.ssechat.testing.Teardown;
import org.ssechat.testing.WarServer;

/**
 * GET /history over real HTTP against the built WAR, with each history it reads: the in-process
 * one (in Jetty), one Redis server's (in Tomcat) and a Redis Cluster's (in Jetty). A client pages
 * back through a whole default history of 1,000 messages to the first one, and the token rules
 * are the stream's.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(HistoryIT.Backend.class)
class HistoryIT {

    /** {@code CHAT_HISTORY_SIZE}'s default: the whole history of a room. */
    private static final int MESSAGES = 1000;
    /** Posting threads: 1,000 posts take a second or two, not ten. */
    private static final int POSTERS = 8;
    private static final String SECRET = "an HS256 secret of 32 bytes or more!";

    /** Where the history lives, and the container the WAR runs in. */
    enum Backend {
        IN_PROCESS(WarServer.Kind.JETTY), REDIS(WarServer.Kind.TOMCAT), REDIS_CLUSTER(WarServer.Kind.JETTY);

        final WarServer.Kind container;

        Backend(WarServer.Kind container) {
            this.container = container;
        }
    }

    /** A running node and the Redis behind it (null in-process), closed node first. */
    private record Setup(WarServer server, AutoCloseable redis) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            Teardown.close(server, redis);
        }
    }

    private static final Map<Backend, Setup> SETUPS = new ConcurrentHashMap<>();

    @Parameter
    Backend backend;

    private URI base;

    @BeforeParameterizedClassInvocation
    static void start(Backend backend) throws Exception {
        AutoCloseable redis = null;
        Map<String, String> settings = new HashMap<>(Map.of("CHAT_RATE_LIMIT_PER_SECOND", "0",
                "CHAT_JWT_SECRET", SECRET));
        try {
            if (backend == Backend.REDIS) {
                RedisServer server = RedisServer.start();
                redis = server;
                settings.put("REDIS_URL", server.url());
            } else if (backend == Backend.REDIS_CLUSTER) {
                RedisCluster cluster = RedisCluster.start();
                redis = cluster;
                settings.put("REDIS_URL", cluster.url());
            }
            WarServer server = backend.container.start("/sse-chat", settings);
            SETUPS.put(backend, new Setup(server, redis));
            Await.until("the node is up", () -> "UP".equals(ChatHttp.health(server.base()).get("status").getAsString()));
        } catch (Throwable e) {
            Teardown.close(SETUPS.remove(backend), redis);
            throw e;
        }
    }

    @AfterParameterizedClassInvocation
    static void stop(Backend backend) throws Exception {
        Teardown.close(SETUPS.remove(backend));
    }

    @BeforeEach
    void base() {
        base = SETUPS.get(backend).server().base();
    }

    private HttpResponse<String> history(String query, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve("history?" + query))
                .timeout(Duration.ofSeconds(10)).GET();
        headers.forEach(request::header);
        return ChatHttp.send(request.build());
    }

    private JsonObject page(String query) throws Exception {
        HttpResponse<String> answer = history(query, Map.of());
        assertEquals(200, answer.statusCode(), answer.body());
        assertTrue(answer.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        return JsonParser.parseString(answer.body()).getAsJsonObject();
    }

    /** POSTs {@code count} messages from several threads at once; the answers (the published messages) by id. */
    private Map<String, JsonElement> postAll(String room, int count) throws Exception {
        Map<String, JsonElement> published = new ConcurrentHashMap<>();
        ExecutorService posters = Executors.newFixedThreadPool(POSTERS);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String text = "m" + i;
                done.add(posters.submit(() -> {
                    JsonObject message = ChatHttp.publish(base, room, "ann", text);
                    published.put(message.get("id").getAsString(), message);
                    return null;
                }));
            }
            for (Future<?> post : done) {
                post.get(); // a failed post fails the test here
            }
        } finally {
            posters.shutdownNow();
        }
        return published;
    }

    private static List<String> inIdOrder(Iterable<String> ids) {
        List<String> sorted = new ArrayList<>();
        ids.forEach(sorted::add);
        sorted.sort(Comparator.comparing(EventId::parse));
        return sorted;
    }

    private static String token(List<String> rooms) throws Exception {
        return Tokens.forRooms(SECRET, rooms);
    }

    @Test
    void pagingBackReachesTheFirstOfAThousandMessagesOldestFirstWithNoGapAndNoDouble() throws Exception {
        String room = "paging-" + backend.ordinal();
        Map<String, JsonElement> published = postAll(room, MESSAGES);
        assertEquals(MESSAGES, published.size(), "each post got its own id");

        List<String> seen = new ArrayList<>();
        String query = "room=" + room + "&limit=100";
        boolean more = true;
        while (more) {
            JsonObject page = page(query);
            assertEquals(room, page.get("room").getAsString());
            List<String> ids = new ArrayList<>();
            for (JsonElement message : page.getAsJsonArray("messages")) {
                String id = message.getAsJsonObject().get("id").getAsString();
                assertEquals(published.get(id), message, "each message is the JSON its post was answered with");
                ids.add(id);
            }
            assertEquals(inIdOrder(ids), ids, "oldest first");
            seen.addAll(0, ids);
            more = page.get("more").getAsBoolean();
            assertTrue(seen.size() <= MESSAGES, "paging ends: " + seen.size() + " messages so far");
            query = "room=" + room + "&limit=100&before=" + ids.get(0);
        }
        assertEquals(inIdOrder(published.keySet()), seen, "every message once, in order, down to the first");
    }

    @Test
    void aPageIsFiftyWithoutALimitAndABadQueryIsA400() throws Exception {
        String room = "defaults-" + backend.ordinal();
        List<String> ids = inIdOrder(postAll(room, 60).keySet());
        JsonObject newest = page("room=" + room);
        assertEquals(50, newest.getAsJsonArray("messages").size());
        assertEquals(ids.get(10), newest.getAsJsonArray("messages").get(0).getAsJsonObject().get("id").getAsString());
        assertTrue(newest.get("more").getAsBoolean());
        JsonObject rest = page("room=" + room + "&before=" + ids.get(10));
        assertEquals(10, rest.getAsJsonArray("messages").size());
        assertEquals(false, rest.get("more").getAsBoolean());
        assertEquals(JsonParser.parseString("{\"room\":\"nobody-here\",\"messages\":[],\"more\":false}"),
                page("room=nobody-here"));

        for (String bad : List.of("room=a.b", "room=%E2%82", "room=" + room + "&before=yesterday",
                "room=" + room + "&limit=0", "room=" + room + "&limit=101", "room=" + room + "&limit=ten")) {
            JsonAssertions.assertJsonError(history(bad, Map.of()), 400);
        }
    }

    @Test
    void aPrivateRoomsHistoryFollowsTheStreamsTokenRules() throws Exception {
        String room = "private-history-" + backend.ordinal();
        String allowed = token(List.of(room));
        HttpResponse<String> posted = ChatHttp.send(HttpRequest.newBuilder(base.resolve("chat"))
                .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + allowed)
                .POST(HttpRequest.BodyPublishers.ofString("{\"room\":\"" + room + "\",\"text\":\"secret\"}")).build());
        assertEquals(202, posted.statusCode(), posted.body());

        HttpResponse<String> without = history("room=" + room, Map.of());
        JsonAssertions.assertJsonError(without, 401);
        assertTrue(without.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"));
        JsonAssertions.assertJsonError(history("room=" + room, Map.of("Authorization", "Bearer "
                + token(List.of("private-other")))), 403);
        JsonAssertions.assertJsonError(history("room=" + room + "&access_token=garbage", Map.of()), 401);
        for (HttpResponse<String> answer : List.of(
                history("room=" + room, Map.of("Authorization", "Bearer " + allowed)),
                history("room=" + room, Map.of("Cookie", "sse_chat_token=" + allowed)),
                history("room=" + room + "&access_token=" + allowed, Map.of()))) {
            assertEquals(200, answer.statusCode(), answer.body());
            JsonObject message = JsonParser.parseString(answer.body()).getAsJsonObject().getAsJsonArray("messages")
                    .get(0).getAsJsonObject();
            assertEquals("secret", message.get("text").getAsString());
            assertEquals("u-ann", message.get("userId").getAsString());
        }
    }
}
