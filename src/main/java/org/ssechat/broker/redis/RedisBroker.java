package org.ssechat.broker.redis;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;
import java.util.logging.Logger;
import org.ssechat.broker.Broker;
import org.ssechat.broker.BrokerListener;
import org.ssechat.broker.BrokerUnavailableException;
import org.ssechat.broker.HistorySlice;
import org.ssechat.broker.PublishOnce;
import org.ssechat.broker.Published;
import org.ssechat.chat.ChatMessage;
import org.ssechat.chat.MessageValidator;
import org.ssechat.metrics.ChatMetrics;
import org.ssechat.sse.EventId;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisSentinelClient;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.util.JedisURIHelper;

/**
 * Shares messages between nodes through Redis. Publishing runs one script that appends the
 * message to its room's capped history stream and publishes it on the channel, atomically: the
 * stream id becomes the message id, unique and in one order for every node. Each node's
 * {@link RedisSubscriber} receives the channel on its own thread.
 *
 * <p>Publishing borrows a connection from a pool and waits at most {@link RedisClients#TIMEOUT_MILLIS} for
 * one, for connecting and for the answer (about 2 s in all at worst); past that the message was
 * not accepted and POST /chat answers 503.
 */
public final class RedisBroker implements Broker {

    /** How often the subscription is pinged to find a connection that died silently. */
    public static final long SUBSCRIPTION_PING_MILLIS = 5000;
    private static final Logger LOG = Logger.getLogger(RedisBroker.class.getName());

    private final RedisUrl redisUrl;
    /** The server messages are published to and the subscription reads: the primary, for Sentinel. */
    private final Supplier<HostAndPort> primary;
    private final JedisClientConfig subscriberConfig;
    private final UnifiedJedis publisher;
    /** Where the subscription last connected: touched by the subscriber thread only. */
    private HostAndPort lastSubscriptionNode;
    private final String channel;
    private final ChannelPayloads payloads;
    private final HistoryScripts scripts;
    private final RedisPresence presence;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    private final long queueBytes;
    private volatile DeliveryQueue delivery;
    private volatile RedisSubscriber subscriber;

    /**
     * @param url           redis:// or rediss:// URL, with optional user, password and database
     * @param historyLength messages kept per room in its history stream (approximately, at least)
     * @param historyTtlSeconds how long a room's history is kept after its last message
     * @param validator     checks messages that other programs publish into the channel
     * @param queueBytes    bytes of received messages that may wait for this node's fan-out
     * @param scheduler     the application's timer thread, for the subscription's watchdog
     */
    public RedisBroker(URI url, String channel, int historyLength, long historyTtlSeconds, MessageValidator validator,
            int maxPayloadChars, long queueBytes, Clock clock, ScheduledExecutorService scheduler) {
        this.redisUrl = RedisUrl.parse(url.toString());
        this.channel = channel;
        this.payloads = new ChannelPayloads(validator, maxPayloadChars);
        this.scripts = new HistoryScripts(historyLength, historyTtlSeconds);
        this.clock = clock;
        this.scheduler = scheduler;
        this.queueBytes = queueBytes;
        this.subscriberConfig = RedisClients.subscriberConfig(redisUrl, "sse-chat-subscriber");
        if (redisUrl.isSentinel()) {
            // The sentinels say where the primary is, and Jedis follows a failover (a thread per
            // sentinel listens for +switch-master; close() stops them).
            RedisSentinelClient sentinel = RedisSentinelClient.builder()
                    .masterName(redisUrl.masterName())
                    .sentinels(new LinkedHashSet<>(redisUrl.nodes()))
                    .clientConfig(RedisClients.clientConfig(redisUrl, "sse-chat-publisher"))
                    .sentinelClientConfig(DefaultJedisClientConfig.builder().connectionTimeoutMillis(RedisClients.TIMEOUT_MILLIS)
                            .socketTimeoutMillis(RedisClients.TIMEOUT_MILLIS).ssl(redisUrl.tls()).clientName("sse-chat").build())
                    .poolConfig(RedisClients.poolConfig())
                    .build();
            this.publisher = sentinel;
            this.primary = sentinel::getCurrentMaster;
        } else {
            HostAndPort address = JedisURIHelper.getHostAndPort(url);
            this.publisher = RedisClient.builder()
                    .hostAndPort(address)
                    .clientConfig(RedisClients.clientConfig(redisUrl, "sse-chat-publisher"))
                    .poolConfig(RedisClients.poolConfig())
                    .build();
            this.primary = () -> address;
        }
        UnifiedJedis redis = this.publisher;
        this.presence = new RedisPresence(() -> redis, channel, scripts, () -> "Redis at " + node());
    }

    @Override
    public String name() {
        return redisUrl.isSentinel() ? "redis-sentinel" : "redis";
    }

