package org.ssechat.broker.redis;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Arrays;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.logging.Logger;
import redis.clients.jedis.BinaryJedisPubSub;
import redis.clients.jedis.Jedis;

/**
 * Holds the subscription to the Redis channel on one dedicated thread, which does nothing but
 * read: each payload, as bytes, goes to the {@link DeliveryQueue}, whose own thread decodes it
 * and fans it out. So the subscriber keeps up with Redis however long a fan-out or a catch-up
 * takes, and Redis never cuts it off for falling behind. When the connection drops it logs once,
 * reconnects with capped, jittered backoff, resubscribes, and logs that it is back; the queue's
 * listener then catches up from the history before the new subscription delivers anything.
 *
 * <p>A subscribed Jedis connection reads with no timeout, so a silently dropped connection
 * would block it forever (jedis issue 3320). A watchdog on the shared scheduler pings the
 * subscription; when nothing, not even a pong, has come back for a few ping periods it closes
 * the socket, and the subscriber thread reconnects.
 */
public final class RedisSubscriber {

    private static final Logger LOG = Logger.getLogger(RedisSubscriber.class.getName());
    static final String THREAD_NAME = "sse-chat-redis-subscriber";
    private static final long BACKOFF_INITIAL_MILLIS = 100;
    private static final long BACKOFF_MAX_MILLIS = 2000;
    private static final int MISSED_PINGS_BEFORE_RECONNECT = 3;
    private static final long STOP_WAIT_MILLIS = 2000;

    private final Supplier<Jedis> connect;
    private final String channel;
    private final byte[] channelBytes;
    private final DeliveryQueue delivery;
    private final Clock clock;
    private final AtomicLong losses = new AtomicLong();
    private final Thread thread;
    private final long pingMillis;
    private final boolean catchUpOnSubscribe;
    /** The signals channel (presence news, typing), subscribed on the same connection; null for none. */
    private final byte[] signalsBytes;
    private final Consumer<byte[]> signals;
    private final ScheduledFuture<?> watchdog;

    private volatile boolean running = true;
    private volatile boolean subscribed;
    private volatile Jedis connection;
    private volatile PubSub pubSub;
    private volatile long lastHeardMillis;
    /** Touched by the subscriber thread only: an outage was logged and its end is not yet. */
    private boolean outage;
    /** Touched by the subscriber thread only: the subscription was up at least once. */
    private boolean subscribedOnce;

    /**
     * Starts the subscriber thread and its watchdog.
     *
     * @param connect  makes a new, unpooled connection (the subscription owns it)
     * @param delivery where each payload goes, and the news that the subscription (re)started
     */
    public RedisSubscriber(Supplier<Jedis> connect, String channel, DeliveryQueue delivery, Clock clock,
            ScheduledExecutorService scheduler, long pingMillis) {
        this(connect, channel, delivery, clock, scheduler, pingMillis, true);
    }

    /**
     * @param catchUpOnSubscribe whether a (re)subscription makes the listener catch up from the
     *        history: false for a cluster's classic channel, which carries only what other
     *        programs publish (no history), while each room's own subscription catches it up
     */
    public RedisSubscriber(Supplier<Jedis> connect, String channel, DeliveryQueue delivery, Clock clock,
            ScheduledExecutorService scheduler, long pingMillis, boolean catchUpOnSubscribe) {
        this(connect, channel, delivery, clock, scheduler, pingMillis, catchUpOnSubscribe, null, null);
    }

    /**
     * @param signalsChannel a second channel, read on the same connection, whose payloads go to
     *        {@code signals} (on this thread: it must hand them on at once); null for none
     */
    public RedisSubscriber(Supplier<Jedis> connect, String channel, DeliveryQueue delivery, Clock clock,
            ScheduledExecutorService scheduler, long pingMillis, boolean catchUpOnSubscribe, String signalsChannel,
            Consumer<byte[]> signals) {
        this.catchUpOnSubscribe = catchUpOnSubscribe;
        this.signalsBytes = signalsChannel == null ? null : signalsChannel.getBytes(StandardCharsets.UTF_8);
        this.signals = signals;
        this.connect = connect;
        this.channel = channel;
        this.channelBytes = channel.getBytes(StandardCharsets.UTF_8);
        this.delivery = delivery;
        this.clock = clock;
        this.pingMillis = pingMillis;
        this.thread = new Thread(this::run, THREAD_NAME);
        thread.setDaemon(true);
        thread.start();
        this.watchdog = scheduler.scheduleWithFixedDelay(this::watch, pingMillis, pingMillis, TimeUnit.MILLISECONDS);
    }

