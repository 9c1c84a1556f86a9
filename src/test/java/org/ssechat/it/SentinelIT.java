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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.ssechat.testing.Await;
import org.ssechat.testing.ChatHttp;
import org.ssechat.testing.Failover;
import org.ssechat.testing.RedisServer;
import org.ssechat.testing.SseParser;
import org.ssechat.testing.SseStream;
import org.ssechat.testing.Teardown;
import org.ssechat.testing.WarServer;
import redis.clients.jedis.Jedis;

/**
 * Redis as operators run it with Sentinel: a primary, a replica and three sentinels (real
 * redis-server processes on free ports), and two nodes, one in Jetty and one in Tomcat, given
 * {@code REDIS_URL=redis-sentinel://...#mymaster}. The primary is killed while both stream.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SentinelIT {

    private static final String MASTER = "mymaster";

    private RedisServer primary;
    private RedisServer replica;
    private final List<RedisServer> sentinels = new ArrayList<>();
    private WarServer jetty;
    private WarServer tomcat;

    @BeforeAll
    void start() throws Exception {
        primary = RedisServer.start();
        replica = RedisServer.startReplicaOf(primary);
        Await.until("the replica is in sync with the primary", Duration.ofSeconds(20), () -> {
            try (Jedis jedis = replica.client()) {
                return jedis.info("replication").contains("master_link_status:up");
            }
        });
        for (int i = 0; i < 3; i++) {
            sentinels.add(RedisServer.startSentinel(primary, MASTER, 2));
        }
        // A sentinel learns of replicas from the primary's INFO, every 10 s at first: a failover
        // before that would have nothing to promote.
        Await.until("every sentinel knows the replica and the other sentinels", Duration.ofSeconds(30), () -> {
            for (RedisServer sentinel : sentinels) {
                try (Jedis jedis = sentinel.client()) {
                    if (jedis.sentinelReplicas(MASTER).isEmpty() || jedis.sentinelSentinels(MASTER).size() < 2) {
                        return false;
                    }
                }
            }
            return true;
        });
        StringBuilder url = new StringBuilder("redis-sentinel://");
        for (RedisServer sentinel : sentinels) {
            url.append(url.length() > "redis-sentinel://".length() ? "," : "").append("127.0.0.1:").append(sentinel.port());
        }
        url.append('#').append(MASTER);
        Map<String, String> settings = Map.of("REDIS_URL", url.toString(), "CHAT_RATE_LIMIT_PER_SECOND", "0");
        jetty = WarServer.Kind.JETTY.start("/sse-chat", settings);
        tomcat = WarServer.Kind.TOMCAT.start("/", settings);
        for (WarServer node : List.of(jetty, tomcat)) {
            Await.until("the node is subscribed through Sentinel", () -> "UP".equals(
                    ChatHttp.health(node.base()).get("status").getAsString()));
        }
    }

    @AfterAll
    void stop() throws Exception {
        Teardown.close(jetty, tomcat);
        Teardown.close(sentinels.toArray(new AutoCloseable[0]));
        Teardown.close(replica, primary);
    }


    /** POST /chat once; the id when it was answered 202, else null (a 503 while no primary answers). */
    private static String tryPublish(URI base, String text) throws Exception {
        HttpResponse<String> response = ChatHttp.post(base, "application/json",
                "{\"user\":\"ann\",\"text\":\"" + text + "\",\"room\":\"failover\"}");
        if (response.statusCode() == 202) {
            return JsonParser.parseString(response.body()).getAsJsonObject().get("id").getAsString();
        }
        assertEquals(503, response.statusCode(), "while the primary is gone: " + response.body());
        return null;
    }

    @Test
    void bothNodesFollowAFailoverAndEveryMessageAcceptedAfterItReachesEveryStreamOnceInOrder() throws Exception {
        JsonObject health = ChatHttp.health(jetty.base());
        assertEquals("redis-sentinel", health.get("broker").getAsString());
        assertEquals("127.0.0.1:" + primary.port(), health.get("brokerNode").getAsString());
        try (SseStream atJetty = jetty.openRoom("failover"); SseStream atTomcat = tomcat.openRoom("failover")) {
            List<String> accepted = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                accepted.add(tryPublish(i % 2 == 0 ? jetty.base() : tomcat.base(), "before " + i));
            }
            for (SseStream stream : List.of(atJetty, atTomcat)) {
                for (String id : accepted) {
                    assertEquals(id, stream.next().id());
                }
            }

            long killedAt = System.nanoTime();
            primary.kill();
            // Each node tries in turn until both take posts again: the sentinels' failover, then Jedis following it.
            List<String> after = Failover.postUntilBothTake(jetty.base(), tomcat.base(), SentinelIT::tryPublish);
            long backMillis = Duration.ofNanos(System.nanoTime() - killedAt).toMillis();
            for (int i = 0; i < 10; i++) {
                after.add(tryPublish(i % 2 == 0 ? jetty.base() : tomcat.base(), "settled " + i));
            }
            assertTrue(after.stream().allMatch(id -> id != null), "every post after the failover is taken");
            for (SseStream stream : List.of(atJetty, atTomcat)) {
                Failover.assertOwedOnceInOrder(stream, after); // those answered 202 after the failover
            }
            assertEquals("127.0.0.1:" + replica.port(), ChatHttp.health(jetty.base()).get("brokerNode").getAsString(),
                    "the node talks to the promoted replica");
            System.out.printf("[sentinel] both nodes took posts again %d ms after the primary was killed%n", backMillis);
        }
        // Undeployed, a node leaves none of the threads Jedis started to listen to the sentinels.
        Teardown.close(jetty, tomcat);
        jetty = null;
        tomcat = null;
        Await.until("no sentinel listener thread is left", () -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(thread -> thread.getName().contains("SentinelListener")));
    }
}
