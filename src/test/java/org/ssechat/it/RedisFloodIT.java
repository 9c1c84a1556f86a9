package org.ssechat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.ssechat.testing.Await;
import org.ssechat.testing.ChatHttp;
import org.ssechat.testing.Metrics;
import org.ssechat.testing.RedisServer;
import org.ssechat.testing.SseParser;
import org.ssechat.testing.SseStream;
import org.ssechat.testing.WarServer;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;

/**
 * A flood through Redis faster than a node can fan out (hostile pattern 5): the node reads at
 * Redis's pace, so Redis does not cut it off; what does not fit its queue
 * ({@code CHAT_REDIS_QUEUE_BYTES}, tiny here) is dropped and counted, and every dropped message
 * that has a history (as everything published through POST /chat has) is caught up from it:
 * each stream ends with every message once and in order.
 */
class RedisFloodIT {

    private static final int MESSAGES = 2000;
    private static final int STREAMS = 10;

    @ParameterizedTest
    @EnumSource(WarServer.Kind.class)
    void aNodeThatFallsBehindAFloodCatchesUpFromTheHistory(WarServer.Kind kind) throws Exception {
        try (RedisServer redis = RedisServer.start();
                WarServer node = kind.start("/sse-chat", Map.of("REDIS_URL", redis.url(),
                        "CHAT_REDIS_QUEUE_BYTES", String.valueOf(64 * 1024), "CHAT_HISTORY_SIZE", "5000",
                        "CHAT_RATE_LIMIT_PER_SECOND", "0"))) {
            Await.until("the node is UP", () -> ChatHttp.health(node.base()).get("status").getAsString().equals("UP"));
            List<SseStream> streams = new ArrayList<>();
            try {
                SseStream.openEach(node.base().resolve("sse?room=flood"), STREAMS, streams);
                List<String> ids = publishWithHistory(redis, "flood", MESSAGES, "x".repeat(1900));
                for (SseStream stream : streams) {
                    for (int i = 0; i < MESSAGES; i++) {
                        SseParser.Event event = stream.next();
                        assertEquals(ids.get(i), event.id(), "message " + i + ", once and in order");
                    }
                }
                long dropped = Metrics.value(node.base(), "sse_chat_redis_messages_dropped_total");
                assertTrue(dropped > 0, "the flood overran the node's queue: the catch-up path was taken");
                assertEquals(0, Metrics.value(node.base(), "sse_chat_redis_subscription_lost_total"),
                        "Redis never cut the subscriber off");
                System.out.printf("[hostile 5] %s: %d messages of 2 KB through Redis at once, %d streams; %d dropped"
                        + " from the node's 64 KiB queue and caught up from the history; every stream got all %d"
                        + " once and in order; subscription lost 0 times%n", node.name(), MESSAGES, STREAMS, dropped,
                        MESSAGES);
            } finally {
                streams.forEach(SseStream::close);
            }
        }
    }

    /**
     * Publishes as every sse-chat node does (the publish script: history, then channel), but
     * pipelined from here, far faster than any node's fan-out. Returns the ids in order.
     */
    private static List<String> publishWithHistory(RedisServer redis, String room, int count, String padding)
            throws Exception {
        String script;
        try (InputStream in = RedisFloodIT.class.getResourceAsStream("/org/ssechat/broker/redis/publish.lua")) {
            script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<String> ids = new ArrayList<>();
        try (Jedis jedis = redis.client()) {
            Pipeline pipeline = jedis.pipelined();
            List<Response<Object>> answers = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                JsonObject json = new JsonObject();
                json.addProperty("room", room);
                json.addProperty("user", "flood");
                json.addProperty("text", i + " " + padding);
                json.addProperty("time", "2026-12-01T10:00:00Z");
                answers.add(pipeline.eval(script, List.of("chat:history:" + room),
                        List.of("chat", "5000", json.toString(), "3600000")));
            }
            pipeline.sync();
            for (var answer : answers) {
                ids.add((String) answer.get());
            }
        }
        return ids;
    }
}