    /** True while the channel is subscribed: messages published now reach this node. */
    public boolean isSubscribed() {
        return subscribed;
    }

    /** Times the subscription was lost (Redis gone, the connection cut, Redis cutting a slow subscriber off). */
    public long losses() {
        return losses.get();
    }

    private void run() {
        Backoff backoff = new Backoff(BACKOFF_INITIAL_MILLIS, BACKOFF_MAX_MILLIS);
        while (running) {
            try (Jedis jedis = connect.get()) {
                connection = jedis;
                PubSub current = new PubSub(backoff);
                pubSub = current;
                if (!running) {
                    break; // stop() ran while we connected and could not see this connection
                }
                if (signalsBytes == null) {
                    jedis.subscribe(current, channelBytes); // returns only when unsubscribed
                } else {
                    jedis.subscribe(current, channelBytes, signalsBytes);
                }
                if (running) {
                    lost("the subscription ended");
                }
            } catch (RuntimeException e) {
                if (running) {
                    lost(e.toString());
                }
            } finally {
                subscribed = false;
                connection = null;
            }
            if (running) {
                sleep(backoff.nextDelayMillis());
            }
        }
    }

    /** Counts and logs the start of an outage, once; the attempts that follow fail quietly until it is back. */
    private void lost(String why) {
        if (!outage) {
            outage = true;
            if (subscribedOnce) {
                losses.incrementAndGet();
            }
            LOG.warning("Redis subscription to channel '" + channel + "' is down (" + why + "); reconnecting. If"
                    + " Redis is up, it may have cut this subscriber off: see client-output-buffer-limit pubsub");
        }
    }

    private void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            // stop() interrupts to end the wait; the loop re-checks running
        }
    }

    /** Pings the subscription, and drops a connection that stopped answering. */
    private void watch() {
        PubSub current = pubSub;
        Jedis jedis = connection;
        if (!subscribed || current == null || jedis == null) {
            return;
        }
        long silentMillis = clock.millis() - lastHeardMillis;
        if (silentMillis > MISSED_PINGS_BEFORE_RECONNECT * pingMillis) {
            LOG.warning("Redis did not answer the subscription's pings for " + silentMillis + " ms; reconnecting");
            jedis.close(); // the subscriber thread's blocked read fails and it reconnects
            return;
        }
        try {
            current.ping();
        } catch (RuntimeException e) {
            jedis.close(); // the write failed: the connection is gone
        }
    }

    /** Ends the subscription, closes its connection and waits for the thread to end. */
    public void stop() {
        running = false;
        watchdog.cancel(false);
        PubSub current = pubSub;
        if (current != null && current.isSubscribed()) {
            try {
                current.unsubscribe();
            } catch (RuntimeException ignored) {
                // the connection is already broken; closing it below ends the thread too
            }
        }
        Jedis jedis = connection;
        if (jedis != null) {
            jedis.close();
        }
        thread.interrupt();
        try {
            thread.join(STOP_WAIT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.warning("The Redis subscriber thread did not stop within " + STOP_WAIT_MILLIS + " ms");
        }
    }

    /**
     * One subscription's callbacks, on the subscriber thread except ping and unsubscribe. They
     * only hand things to the delivery queue: the thread must be back at its socket at once.
     */
    private final class PubSub extends BinaryJedisPubSub {
        private final Backoff backoff;

        PubSub(Backoff backoff) {
            this.backoff = backoff;
        }

        @Override
        public void onSubscribe(byte[] subscribedChannel, int count) {
            heard();
            if (!Arrays.equals(subscribedChannel, channelBytes)) {
                return; // the signals channel: nothing to catch up, nothing to say
            }
            subscribed = true;
            subscribedOnce = true;
            backoff.reset();
            boolean afterOutage = outage;
            if (outage) {
                outage = false;
                LOG.info("Redis subscription to channel '" + channel + "' is back");
            } else {
                LOG.info("Subscribed to Redis channel '" + channel + "'");
            }
            if (catchUpOnSubscribe) {
                // Queued ahead of the new subscription's messages: the catch-up comes first.
                delivery.subscribed(afterOutage);
            }
        }

        @Override
        public void onMessage(byte[] fromChannel, byte[] payload) {
            heard();
            if (signalsBytes != null && Arrays.equals(fromChannel, signalsBytes)) {
                signals.accept(payload);
                return;
            }
            delivery.offer(payload);
        }

        @Override
        public void onPong(byte[] pattern) {
            heard();
        }

        private void heard() {
            lastHeardMillis = clock.millis();
        }
    }
}
