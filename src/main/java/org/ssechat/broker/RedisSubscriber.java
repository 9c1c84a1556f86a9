package org.ssechat.broker;

import java.time.Clock;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;

/**
 * Holds the subscription to the Redis channel on one dedicated thread and hands each message to
 * the listener (the fan-out, which only queues frames). When the connection drops it logs once,
 * reconnects with capped, jittered backoff, resubscribes, and logs that it is back; the listener
 * then catches up from the history before the new subscription delivers anything.
 *
 * <p>A subscribed Jedis connection reads with no timeout, so a silently dropped connection
 * would block it forever (jedis issue 3320). A watchdog on the shared scheduler pings the
 * subscription; when nothing, not even a pong, has come back for a few ping periods it closes
 * the socket, and the subscriber thread reconnects.
 */
final class RedisSubscriber {

    private static final Logger LOG = Logger.getLogger(RedisSubscriber.class.getName());
    static final String THREAD_NAME = "sse-chat-redis-subscriber";
    private static final long BACKOFF_INITIAL_MILLIS = 100;
    private static final long BACKOFF_MAX_MILLIS = 2000;
    private static final int MISSED_PINGS_BEFORE_RECONNECT = 3;
    private static final long STOP_WAIT_MILLIS = 2000;

    private final Supplier<Jedis> connect;
    private final String channel;
    private final ChannelPayloads payloads;
    private final BrokerListener listener;
    private final Clock clock;
    private final Thread thread;
    private final long pingMillis;
    private final ScheduledFuture<?> watchdog;

    private volatile boolean running = true;
    private volatile boolean subscribed;
    private volatile Jedis connection;
    private volatile PubSub pubSub;
    private volatile long lastHeardMillis;
    /** Touched by the subscriber thread only: an outage was logged and its end is not yet. */
    private boolean outage;

    /**
     * Starts the subscriber thread and its watchdog.
     *
     * @param connect makes a new, unpooled connection (the subscription owns it)
     */
    RedisSubscriber(Supplier<Jedis> connect, String channel, ChannelPayloads payloads,
            BrokerListener listener, Clock clock, ScheduledExecutorService scheduler, long pingMillis) {
        this.connect = connect;
        this.channel = channel;
        this.payloads = payloads;
        this.listener = listener;
        this.clock = clock;
        this.pingMillis = pingMillis;
        this.thread = new Thread(this::run, THREAD_NAME);
        thread.setDaemon(true);
        thread.start();
        this.watchdog = scheduler.scheduleWithFixedDelay(this::watch, pingMillis, pingMillis, TimeUnit.MILLISECONDS);
    }

    /** True while the channel is subscribed: messages published now reach this node. */
    boolean isSubscribed() {
        return subscribed;
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
                jedis.subscribe(current, channel); // returns only when unsubscribed
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

    /** Logs the start of an outage once; the attempts that follow fail quietly until it is back. */
    private void lost(String why) {
        if (!outage) {
            outage = true;
            LOG.warning("Redis subscription to channel '" + channel + "' is down (" + why + "); reconnecting");
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
    void stop() {
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

    /** One subscription's callbacks, all on the subscriber thread except ping and unsubscribe. */
    private final class PubSub extends JedisPubSub {
        private final Backoff backoff;

        PubSub(Backoff backoff) {
            this.backoff = backoff;
        }

        @Override
        public void onSubscribe(String subscribedChannel, int count) {
            heard();
            subscribed = true;
            backoff.reset();
            boolean afterOutage = outage;
            if (outage) {
                outage = false;
                LOG.info("Redis subscription to channel '" + subscribedChannel + "' is back");
            } else {
                LOG.info("Subscribed to Redis channel '" + subscribedChannel + "'");
            }
            try {
                // Messages of the new subscription wait in the socket until this returns.
                listener.onSubscribed(afterOutage);
            } catch (RuntimeException e) {
                LOG.log(Level.SEVERE, "Catching up after subscribing failed", e);
            }
        }

        @Override
        public void onMessage(String fromChannel, String payload) {
            heard();
            try {
                listener.onMessage(payloads.decode(payload, clock.instant()));
            } catch (ChannelPayloads.RefusedPayload e) {
                LOG.warning("Skipped a message on Redis channel '" + fromChannel + "': " + e.getMessage());
            } catch (RuntimeException e) {
                // Never let one message end the subscription.
                LOG.log(Level.SEVERE, "Delivering a message from Redis failed", e);
            }
        }

        @Override
        public void onPong(String pattern) {
            heard();
        }

        private void heard() {
            lastHeardMillis = clock.millis();
        }
    }
}
