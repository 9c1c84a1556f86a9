package org.ssechat.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.ssechat.chat.ChatMessage;
import org.ssechat.chat.MessageValidator;
import org.ssechat.sse.EventId;
import org.ssechat.testing.RedisServer;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.args.ClientType;
import redis.clients.jedis.params.ClientKillParams;
import redis.clients.jedis.resps.StreamEntry;

/** The Redis broker against a real, private redis-server that the test kills and restarts. */
class RedisBrokerTest {

    private static final long WAIT_MILLIS = 10_000;

    private RedisServer redis;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final List<RedisBroker> brokers = new ArrayList<>();

    @BeforeEach
    void startRedis() throws Exception {
        redis = RedisServer.start();
    }

    @AfterEach
    void stopEverything() throws Exception {
        brokers.forEach(RedisBroker::close);
        scheduler.shutdownNow();
        redis.close();
    }

    private RedisBroker broker(BlockingQueue<ChatMessage> received) {
        RedisBroker broker = new RedisBroker(URI.create(redis.url()), "chat", 100, 3600, new MessageValidator(2000, 32),
                64 * 1024, Clock.systemUTC(), scheduler);
        brokers.add(broker);
        broker.start(received::add);
        awaitTrue("the broker subscribed", broker::isHealthy);
        return broker;
    }

    private static ChatMessage draft(String room, String text) {
        return new ChatMessage(null, room, "ann", text, Instant.parse("2026-11-24T10:00:00Z"));
    }

