package org.ssechat.broker.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.ssechat.broker.BrokerListener;
import org.ssechat.broker.BrokerUnavailableException;
import org.ssechat.broker.HistorySlice;
import org.ssechat.broker.PublishOnce;
import org.ssechat.broker.Published;
import org.ssechat.chat.ChatMessage;
import org.ssechat.chat.MessageValidator;
import org.ssechat.sse.EventId;
import org.ssechat.testing.Await;
import org.ssechat.testing.LogCapture;
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

    private final List<Runnable> stops = new ArrayList<>();

    /** Also after a test skipped in its setup (no redis-server here): nothing is null-checked by luck. */
    @AfterEach
    void stopEverything() throws Exception {
        brokers.forEach(RedisBroker::close);
        stops.forEach(Runnable::run);
        scheduler.shutdownNow();
        if (redis != null) {
            redis.close();
        }
    }

    private RedisBroker broker(BlockingQueue<ChatMessage> received) throws InterruptedException {
        RedisBroker broker = new RedisBroker(URI.create(redis.url()), "chat", 100, 3600, new MessageValidator(2000, 32),
                64 * 1024, 32L << 20, Clock.systemUTC(), scheduler);
        brokers.add(broker);
        broker.start(received::add);
        Await.until("the broker subscribed", broker::isHealthy);
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

    @Test
    void aPublishedMessageArrivesWithItsHistoryStreamIdAsItsId() throws Exception {
        BlockingQueue<ChatMessage> received = new LinkedBlockingQueue<>();
        RedisBroker broker = broker(received);

        ChatMessage published = broker.publish(draft("dev", "hello"));

        assertEquals(published, next(received));
        try (Jedis jedis = redis.client()) {
            List<StreamEntry> history = jedis.xrange("chat:history:dev", "-", "+");
            assertEquals(1, history.size());
            assertEquals(published.id().toString(), history.get(0).getID().toString());
            long ttl = jedis.pttl("chat:history:dev");
            assertTrue(ttl > 3_500_000 && ttl <= 3_600_000, "a quiet room's history expires: ttl " + ttl);
        }
    }

    @Test
    void presenceSharesExpireUnlessRefreshedAndSignalsReachEveryNodeButNotTheMessageChannel() throws Exception {
        BlockingQueue<ChatMessage> received = new LinkedBlockingQueue<>();
        BlockingQueue<String> signals = new LinkedBlockingQueue<>();
        RedisBroker a = broker(received);
        RedisBroker b = new RedisBroker(URI.create(redis.url()), "chat", 100, 3600, new MessageValidator(2000, 32),
                64 * 1024, 32L << 20, Clock.systemUTC(), scheduler);
        brokers.add(b);
        b.start(new org.ssechat.broker.BrokerListener() {
            @Override
            public void onMessage(ChatMessage message) {
                received.add(message);
            }

            @Override
            public void onSignal(String payload) {
                signals.add(payload);
            }
        });
        Await.until("the second broker subscribed", b::isHealthy);

        assertEquals(List.of(), a.sharePresence("dev", "node-a", "{\"a\":1}", 300));
        assertEquals(List.of("{\"a\":1}"), b.sharePresence("dev", "node-b", "{\"b\":1}", 60_000), "the others' shares");
        assertEquals(List.of("{\"b\":1}"), a.readPresence("dev", "node-a"));
        Thread.sleep(400);
        assertEquals(List.of(), b.readPresence("dev", "node-b"), "node a did not refresh its share: gone");
        assertEquals(List.of("{\"b\":1}"), a.readPresence("dev", "node-a"), "a read writes nothing of its own");
        a.sharePresence("dev", "node-a", "{\"a\":2}", 300);
        try (Jedis jedis = redis.client()) {
            assertTrue(jedis.pttl("chat:presence:{dev}") > 50_000, "a shorter time to live never shortens the hash's");
        }
        b.sharePresence("dev", "node-b", "", 60_000);
        assertEquals(List.of(), a.readPresence("dev", "node-a"), "a share taken out is gone at once");

        a.signal("{\"type\":\"typing\"}");
        assertEquals("{\"type\":\"typing\"}", signals.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS));
        assertNull(received.poll(200, TimeUnit.MILLISECONDS), "a signal is not a message");
    }

    @Test
    void aKeyPublishesOnceAcrossNodesAndAnswersTheFirstPublishAgain() throws Exception {
        BlockingQueue<ChatMessage> received = new LinkedBlockingQueue<>();
        RedisBroker a = broker(received);
        RedisBroker b = broker(new LinkedBlockingQueue<>());
        ChatMessage draft = draft("dev", "once");
        PublishOnce once = PublishOnce.of("sub:ann", "k-1", draft, 60_000);

        Published first = a.publish(draft, once);
        Published again = b.publish(draft.withId(null), once);
        Published other = b.publish(draft("dev", "another text"), PublishOnce.of("sub:ann", "k-1",
                draft("dev", "another text"), 60_000));
        Published otherRoom = b.publish(draft("ops", "once"), PublishOnce.of("sub:ann", "k-1", draft("ops", "once"), 60_000));

        assertEquals(Published.Outcome.NEW, first.outcome());
        assertEquals(Published.Outcome.REPLAYED, again.outcome());
        assertEquals(first.message(), again.message(), "the first publish's id and time");
        assertEquals(Published.Outcome.CONFLICT, other.outcome());
        assertEquals(Published.Outcome.CONFLICT, otherRoom.outcome(), "a key is the sender's, not the room's");
        assertEquals(first.message(), next(received));
        try (Jedis jedis = redis.client()) {
            assertEquals(1, jedis.xlen("chat:history:dev"));
            assertEquals(0, jedis.xlen("chat:history:ops"));
            long ttl = jedis.pttl(a.recordKey(once));
            assertTrue(ttl > 50_000 && ttl <= 60_000, "the record lasts the window: " + ttl);
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

        List<EventId> idsAtA = new ArrayList<>();
        List<EventId> idsAtB = new ArrayList<>();
        for (int i = 0; i < 2 * perNode; i++) {
            idsAtA.add(next(atA).id());
            idsAtB.add(next(atB).id());
        }
        assertEquals(idsAtA, idsAtB, "both nodes see one order");
        assertEquals(2 * perNode, idsAtA.stream().distinct().count(), "every id once");
        assertNull(atA.poll(200, TimeUnit.MILLISECONDS), "nothing twice");
        for (int i = 1; i < idsAtA.size(); i++) {
            assertTrue(idsAtA.get(i).isAfter(idsAtA.get(i - 1)), "ids increase");
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
        Await.until("the broker reports the outage", () -> !broker.isHealthy());
        assertThrows(BrokerUnavailableException.class, () -> broker.publish(draft("r", "lost")));

        redis.restart();
        Await.until("the broker resubscribed", broker::isHealthy);
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
        Await.until("the subscription is back", () -> subscriberConnections() == 1 && broker.isHealthy());
        ChatMessage published = broker.publish(draft("r", "hello again"));
        assertEquals(published, next(received));
    }

    @Test
    void startsWhileRedisIsDownAndConnectsWhenItComesUp() throws Exception {
        redis.kill();
        BlockingQueue<ChatMessage> received = new LinkedBlockingQueue<>();
        RedisBroker broker = new RedisBroker(URI.create(redis.url()), "chat", 100, 3600, new MessageValidator(2000, 32),
                64 * 1024, 32L << 20, Clock.systemUTC(), scheduler);
        brokers.add(broker);
        broker.start(received::add);
        assertFalse(broker.isHealthy());

        redis.restart();
        Await.until("the broker subscribed", broker::isHealthy);
        assertEquals(broker.publish(draft("r", "hi")), next(received));
    }

    @Test
    void aUserThatMayNotSubscribeIsRetriedWithBackoffAndTheNodeIsUnhealthyUntilItMay() throws Exception {
        redis.setUser("nosub", "on", ">pw", "~*", "&*", "+@all", "-subscribe");
        BlockingQueue<ChatMessage> received = new LinkedBlockingQueue<>();
        RedisBroker broker = new RedisBroker(URI.create("redis://nosub:pw@127.0.0.1:" + redis.port()), "chat", 100, 3600,
                new MessageValidator(2000, 32), 64 * 1024, 32L << 20, Clock.systemUTC(), scheduler);
        brokers.add(broker);
        long attempts;
        List<String> warnings;
        long start = System.nanoTime();
        try (LogCapture log = LogCapture.of(RedisSubscriber.class)) {
            broker.start(received::add);
            Await.until("Redis refused the SUBSCRIBE", () -> redis.rejectedCalls("subscribe") > 0);
            assertFalse(broker.isHealthy());
            // A window to count the refused attempts in: there is no condition to wait for.
            Thread.sleep(3000);
            assertFalse(broker.isHealthy(), "unhealthy as long as SUBSCRIBE is refused");
            attempts = redis.rejectedCalls("subscribe");
            warnings = log.atLeast(Level.WARNING);
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("[redis] SUBSCRIBE refused: %d attempts and %d warnings in %d ms%n", attempts, warnings.size(),
                millis);
        // A few quick tries, then one every 1 to 2 s (the backoff's cap, with jitter): allowed, four times that.
        assertTrue(attempts <= 10 + millis / 250, attempts + " SUBSCRIBE attempts in " + millis + " ms");
        assertEquals(1, warnings.size(), "the outage is logged once: " + warnings);

        redis.setUser("nosub", "+subscribe");
        Await.until("the broker subscribed once SUBSCRIBE is allowed", broker::isHealthy);
        assertEquals(broker.publish(draft("r", "subscribed at last")), next(received));
    }

    @Test
    void theHistoryReturnsMessagesAfterAnIdOrTheNewestOnes() throws Exception {
        RedisBroker broker = broker(new LinkedBlockingQueue<>());
        List<ChatMessage> published = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            published.add(broker.publish(draft("r", "m" + i)));
        }
        EventId second = published.get(1).id();

        assertEquals(published.subList(2, 5), broker.history("r", second, 100).messages());
        assertEquals(published.subList(2, 4), broker.history("r", second, 2).messages());
        assertEquals(published.subList(3, 5), broker.history("r", null, 2).messages());
        HistorySlice bounds = broker.history("r", null, 0);
        assertEquals(List.of(), bounds.messages());
        assertEquals(published.get(0).id(), bounds.first());
        assertEquals(published.get(4).id(), bounds.last());
        assertEquals(HistorySlice.EMPTY, broker.history("empty", null, 10));
    }

    @Test
    void theHistoryReadsBackwardsBeforeAnIdOldestFirst() throws Exception {
        RedisBroker broker = broker(new LinkedBlockingQueue<>());
        List<ChatMessage> published = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            published.add(broker.publish(draft("r", "m" + i)));
        }

        HistorySlice page = broker.historyBefore("r", published.get(4).id(), 3);
        assertEquals(published.subList(1, 4), page.messages(), "the id itself is left out");
        assertEquals(published.get(0).id(), page.first());
        assertEquals(published.get(5).id(), page.last());
        assertEquals(published.subList(4, 6), broker.historyBefore("r", null, 2).messages(), "null: the newest");
        assertEquals(published.subList(0, 1), broker.historyBefore("r", published.get(1).id(), 5).messages());
        assertEquals(List.of(), broker.historyBefore("r", published.get(0).id(), 5).messages());
        EventId between = new EventId(published.get(3).id().millis(), published.get(3).id().sequence() + 1);
        assertEquals(published.subList(0, 4), broker.historyBefore("r", between, 10).messages(),
                "an id that is no entry's");
        HistorySlice beforeZero = broker.historyBefore("r", EventId.ZERO, 5);
        assertEquals(List.of(), beforeZero.messages(), "nothing is before 0-0 (which Redis refuses as an end)");
        assertEquals(published.get(0).id(), beforeZero.first());
        assertEquals(published, broker.historyBefore("r", new EventId(-1, -1), 100).messages(), "the largest id");
        assertEquals(HistorySlice.EMPTY, broker.historyBefore("empty", null, 10));
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
        RedisSubscriber subscriber = subscriber(received::add, 100); // ping every 100 ms
        try {
            Await.until("subscribed", subscriber::isSubscribed);
            redis.freeze(); // the socket stays open, nothing answers: a blocked read would wait forever
            Await.until("the watchdog noticed the silence", () -> !subscriber.isSubscribed());
            redis.thaw();
            Await.until("subscribed again", subscriber::isSubscribed);
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

    /**
     * Review item 10: a catch-up after resubscribing that takes longer than the watchdog's
     * limit must not get the subscription dropped (the catch-up used to run on the subscriber
     * thread, which then read no pongs). Pings every 100 ms: the watchdog gives up after 300 ms.
     */
    @Test
    void aLongCatchUpDoesNotGetTheSubscriptionDropped() throws Exception {
        BlockingQueue<ChatMessage> received = new LinkedBlockingQueue<>();
        AtomicInteger subscribed = new AtomicInteger();
        BrokerListener slowCatchUp = new BrokerListener() {
            @Override
            public void onMessage(ChatMessage message) {
                received.add(message);
            }

            @Override
            public void onSubscribed(boolean afterOutage) {
                subscribed.incrementAndGet();
                if (afterOutage) {
                    sleep(1500); // a catch-up of many rooms
                }
            }
        };
        RedisSubscriber subscriber = subscriber(slowCatchUp, 100);
        try {
            Await.until("subscribed", () -> subscribed.get() == 1 && subscriber.isSubscribed());
            killSubscriptions();
            Await.until("subscribed again", () -> subscribed.get() == 2);
            sleep(2500); // the catch-up and well past it: a watchdog that drops it would have done so by now
            assertEquals(2, subscribed.get(), "the subscription was dropped during the catch-up and started over");
            try (Jedis jedis = redis.client()) {
                jedis.publish("chat", "after the catch-up");
            }
            assertEquals("after the catch-up", next(received).text());
        } finally {
            subscriber.stop();
        }
    }

    /**
     * Hostile pattern 5: a flood of large messages into the channel while delivering each takes
     * time (a big fan-out). The subscriber reads at Redis's pace, so Redis does not cut it off
     * (here its pubsub output buffer limit is 1 MB instead of 32 MB), and every message arrives.
     */
    @Test
    void aFloodOfLargeMessagesIsReadAtRedissPaceAndNotCutOff() throws Exception {
        try (Jedis jedis = redis.client()) {
            jedis.configSet("client-output-buffer-limit", "pubsub 1mb 256kb 1");
        }
        BlockingQueue<ChatMessage> received = new LinkedBlockingQueue<>();
        AtomicInteger subscribed = new AtomicInteger();
        BrokerListener slowFanOut = new BrokerListener() {
            @Override
            public void onMessage(ChatMessage message) {
                sleep(2); // 2 ms a message: a fan-out to thousands of clients
                received.add(message);
            }

            @Override
            public void onSubscribed(boolean afterOutage) {
                subscribed.incrementAndGet();
            }
        };
        RedisSubscriber subscriber = subscriber(slowFanOut, 5000);
        int messages = 500;
        try {
            Await.until("subscribed", subscriber::isSubscribed);
            String padding = "x".repeat(12 * 1024);
            try (Jedis jedis = redis.client()) {
                for (int i = 0; i < messages; i++) {
                    jedis.publish("chat", "{\"text\":\"" + i + " " + padding + "\"}");
                    if (i % 50 == 49) {
                        sleep(10); // about 60 MB/s: far faster than 2 ms a message
                    }
                }
            }
            for (int i = 0; i < messages; i++) {
                ChatMessage message = received.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS);
                assertNotNull(message, "message " + i + " of " + messages + " never came; subscribed "
                        + subscribed.get() + " times");
                assertTrue(message.text().startsWith(i + " "), "in order: " + i);
            }
            assertEquals(1, subscribed.get(), "Redis cut the subscriber off");
        } finally {
            subscriber.stop();
        }
    }

    /**
     * The queue between the subscriber and the fan-out is bounded in bytes: what does not fit is
     * dropped and counted, and the listener is told to catch up (from the history) before it
     * gets anything that came after the drop.
     */
    @Test
    void whatDoesNotFitTheQueueIsDroppedCountedAndCaughtUpBeforeWhatCameAfter() throws Exception {
        List<String> heard = Collections.synchronizedList(new ArrayList<>());
        BrokerListener slowFanOut = new BrokerListener() {
            @Override
            public void onMessage(ChatMessage message) {
                sleep(2);
                heard.add(message.text().substring(0, message.text().indexOf(' ')));
            }

            @Override
            public void onMessagesMissed() {
                heard.add("MISSED");
            }
        };
        DeliveryQueue delivery = deliveryQueue(slowFanOut, 256 * 1024);
        RedisSubscriber subscriber = subscriber(delivery, 5000);
        int messages = 300;
        try {
            Await.until("subscribed", subscriber::isSubscribed);
            String padding = "x".repeat(12 * 1024);
            try (Jedis jedis = redis.client()) {
                for (int i = 0; i < messages; i++) {
                    jedis.publish("chat", "{\"text\":\"" + i + " " + padding + "\"}");
                }
            }
            Await.until("every message was delivered or dropped", () -> heard.stream()
                    .filter(h -> !h.equals("MISSED")).count() + delivery.dropped() == messages);
            assertTrue(delivery.dropped() > 0, "a 256 KiB queue cannot hold 3.6 MB");
            List<String> order = List.copyOf(heard);
            int firstMissed = order.indexOf("MISSED");
            assertTrue(firstMissed > 0, "the listener was told: " + order);
            int last = -1;
            for (String h : order) {
                if (!h.equals("MISSED")) {
                    assertTrue(Integer.parseInt(h) > last, "in order: " + order);
                    last = Integer.parseInt(h);
                }
            }
            assertEquals(0, subscriber.losses(), "the subscription itself was never lost");
        } finally {
            subscriber.stop();
        }
    }

    private RedisSubscriber subscriber(BrokerListener listener, long pingMillis) {
        return subscriber(listener, pingMillis, 32L << 20);
    }

    /** A subscriber with its delivery queue of {@code queueBytes}, both stopped after the test. */
    private RedisSubscriber subscriber(BrokerListener listener, long pingMillis, long queueBytes) {
        return subscriber(deliveryQueue(listener, queueBytes), pingMillis);
    }

    private DeliveryQueue deliveryQueue(BrokerListener listener, long queueBytes) {
        DeliveryQueue delivery = new DeliveryQueue(listener,
                new ChannelPayloads(new MessageValidator(20_000, 32), 64 * 1024), Clock.systemUTC(), queueBytes);
        stops.add(delivery::stop);
        return delivery;
    }

    private RedisSubscriber subscriber(DeliveryQueue delivery, long pingMillis) {
        return new RedisSubscriber(
                () -> new Jedis(new HostAndPort("127.0.0.1", redis.port()), DefaultJedisClientConfig.builder()
                        .connectionTimeoutMillis(500).socketTimeoutMillis(500).build()),
                "chat", delivery, Clock.systemUTC(), scheduler, pingMillis);
    }

    private void killSubscriptions() {
        try (Jedis jedis = redis.client()) {
            jedis.clientKill(ClientKillParams.clientKillParams().type(ClientType.PUBSUB));
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
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
