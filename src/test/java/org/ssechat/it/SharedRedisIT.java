package org.ssechat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
import org.ssechat.testing.WarServer;
import redis.clients.jedis.Jedis;

/** Two nodes of the built WAR, one in Jetty and one in Tomcat, sharing one private redis-server. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SharedRedisIT {

    private RedisServer redis;
    private WarServer jetty;
    private WarServer tomcat;

    @BeforeAll
    void start() throws Exception {
        redis = RedisServer.start();
        Map<String, String> settings = Map.of("REDIS_URL", redis.url(), "CHAT_RATE_LIMIT_PER_SECOND", "0");
        jetty = WarServer.Kind.JETTY.start("/sse-chat", settings);
        tomcat = WarServer.Kind.TOMCAT.start("/", settings);
        awaitStatus(jetty.base(), "UP");
        awaitStatus(tomcat.base(), "UP");
    }

    @AfterAll
    void stop() throws Exception {
        Teardown.close(jetty, tomcat, redis);
    }


    private static JsonObject data(SseParser.Event event) {
        return JsonParser.parseString(event.data()).getAsJsonObject();
    }

    @Test
    void healthNamesTheRedisBroker() throws Exception {
        assertEquals("redis", ChatHttp.health(jetty.base()).get("broker").getAsString());
    }

    @Test
    void messagesPostedToEitherNodeReachBothNodesOnceAndInOrder() throws Exception {
        try (SseStream atJetty = jetty.openRoom("shared"); SseStream atTomcat = tomcat.openRoom("shared")) {
            List<String> published = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                WarServer node = i % 2 == 0 ? jetty : tomcat;
                published.add(ChatHttp.publish(node.base(), "shared", "ann", "m" + i).get("id").getAsString());
            }
            for (SseStream stream : List.of(atJetty, atTomcat)) {
                for (int i = 0; i < 20; i++) {
                    SseParser.Event event = stream.next();
                    assertEquals(published.get(i), event.id());
                    assertEquals("m" + i, data(event).get("text").getAsString());
                }
                assertNull(stream.poll(300), "each message once");
            }
        }
    }

    @Test
    void otherProgramsPublishingIntoTheChannelReachTheStreamsAndGarbageStopsNothing() throws Exception {
        try (SseStream atJetty = jetty.openRoom("general"); SseStream atTomcat = tomcat.openRoom("general");
                Jedis jedis = redis.client()) {
            jedis.publish("chat", "{\"text\":\"deploy finished\",\"user\":\"ci\"}");
            jedis.publish("chat", "plain words");
            jedis.publish("chat", "{\"text\":\"\\u0000\"}");
            jedis.publish("chat", "x".repeat(200_000));
            jedis.publish("chat", "after the garbage");
            for (SseStream stream : List.of(atJetty, atTomcat)) {
                SseParser.Event json = stream.next();
                assertNull(json.id(), "messages from outside have no id");
                assertEquals("deploy finished", data(json).get("text").getAsString());
                assertEquals("ci", data(json).get("user").getAsString());
                assertEquals("plain words", data(stream.next()).get("text").getAsString());
                assertEquals("after the garbage", data(stream.next()).get("text").getAsString());
            }
        }
    }

    @Test
    void redisKilledAndRestartedMidStream() throws Exception {
        try (SseStream atJetty = jetty.openRoom("outage"); SseStream atTomcat = tomcat.openRoom("outage")) {
            redis.kill();
            awaitStatus(jetty.base(), "DOWN");
            awaitStatus(tomcat.base(), "DOWN");
            assertEquals(503, ChatHttp.get(jetty.base(), "health").statusCode());
            HttpResponse<String> refused = ChatHttp.post(tomcat.base(), "application/json",
                    "{\"user\":\"ann\",\"text\":\"lost\",\"room\":\"outage\"}");
            assertEquals(503, refused.statusCode(), refused.body());
            assertTrue(JsonParser.parseString(refused.body()).getAsJsonObject().has("error"));

            redis.restart();
            awaitStatus(jetty.base(), "UP");
            awaitStatus(tomcat.base(), "UP");
            assertFalse(atJetty.hasEnded() || atTomcat.hasEnded(), "streams stay open through the outage");
            String first = ChatHttp.publish(jetty.base(), "outage", "ann", "back from jetty").get("id").getAsString();
            String second = ChatHttp.publish(tomcat.base(), "outage", "bob", "back from tomcat").get("id").getAsString();
            for (SseStream stream : List.of(atJetty, atTomcat)) {
                assertEquals(first, stream.next().id());
                assertEquals(second, stream.next().id());
            }
        }
    }

    private static void awaitStatus(URI base, String status) throws InterruptedException {
        Await.until("/health at " + base + " says " + status,
                () -> ChatHttp.health(base).get("status").getAsString().equals(status));
    }
}
