package org.ssechat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.ssechat.testing.Await;
import org.ssechat.testing.ChatHttp;
import org.ssechat.testing.Failover;
import org.ssechat.testing.Metrics;
import org.ssechat.testing.RedisCluster;
import org.ssechat.testing.RedisServer;
import org.ssechat.testing.SseParser;
import org.ssechat.testing.SseStream;
import org.ssechat.testing.Teardown;
import org.ssechat.testing.WarServer;

/**
 * Redis as most managed offerings run it: a Redis Cluster of three primaries with a replica
 * each (real redis-server processes joined by {@code redis-cli --cluster create}), under two
 * nodes, one in Jetty and one in Tomcat, given {@code REDIS_URL=redis-cluster://...}. Rooms
 * spread over every slot range; the last test kills a primary.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedisClusterIT {

    private static final String RECEIVED = "sse_chat_redis_messages_received_total";

    private RedisCluster cluster;
    private WarServer jetty;
    private WarServer tomcat;

    @BeforeAll
    void start() throws Exception {
        cluster = RedisCluster.start();
        Map<String, String> settings = Map.of("REDIS_URL", cluster.url(), "CHAT_RATE_LIMIT_PER_SECOND", "0");
        jetty = WarServer.Kind.JETTY.start("/sse-chat", settings);
        tomcat = WarServer.Kind.TOMCAT.start("/", settings);
        for (WarServer node : List.of(jetty, tomcat)) {
            Await.until("the node is subscribed to the cluster", () -> "UP".equals(
                    ChatHttp.health(node.base()).get("status").getAsString()));
        }
    }

    @AfterAll
    void stop() throws Exception {
        Teardown.close(jetty, tomcat, cluster);
    }


    /** POST /chat once; the id when it was answered 202, else null (a 503 while a primary is gone). */
    private static String tryPublish(URI base, String room, String text) throws Exception {
        HttpResponse<String> response = ChatHttp.post(base, "application/json",
                "{\"user\":\"ann\",\"text\":\"" + text + "\",\"room\":\"" + room + "\"}");
        if (response.statusCode() == 202) {
            return JsonParser.parseString(response.body()).getAsJsonObject().get("id").getAsString();
        }
        assertEquals(503, response.statusCode(), "while a primary is gone: " + response.body());
        return null;
    }

    private static String publish(URI base, String room, String text) throws Exception {
        String id = tryPublish(base, room, text);
        assertTrue(id != null, "the post into " + room + " was taken");
        return id;
    }

    /** The ids of the next {@code count} messages of a stream. */
    private static List<String> nextIds(SseStream stream, int count) throws Exception {
        List<String> ids = new ArrayList<>();
        while (ids.size() < count) {
            SseParser.Event event = stream.next();
            if ("message".equals(event.event())) {
                ids.add(event.id());
            }
        }
        return ids;
    }

    /** Room names whose slots fall on all three primaries. */
    private List<String> roomsOnEveryPrimary(String prefix, int count) {
        List<String> rooms = new ArrayList<>();
        Set<Integer> primaries = new HashSet<>();
        for (int i = 0; i < count; i++) {
            rooms.add(prefix + i);
            primaries.add(cluster.primaryOf(RedisCluster.slotOf(prefix + i)).port());
        }
        assertEquals(3, primaries.size(), "the rooms fall on all three primaries");
        return rooms;
    }

    @Test
    @Order(1)
    void everyMessageReachesEveryStreamOfItsRoomOnceInOrderAndANodeReceivesOnlyTheRoomsItServes() throws Exception {
        JsonObject health = ChatHttp.health(jetty.base());
        assertEquals("redis-cluster", health.get("broker").getAsString());
        assertEquals(3, health.get("brokerNode").getAsString().split(",").length, "the three primaries: " + health);

        List<String> rooms = roomsOnEveryPrimary("spread-", 40);
        List<String> tomcatRooms = rooms.subList(0, 20);
        Map<String, List<SseStream>> streams = new LinkedHashMap<>();
        List<SseStream> all = new ArrayList<>();
        try {
            for (String room : rooms) {
                List<SseStream> ofRoom = new ArrayList<>();
                ofRoom.add(jetty.openRoom(room));
                ofRoom.add(jetty.openRoom(room));
                if (tomcatRooms.contains(room)) {
                    ofRoom.add(tomcat.openRoom(room));
                }
                streams.put(room, ofRoom);
                all.addAll(ofRoom);
            }
            long tomcatBefore = Metrics.value(tomcat.base(), RECEIVED);
            long jettyBefore = Metrics.value(jetty.base(), RECEIVED);

            int perRoom = 5;
            Map<String, List<String>> published = new LinkedHashMap<>();
            for (int i = 0; i < perRoom; i++) {
                for (String room : rooms) {
                    URI node = i % 2 == 0 ? jetty.base() : tomcat.base(); // Tomcat posts into rooms it has no stream of too
                    published.computeIfAbsent(room, r -> new ArrayList<>()).add(publish(node, room, "m" + i));
                }
            }
            for (Map.Entry<String, List<SseStream>> room : streams.entrySet()) {
                for (SseStream stream : room.getValue()) {
                    assertEquals(published.get(room.getKey()), nextIds(stream, perRoom),
                            "every message of room " + room.getKey() + " once, in order");
                    assertNull(stream.poll(50), "nothing more");
                }
            }
            assertEquals(tomcatRooms.size() * perRoom, Metrics.value(tomcat.base(), RECEIVED) - tomcatBefore,
                    "Tomcat received the messages of its 20 rooms and none of the 20 it has no stream in");
            assertEquals(rooms.size() * perRoom, Metrics.value(jetty.base(), RECEIVED) - jettyBefore);
            assertEquals(rooms.size(), Metrics.value(jetty.base(), "sse_chat_redis_cluster_rooms_subscribed"));
        } finally {
            all.forEach(SseStream::close);
        }
    }

    @Test
    @Order(2)
    void aClientResumesOnTheOtherNodeWithItsLastEventId() throws Exception {
        List<String> ids = new ArrayList<>();
        String lastSeen;
        try (SseStream atJetty = jetty.openRoom("resume")) {
            for (int i = 0; i < 3; i++) {
                ids.add(publish(i % 2 == 0 ? jetty.base() : tomcat.base(), "resume", "first " + i));
            }
            assertEquals(ids, nextIds(atJetty, 3));
            lastSeen = ids.get(2);
        }
        List<String> missed = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            missed.add(publish(jetty.base(), "resume", "missed " + i));
        }
        try (SseStream atTomcat = SseStream.open(tomcat.base().resolve("sse?room=resume"),
                Map.of("Last-Event-ID", lastSeen))) {
            assertEquals(missed, nextIds(atTomcat, 3), "what it missed, from the other node");
            String live = publish(jetty.base(), "resume", "live");
            assertEquals(List.of(live), nextIds(atTomcat, 1));
        }
    }

    @Test
    @Order(3)
    void messagesOtherProgramsPublishIntoTheClassicChannelReachBothNodes() throws Exception {
        try (SseStream atJetty = jetty.openRoom("ops"); SseStream atTomcat = tomcat.openRoom("ops")) {
            try (var jedis = cluster.primaries().get(2).client()) {
                jedis.publish("chat", "{\"text\":\"deploy finished\",\"user\":\"ci\",\"room\":\"ops\"}");
            }
            for (SseStream stream : List.of(atJetty, atTomcat)) {
                SseParser.Event event = stream.next();
                assertTrue(event.data().contains("deploy finished"), event.data());
            }
        }
    }

    @Test
    @Order(4)
    void aNodeWhoseUserMayNotSsubscribeAnswersDownUntilItMayThenServesItsStreams() throws Exception {
        cluster.setUser("nosub", "on", ">pw", "~*", "&*", "+@all", "-ssubscribe");
        Map<String, SseStream> streams = new LinkedHashMap<>();
        try (WarServer refused = WarServer.Kind.JETTY.start("/", Map.of("REDIS_URL", cluster.url("nosub", "pw"),
                "CHAT_RATE_LIMIT_PER_SECOND", "0"))) {
            Await.until("the node is UP while it has no stream", () -> "UP".equals(
                    ChatHttp.health(refused.base()).get("status").getAsString()));
            Set<Integer> primaries = new HashSet<>();
            for (String room : roomsOnEveryPrimary("refused-", 12)) {
                if (primaries.add(cluster.primaryOf(RedisCluster.slotOf(room)).port())) {
                    streams.put(room, refused.openRoom(room)); // a room on each primary
                }
            }
            Await.until("/health answers 503 DOWN: the rooms with streams have no subscription",
                    () -> ChatHttp.get(refused.base(), "health"),
                    answer -> answer.statusCode() == 503 && answer.body().contains("\"status\":\"DOWN\""));

            cluster.setUser("nosub", "+ssubscribe");
            Await.until("/health answers UP once SSUBSCRIBE is allowed", () -> "UP".equals(
                    ChatHttp.health(refused.base()).get("status").getAsString()));
            for (Map.Entry<String, SseStream> room : streams.entrySet()) {
                String id = publish(jetty.base(), room.getKey(), "served at last");
                assertEquals(List.of(id), nextIds(room.getValue(), 1), "the stream in " + room.getKey() + " is served");
            }
        } finally {
            streams.values().forEach(SseStream::close);
        }
    }

    @Test
    @Order(5)
    void aPrimaryKilledLosesNothingAcceptedAfterItsReplicaTookOver() throws Exception {
        String room = "failover";
        int slot = RedisCluster.slotOf("chat:{" + room + "}");
        RedisServer primary = cluster.primaryOf(slot);
        String calm = roomsOnEveryPrimary("calm-", 12).stream()
                .filter(r -> cluster.primaryOf(RedisCluster.slotOf(r)) != primary).findFirst().orElseThrow();
        try (SseStream atJetty = jetty.openRoom(room); SseStream atTomcat = tomcat.openRoom(room);
                SseStream calmAtTomcat = tomcat.openRoom(calm)) {
            List<String> before = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                before.add(publish(i % 2 == 0 ? jetty.base() : tomcat.base(), room, "before " + i));
            }
            for (SseStream stream : List.of(atJetty, atTomcat)) {
                assertEquals(before, nextIds(stream, before.size()));
            }

            long killedAt = System.nanoTime();
            primary.kill();
            List<String> calmIds = new ArrayList<>();
            calmIds.add(publish(jetty.base(), calm, "a room on another primary is served meanwhile"));
            assertEquals(calmIds, nextIds(calmAtTomcat, 1));

            List<String> after = Failover.postUntilBothTake(jetty.base(), tomcat.base(),
                    (node, text) -> tryPublish(node, room, text));
            long backMillis = Duration.ofNanos(System.nanoTime() - killedAt).toMillis();
            for (int i = 0; i < 10; i++) {
                after.add(publish(i % 2 == 0 ? jetty.base() : tomcat.base(), room, "settled " + i));
            }
            for (SseStream stream : List.of(atJetty, atTomcat)) {
                Failover.assertOwedOnceInOrder(stream, after); // those answered 202 after the takeover
            }
            for (WarServer node : List.of(jetty, tomcat)) {
                assertTrue(Metrics.value(node.base(), "sse_chat_redis_cluster_rooms_moved_total") >= 1,
                        "the room's subscription followed its slot to the promoted replica");
            }
            System.out.printf("[cluster] both nodes took posts into the room again %d ms after its primary was killed%n",
                    backMillis);
        }
        // Undeployed, a node leaves none of its subscription threads behind.
        Teardown.close(jetty, tomcat);
        jetty = null;
        tomcat = null;
        Await.until("no Redis subscription thread is left", () -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(thread -> thread.getName().startsWith("sse-chat-redis")));
    }
}