    /** The server this node talks to now: the primary, as the sentinels last said, for Sentinel. */
    @Override
    public String node() {
        try {
            return String.valueOf(primary.get());
        } catch (RuntimeException e) {
            return "(unknown: " + e.getMessage() + ")";
        }
    }

    /** Where the subscription connects, each time it does; a primary that moved is logged once. */
    private HostAndPort subscriptionNode() {
        HostAndPort now = primary.get();
        HostAndPort before = lastSubscriptionNode;
        if (before != null && !before.equals(now)) {
            LOG.warning("Redis Sentinel: the primary of '" + redisUrl.masterName() + "' moved from " + before + " to "
                    + now + "; following it");
        }
        lastSubscriptionNode = now;
        return now;
    }

    @Override
    public void start(BrokerListener listener) {
        Objects.requireNonNull(listener);
        delivery = new DeliveryQueue(listener, payloads, clock, queueBytes);
        subscriber = new RedisSubscriber(() -> new Jedis(subscriptionNode(), subscriberConfig), channel, delivery,
                clock, scheduler, SUBSCRIPTION_PING_MILLIS, true, presence.signalsChannel(),
                payload -> listener.onSignal(new String(payload, StandardCharsets.UTF_8)));
    }

    @Override
    public ChatMessage publish(ChatMessage message) throws BrokerUnavailableException {
        try {
            return message.withId(scripts.publish(publisher, historyKey(message.room()), channel, "PUBLISH", message));
        } catch (JedisException e) {
            throw new BrokerUnavailableException("Redis at " + node() + " did not take the message: " + e.getMessage(), e);
        }
    }

    /**
     * One server (or Sentinel's primary): one script looks the key up, publishes and keeps the
     * record. The pooled client sends a command once (Jedis's DefaultCommandExecutor, for
     * RedisClient and RedisSentinelClient alike): a connection that breaks before the answer is
     * a 503 here, never a second append, and the sender's retry with its key finds the record.
     */
    @Override
    public Published publish(ChatMessage message, PublishOnce once) throws BrokerUnavailableException {
        try {
            return scripts.publish(publisher, historyKey(message.room()), channel, "PUBLISH", message,
                    recordKey(once), once);
        } catch (JedisException e) {
            throw new BrokerUnavailableException("Redis at " + node() + " did not take the message: " + e.getMessage(), e);
        }
    }

    /** A sender's retry record: {@code <channel>:published:<hashed sender and key>}. */
    String recordKey(PublishOnce once) {
        return channel + ":published:" + once.key();
    }

    @Override
    public HistorySlice history(String room, EventId after, int limit) throws BrokerUnavailableException {
        try {
            return scripts.history(publisher, historyKey(room), room, after, limit);
        } catch (JedisException e) {
            throw new BrokerUnavailableException("Redis at " + node() + " could not read the history: " + e.getMessage(), e);
        }
    }

    @Override
    public HistorySlice historyBefore(String room, EventId before, int limit) throws BrokerUnavailableException {
        try {
            return scripts.historyBefore(publisher, historyKey(room), room, before, limit);
        } catch (JedisException e) {
            throw new BrokerUnavailableException("Redis at " + node() + " could not read the history: " + e.getMessage(), e);
        }
    }

    /** The history stream of a room: {@code <channel>:history:<room>}. */
    String historyKey(String room) {
        return channel + ":history:" + room;
    }

    @Override
    public List<String> sharePresence(String room, String node, String share, long ttlMillis)
            throws BrokerUnavailableException {
        return presence.share(room, node, share, ttlMillis);
    }

    @Override
    public List<String> readPresence(String room, String node) throws BrokerUnavailableException {
        return presence.share(room, node, null, 0);
    }

    @Override
    public void signal(String payload) throws BrokerUnavailableException {
        presence.signal(payload);
    }

    @Override
    public boolean isHealthy() {
        RedisSubscriber current = subscriber;
        return current != null && current.isSubscribed();
    }

    @Override
    public void registerMetrics(ChatMetrics metrics) {
        DeliveryQueue.registerMetrics(metrics, () -> delivery);
        metrics.counter("sse_chat_redis_subscription_lost_total", "Times the Redis subscription was lost"
                + " (Redis down, the connection cut, or Redis cutting off a subscriber that fell behind).",
                () -> subscriber == null ? 0 : subscriber.losses());
    }

    /** Stops the subscription first (nothing more arrives), then its delivery, then the publishing pool. */
    @Override
    public void close() {
        RedisSubscriber current = subscriber;
        if (current != null) {
            current.stop();
        }
        DeliveryQueue queue = delivery;
        if (queue != null) {
            queue.stop();
        }
        publisher.close();
    }
}