    private static ChatMessage next(BlockingQueue<ChatMessage> received) throws InterruptedException {
        ChatMessage message = received.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS);
        assertNotNull(message, "no message arrived within " + WAIT_MILLIS + " ms");
        return message;
    }

    private static void awaitTrue(String what, BooleanSupplier condition) {
        long deadline = System.currentTimeMillis() + WAIT_MILLIS;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                fail("timed out waiting until " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    @Test
    void aPublishedMessageArrivesWithItsHistoryStreamIdAsItsId() throws Exception {
        BlockingQueue<ChatMessage> received = new LinkedBlockingQueue<>();
        RedisBroker broker = broker(received);

        ChatMessage published = broker.publish(draft("dev", "hello"));

        assertEquals(published, next(received));
        try (Jedis jedis = redis.client()) {
            List<StreamEntry> history = jedis.xrange("chat:history:dev", "-", "+");
            assertEquals(1, history.size());
            assertEquals(published.id(), history.get(0).getID().toString());
            long ttl = jedis.pttl("chat:history:dev");
            assertTrue(ttl > 3_500_000 && ttl <= 3_600_000, "a quiet room's history expires: ttl " + ttl);
        }
    }

    @Test
    void twoNodesReceiveEveryMessageOnceInTheSameOrder() throws Exception {
        BlockingQueue<ChatMessage> atA = new LinkedBlockingQueue<>();
        BlockingQueue<ChatMessage> atB = new LinkedBlockingQueue<>();
        RedisBroker a = broker(atA);
        RedisBroker b = broker(atB);
        int perNode = 200;
        Thread fromB = new Thread(() -> {
            for (int i = 0; i < perNode; i++) {
                try {
                    b.publish(draft("r", "b" + i));
                } catch (BrokerUnavailableException e) {
                    throw new AssertionError(e);
                }
            }
        });
        fromB.start();
        for (int i = 0; i < perNode; i++) {
            a.publish(draft("r", "a" + i));
        }
        fromB.join();

        List<String> idsAtA = new ArrayList<>();
        List<String> idsAtB = new ArrayList<>();
        for (int i = 0; i < 2 * perNode; i++) {
            idsAtA.add(next(atA).id());
            idsAtB.add(next(atB).id());
        }
        assertEquals(idsAtA, idsAtB, "both nodes see one order");
        assertEquals(2 * perNode, idsAtA.stream().distinct().count(), "every id once");
        assertNull(atA.poll(200, TimeUnit.MILLISECONDS), "nothing twice");
        for (int i = 1; i < idsAtA.size(); i++) {
            assertTrue(StreamIds.compare(idsAtA.get(i - 1), idsAtA.get(i)) < 0, "ids increase");
        }
    }

    @Test
    void otherProgramsMayPublishJsonOrPlainTextAndGarbageIsSkipped() throws Exception {
        BlockingQueue<ChatMessage> received = new LinkedBlockingQueue<>();
        broker(received);
        try (Jedis jedis = redis.client()) {
            jedis.publish("chat", "{\"text\":\"deploy finished\",\"room\":\"ops\"}");
            jedis.publish("chat", "the build is green");
            jedis.publish("chat", "{\"text\":\"bell\\u0007\"}");          // control character
            jedis.publish("chat", "x".repeat(100_000));                     // over the payload limit
            jedis.publish("chat", "{\"text\":\"bad room\",\"room\":\"a b\"}");
            jedis.publish("chat", "{\"id\":\"1\\n2\",\"text\":\"forged id\"}");
            jedis.publish("chat", "still alive");
        }
        ChatMessage json = next(received);
        assertEquals("deploy finished", json.text());
        assertEquals("ops", json.room());
        assertEquals("system", json.user());
        assertNull(json.id(), "messages published straight into the channel have no id");

        ChatMessage plain = next(received);
        assertEquals("the build is green", plain.text());
        assertEquals("general", plain.room());

        ChatMessage forged = next(received);
        assertEquals("forged id", forged.text());
        assertNull(forged.id(), "an id that is not a stream id is dropped");

        assertEquals("still alive", next(received).text());
    }

    @Test
    void survivesRedisBeingKilledAndRestarted() throws Exception {
        BlockingQueue<ChatMessage> received = new LinkedBlockingQueue<>();
        RedisBroker broker = broker(received);

        redis.kill();
        awaitTrue("the broker reports the outage", () -> !broker.isHealthy());
        assertThrows(BrokerUnavailableException.class, () -> broker.publish(draft("r", "lost")));

        redis.restart();
        awaitTrue("the broker resubscribed", broker::isHealthy);
        ChatMessage published = broker.publish(draft("r", "after the restart"));
        assertEquals(published, next(received));
    }

    @Test
    void resubscribesWhenRedisDropsTheSubscriberConnection() throws Exception {
        BlockingQueue<ChatMessage> received = new LinkedBlockingQueue<>();
        RedisBroker broker = broker(received);
        try (Jedis jedis = redis.client()) {
            jedis.clientKill(ClientKillParams.clientKillParams().type(ClientType.PUBSUB));
        }
        awaitTrue("the subscription is back", () -> subscriberConnections() == 1 && broker.isHealthy());
        ChatMessage published = broker.publish(draft("r", "hello again"));
        assertEquals(published, next(received));
    }

    @Test
    void startsWhileRedisIsDownAndConnectsWhenItComesUp() throws Exception {
        redis.kill();
        BlockingQueue<ChatMessage> received = new LinkedBlockingQueue<>();
        RedisBroker broker = new RedisBroker(URI.create(redis.url()), "chat", 100, 3600, new MessageValidator(2000, 32),
                64 * 1024, Clock.systemUTC(), scheduler);
        brokers.add(broker);
        broker.start(received::add);
        assertFalse(broker.isHealthy());

        redis.restart();
        awaitTrue("the broker subscribed", broker::isHealthy);
        assertEquals(broker.publish(draft("r", "hi")), next(received));
    }

    @Test
    void theHistoryReturnsMessagesAfterAnIdOrTheNewestOnes() throws Exception {
        RedisBroker broker = broker(new LinkedBlockingQueue<>());
        List<ChatMessage> published = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            published.add(broker.publish(draft("r", "m" + i)));
        }
        EventId second = EventId.parse(published.get(1).id());

        assertEquals(published.subList(2, 5), broker.history("r", second, 100).messages());
        assertEquals(published.subList(2, 4), broker.history("r", second, 2).messages());
        assertEquals(published.subList(3, 5), broker.history("r", null, 2).messages());
        HistorySlice bounds = broker.history("r", null, 0);
        assertEquals(List.of(), bounds.messages());
        assertEquals(EventId.parse(published.get(0).id()), bounds.first());
        assertEquals(EventId.parse(published.get(4).id()), bounds.last());
        assertEquals(HistorySlice.EMPTY, broker.history("empty", null, 10));
    }

    @Test
    void theHistoryIsCappedAtItsLength() throws Exception {
        RedisBroker broker = broker(new LinkedBlockingQueue<>());
        for (int i = 0; i < 1000; i++) {
            broker.publish(draft("r", "m" + i));
        }
        try (Jedis jedis = redis.client()) {
            long length = jedis.xlen("chat:history:r");
            assertTrue(length >= 100 && length < 300, "approximately trimmed to 100, is " + length);
        }
    }

    @Test
    void aRedisThatHangsIsABoundedFailureNotAHang() throws Exception {
        RedisBroker broker = broker(new LinkedBlockingQueue<>());
        redis.freeze();
        try {
            // The pool's check, the connect and the read each wait at most TIMEOUT_MILLIS.
            assertTimeoutPreemptively(java.time.Duration.ofSeconds(15),
                    () -> assertThrows(BrokerUnavailableException.class, () -> broker.publish(draft("r", "stuck"))));
        } finally {
            redis.thaw();
        }
        ChatMessage published = broker.publish(draft("r", "after"));
        assertEquals("after", published.text());
    }

    @Test
    void theWatchdogDropsASubscriptionThatWentSilentAndItComesBack() throws Exception {
        BlockingQueue<ChatMessage> received = new LinkedBlockingQueue<>();
        RedisSubscriber subscriber = new RedisSubscriber(
                () -> new Jedis(new HostAndPort("127.0.0.1", redis.port()), DefaultJedisClientConfig.builder()
                        .connectionTimeoutMillis(500).socketTimeoutMillis(500).build()),
                "chat", new ChannelPayloads(new MessageValidator(2000, 32), 64 * 1024),
                received::add, Clock.systemUTC(), scheduler, 100); // ping every 100 ms
        try {
            awaitTrue("subscribed", subscriber::isSubscribed);
            redis.freeze(); // the socket stays open, nothing answers: a blocked read would wait forever
            awaitTrue("the watchdog noticed the silence", () -> !subscriber.isSubscribed());
            redis.thaw();
            awaitTrue("subscribed again", subscriber::isSubscribed);
            try (Jedis jedis = redis.client()) {
                jedis.publish("chat", "back");
            }
            assertEquals("back", next(received).text());
        } finally {
            redis.thaw();
            subscriber.stop();
        }
    }

    @Test
    void closingStopsTheSubscriberThread() throws Exception {
        RedisBroker broker = broker(new LinkedBlockingQueue<>());
        assertTrue(subscriberThreadAlive());
        broker.close();
        brokers.remove(broker);
        assertFalse(subscriberThreadAlive(), "the subscriber thread outlived close()");
    }

    private static boolean subscriberThreadAlive() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals(RedisSubscriber.THREAD_NAME) && t.isAlive());
    }

    private long subscriberConnections() {
        try (Jedis jedis = redis.client()) {
            return jedis.clientList().lines().filter(line -> line.contains("name=sse-chat-subscriber")).count();
        }
    }
}
