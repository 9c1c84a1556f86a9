package org.ssechat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.ssechat.sse.EventId;
import org.ssechat.testing.Await;
import org.ssechat.testing.ChatHttp;
import org.ssechat.testing.RedisServer;
import org.ssechat.testing.SseParser;
import org.ssechat.testing.SseStream;
import org.ssechat.testing.Teardown;
import org.ssechat.testing.WarServer;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.args.ClientType;
import redis.clients.jedis.params.ClientKillParams;

/**
 * Nothing lost, nothing twice: a client that keeps dropping its stream and resuming with
 * Last-Event-ID, on either of two nodes, while both publish, ends with every accepted message
 * exactly once and in order; also while Redis drops the subscriptions and restarts.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ResumeIT {

    private static final int MESSAGES_PER_NODE = 600;
    private static final long DEADLINE_MILLIS = 120_000;

    private RedisServer redis;
    private WarServer jetty;
    private WarServer tomcat;

    @BeforeAll
    void start() throws Exception {
        redis = RedisServer.startPersistent(); // a restart keeps the history, as production Redis with AOF does
        Map<String, String> settings = Map.of("REDIS_URL", redis.url(), "CHAT_RATE_LIMIT_PER_SECOND", "0",
                "CHAT_HISTORY_SIZE", "5000", "CHAT_HEARTBEAT_SECONDS", "1");
        jetty = WarServer.Kind.JETTY.start("/sse-chat", settings);
        tomcat = WarServer.Kind.TOMCAT.start("/sse-chat", settings);
        for (WarServer node : List.of(jetty, tomcat)) {
            Await.until("node " + node.name() + " is UP", () -> up(node));
        }
    }

    @AfterAll
    void stop() throws Exception {
        Teardown.close(jetty, tomcat, redis);
    }

    @Test
    void aClientThatKeepsDroppingAndResumingGetsEveryMessageOnceInOrder() throws Exception {
        run("calm", false, 42);
    }

    @Test
    void theSameWhileRedisDropsTheSubscriptionsAndRestarts() throws Exception {
        run("stormy", true, 7);
    }

    @Test
    void lastEventIdWorksAsAQueryParameterAndWinsOverHistory() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(ChatHttp.publish(jetty.base(), "query", "ann", "q" + i).get("id").getAsString());
        }
        try (SseStream stream = SseStream.open(tomcat.base().resolve("sse?room=query&history=5&lastEventId=" + ids.get(2)))) {
            assertEquals(ids.get(3), stream.next().id());
            assertEquals(ids.get(4), stream.next().id());
        }
        try (SseStream stream = SseStream.open(tomcat.base().resolve("sse?room=query&history=2"))) {
            assertEquals(ids.get(3), stream.next().id());
            assertEquals(ids.get(4), stream.next().id());
        }
        try (SseStream stream = SseStream.open(jetty.base().resolve("sse?room=query"),
                Map.of("Last-Event-ID", "not-an-id"))) {
            SseParser.Event reset = stream.next();
            assertEquals("reset", reset.event(), "an id that does not parse is not a 400 but a reset");
            assertEquals(ids.get(0), stream.next().id(), "then what the history holds");
        }
    }

    private void run(String room, boolean chaos, long seed) throws Exception {
        Map<String, String> accepted = new ConcurrentHashMap<>();   // id -> text, answered 202
        Set<String> unsure = ConcurrentHashMap.newKeySet();          // texts answered 503 at least once
        AtomicBoolean publishing = new AtomicBoolean(true);
        List<Thread> publishers = new ArrayList<>();
        for (WarServer node : List.of(jetty, tomcat)) {
            publishers.add(thread(() -> publish(node, room, accepted, unsure)));
        }
        Thread storm = chaos ? thread(this::storm) : null;

        Random random = new Random(seed);
        List<SseParser.Event> received = new ArrayList<>();
        int resets = 0;
        int connections = 0;
        String lastId = null;
        long deadline = System.currentTimeMillis() + DEADLINE_MILLIS;
        while (publishing.get() || !receivedAll(received, accepted)) {
            if (System.currentTimeMillis() > deadline) {
                fail("after " + connections + " connections, " + missing(received, accepted) + " accepted messages never arrived");
            }
            if (publishers.stream().noneMatch(Thread::isAlive)) {
                publishing.set(false);
            }
            WarServer node = random.nextBoolean() ? jetty : tomcat;
            Map<String, String> headers = new HashMap<>(Map.of("Accept", "text/event-stream"));
            if (lastId != null) {
                headers.put("Last-Event-ID", lastId);
            }
            connections++;
            // As the page does: the first connection asks for the history, later ones resume.
            try (SseStream stream = SseStream.open(node.base().resolve("sse?history=5000&room=" + room), headers)) {
                int budget = random.nextInt(60); // drop after a random number of events, 0 included
                for (int n = 0; n < budget; n++) {
                    SseParser.Event event = stream.poll(500);
                    if (event == null) {
                        break;
                    }
                    if (event.event().equals("reset")) {
                        resets++;
                    } else {
                        received.add(event);
                        lastId = event.id();
                    }
                }
            } catch (IOException e) {
                Thread.sleep(100); // the node is busy starting or stopping a connection: try again
            }
        }
        for (Thread publisher : publishers) {
            publisher.join();
        }
        if (storm != null) {
            storm.join();
        }

        List<String> ids = received.stream().map(SseParser.Event::id).toList();
        assertEquals(ids.size(), new HashSet<>(ids).size(), "a message arrived twice");
        for (int i = 1; i < ids.size(); i++) {
            assertTrue(EventId.parse(ids.get(i)).isAfter(EventId.parse(ids.get(i - 1))),
                    "out of order at " + i + ": " + ids.get(i - 1) + " then " + ids.get(i));
        }
        assertTrue(ids.containsAll(accepted.keySet()), missing(received, accepted) + " accepted messages are missing");
        for (SseParser.Event event : received) {
            String text = JsonParser.parseString(event.data()).getAsJsonObject().get("text").getAsString();
            assertTrue(accepted.containsKey(event.id()) || unsure.contains(text),
                    "a message nobody published arrived: " + event.data());
        }
        assertEquals(0, resets, "no reset: the history always reached back far enough");
        assertTrue(accepted.size() >= 2 * MESSAGES_PER_NODE, "every message was accepted in the end");
        assertTrue(connections > 20, "the client resumed many times, not " + connections);
    }

    /** Posts numbered messages to one node; on a 503 tries the same text again. */
    private static void publish(WarServer node, String room, Map<String, String> accepted, Set<String> unsure) {
        try {
            for (int i = 0; i < MESSAGES_PER_NODE; i++) {
                String text = node.name() + "-" + i;
                JsonObject body = new JsonObject();
                body.addProperty("user", node.name());
                body.addProperty("room", room);
                body.addProperty("text", text);
                while (true) {
                    HttpResponse<String> response = ChatHttp.post(node.base(), "application/json", body.toString());
                    if (response.statusCode() == 202) {
                        accepted.put(JsonParser.parseString(response.body()).getAsJsonObject().get("id").getAsString(), text);
                        break;
                    }
                    assertEquals(503, response.statusCode(), response.body());
                    unsure.add(text); // Redis may have taken it just before it failed to answer
                    Thread.sleep(50);
                }
                Thread.sleep(2);
            }
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** Kills the nodes' subscriber connections a few times, then kills and restarts Redis. */
    private void storm() {
        try {
            for (int i = 0; i < 4; i++) {
                Thread.sleep(300);
                try (Jedis jedis = redis.client()) {
                    jedis.clientKill(ClientKillParams.clientKillParams().type(ClientType.PUBSUB));
                }
            }
            Thread.sleep(300);
            redis.kill();
            Thread.sleep(500);
            redis.restart();
            Thread.sleep(300);
            try (Jedis jedis = redis.client()) {
                jedis.clientKill(ClientKillParams.clientKillParams().type(ClientType.PUBSUB));
            }
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static boolean receivedAll(List<SseParser.Event> received, Map<String, String> accepted) {
        return missing(received, accepted) == 0;
    }

    private static long missing(List<SseParser.Event> received, Map<String, String> accepted) {
        Set<String> ids = new HashSet<>();
        received.forEach(event -> ids.add(event.id()));
        return accepted.keySet().stream().filter(id -> !ids.contains(id)).count();
    }

    private static boolean up(WarServer node) {
        try {
            return ChatHttp.health(node.base()).get("status").getAsString().equals("UP");
        } catch (Exception e) {
            return false;
        }
    }

    private static Thread thread(Runnable body) {
        Thread thread = new Thread(body);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }
}
