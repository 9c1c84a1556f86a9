package org.ssechat.broker.redis.cluster;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import org.ssechat.broker.Broker;
import org.ssechat.broker.BrokerListener;
import org.ssechat.broker.BrokerUnavailableException;
import org.ssechat.broker.HistorySlice;
import org.ssechat.broker.PublishOnce;
import org.ssechat.broker.Published;
import org.ssechat.broker.redis.ChannelPayloads;
import org.ssechat.broker.redis.DeliveryQueue;
import org.ssechat.broker.redis.HistoryScripts;
import org.ssechat.broker.redis.RedisBroker;
import org.ssechat.broker.redis.RedisClients;
import org.ssechat.broker.redis.RedisPresence;
import org.ssechat.broker.redis.RedisSubscriber;
import org.ssechat.broker.redis.RedisUrl;
import org.ssechat.chat.ChatMessage;
import org.ssechat.chat.MessageValidator;
import org.ssechat.metrics.ChatMetrics;
import org.ssechat.sse.EventId;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.params.SetParams;

/**
 * Shares messages between nodes through a Redis Cluster (Redis 7 or newer), with sharded
 * pub/sub: each room's history stream {@code <channel>:history:{<room>}} and its shard channel
 * {@code <channel>:{<room>}} share one slot (the hash tag is the room's name), so the publish
 * script appends and {@code SPUBLISH}es on the node that owns the room. Each node subscribes
 * only the rooms it has streams for ({@link ShardSubscriptions}), so a message travels to the
 * nodes that serve its room, not to every node of the cluster as classic pub/sub would.
 *
 * <p>Messages other programs {@code PUBLISH} into the classic channel still arrive: a classic
 * subscription, on any one node of the cluster, receives what is published on any of them.
 */
public final class RedisClusterBroker implements Broker {

    private static final Logger LOG = Logger.getLogger(RedisClusterBroker.class.getName());
    /** How long a publish's own retry record is kept: longer than the client's retries take (3 s at most). */
    static final long INTERNAL_RECORD_MILLIS = 10_000;

    private final RedisUrl redisUrl;
    private final String channel;
    /** The rooms with streams on this node, as the node tells: the rooms it subscribes. */
    private final FollowedRooms followed = new FollowedRooms();
    private final ClusterTopology topology;
    private final JedisClientConfig subscriberConfig;
    private final ChannelPayloads payloads;
    private final HistoryScripts scripts;
    private final RedisPresence presence;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    private final long queueBytes;
    private final AtomicInteger nextClassicNode = new AtomicInteger();
    private volatile DeliveryQueue delivery;
    private volatile RedisSubscriber classic;
    private volatile ShardSubscriptions shards;

    /** @see RedisBroker#RedisBroker for the parameters */
    public RedisClusterBroker(RedisUrl url, String channel, int historyLength, long historyTtlSeconds,
            MessageValidator validator, int maxPayloadChars, long queueBytes, Clock clock,
            ScheduledExecutorService scheduler) {
        if (!url.cluster()) {
            throw new IllegalArgumentException("not a redis-cluster:// URL");
        }
        this.redisUrl = url;
        this.channel = channel;
        this.topology = new ClusterTopology(url, RedisClients.clientConfig(url, "sse-chat-publisher"), clock);
        this.subscriberConfig = RedisClients.subscriberConfig(url, "sse-chat-subscriber");
        this.payloads = new ChannelPayloads(validator, maxPayloadChars);
        this.scripts = new HistoryScripts(historyLength, historyTtlSeconds);
        this.presence = new RedisPresence(topology::publisher, channel, scripts, () -> "the Redis Cluster");
        this.clock = clock;
        this.scheduler = scheduler;
        this.queueBytes = queueBytes;
    }

    @Override
    public String name() {
        return "redis-cluster";
    }

    /** The cluster's primaries, as this node sees them now. */
    @Override
    public String node() {
        try {
            return String.join(",", new TreeSet<>(topology.slots().getPrimaryNodes().keySet()));
        } catch (RuntimeException e) {
            return "(unknown: " + e.getMessage() + ")";
        }
    }

    @Override
    public void subscribe(String room) {
        followed.follow(room);
    }

    @Override
    public void unsubscribe(String room) {
        followed.unfollow(room);
    }

    @Override
    public void start(BrokerListener listener) {
        Objects.requireNonNull(listener);
        delivery = new DeliveryQueue(listener, payloads, clock, queueBytes);
        shards = new ShardSubscriptions(topology::slots, subscriberConfig, this::shardChannel, followed, delivery,
                clock, RedisBroker.SUBSCRIPTION_PING_MILLIS);
        // The classic channel has no history behind it: its reconnect catches nothing up (the
        // rooms' own subscriptions do, each when it moves).
        classic = new RedisSubscriber(() -> new Jedis(classicNode(), subscriberConfig), channel, delivery, clock,
                scheduler, RedisBroker.SUBSCRIPTION_PING_MILLIS, false, presence.signalsChannel(),
                payload -> listener.onSignal(new String(payload, StandardCharsets.UTF_8)));
    }

    /** Where the classic subscription goes: the cluster's nodes in turn (any one receives every PUBLISH). */
    private HostAndPort classicNode() {
        List<HostAndPort> nodes = new ArrayList<>();
        try {
            topology.slots().getNodes().keySet().forEach(node -> nodes.add(HostAndPort.from(node)));
        } catch (RuntimeException e) {
            // no view of the cluster yet: the nodes of the URL
        }
        if (nodes.isEmpty()) {
            nodes.addAll(redisUrl.nodes());
        }
        return nodes.get(Math.floorMod(nextClassicNode.getAndIncrement(), nodes.size()));
    }

    /**
     * The cluster client sends a command again when its connection failed, or the slot moved,
     * before the answer came: so every publish carries a retry record of its own, and a script
     * that ran before the connection broke is answered again instead of appending twice.
     */
    @Override
    public ChatMessage publish(ChatMessage message) throws BrokerUnavailableException {
        return publish(message, PublishOnce.internal(message, INTERNAL_RECORD_MILLIS), false).message();
    }

    /**
     * The record is kept in the room's slot, so the lookup and the append are one script on one
     * node. A key is the sender's across rooms too: a claim in the key's own slot, written first,
     * holds its message's fingerprint, and a key claimed for another message is a conflict.
     */
    @Override
    public Published publish(ChatMessage message, PublishOnce once) throws BrokerUnavailableException {
        return publish(message, once, true);
    }

    /** @param claim whether the key may have been used in another room (a sender's key; not an internal one) */
    private Published publish(ChatMessage message, PublishOnce once, boolean claim) throws BrokerUnavailableException {
        String room = message.room();
        try {
            String claimed = !claim ? null : topology.publisher().setGet(claimKey(once), once.fingerprint(),
                    SetParams.setParams().nx().px(once.windowMillis()));
            if (claimed != null && !once.sameMessage(claimed)) {
                return Published.conflict();
            }
            return scripts.publish(topology.publisher(), historyKey(room), shardChannel(room), "SPUBLISH", message,
                    recordKey(room, once), once);
        } catch (JedisException e) {
            throw new BrokerUnavailableException("the Redis Cluster did not take the message: " + e.getMessage(), e);
        }
    }

    /** {@code <channel>:published:{<room>}:<key>}: a retry record, in the slot of the room's history. */
    String recordKey(String room, PublishOnce once) {
        return channel + ":published:{" + room + "}:" + once.key();
    }

    /** {@code <channel>:claimed:{<key>}}: which message a sender's key is for, in the key's own slot. */
    String claimKey(PublishOnce once) {
        return channel + ":claimed:{" + once.key() + "}";
    }

    /** A room new to this node is subscribed on its primary first: its history is read after that. */
    @Override
    public void awaitSubscribed(String room) {
        ShardSubscriptions current = shards;
        if (current != null && followed.contains(room)) {
            current.awaitSubscribed(room, RedisClients.TIMEOUT_MILLIS);
        }
    }

    @Override
    public HistorySlice history(String room, EventId after, int limit) throws BrokerUnavailableException {
        try {
            return scripts.history(topology.publisher(), historyKey(room), room, after, limit);
        } catch (JedisException e) {
            throw new BrokerUnavailableException("the Redis Cluster could not read the history: " + e.getMessage(), e);
        }
    }

    @Override
    public HistorySlice historyBefore(String room, EventId before, int limit) throws BrokerUnavailableException {
        try {
            return scripts.historyBefore(topology.publisher(), historyKey(room), room, before, limit);
        } catch (JedisException e) {
            throw new BrokerUnavailableException("the Redis Cluster could not read the history: " + e.getMessage(), e);
        }
    }

    /** {@code <channel>:history:{<room>}}: in the slot of the room's name. */
    String historyKey(String room) {
        return channel + ":history:{" + room + "}";
    }

    /** {@code <channel>:{<room>}}: the room's shard channel, in the slot of its history. */
    String shardChannel(String room) {
        return channel + ":{" + room + "}";
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

    /** Subscribed to the classic channel, and every room with streams here subscribed or on its way. */
    @Override
    public boolean isHealthy() {
        RedisSubscriber current = classic;
        ShardSubscriptions rooms = shards;
        return current != null && current.isSubscribed() && rooms != null && rooms.isHealthy();
    }

    @Override
    public void registerMetrics(ChatMetrics metrics) {
        DeliveryQueue.registerMetrics(metrics, () -> delivery);
        metrics.counter("sse_chat_redis_subscription_lost_total", "Times the classic Redis subscription was lost.",
                () -> classic == null ? 0 : classic.losses());
        metrics.gauge("sse_chat_redis_cluster_rooms_subscribed", "Rooms this node holds a sharded subscription for.",
                this::subscribedRooms);
        metrics.counter("sse_chat_redis_cluster_rooms_moved_total", "Room subscriptions that followed their slot to"
                + " another node (a slot moved, or a node failed over).", this::roomsMoved);
    }

    /** Messages received from Redis, since the start. */
    long received() {
        DeliveryQueue queue = delivery;
        return queue == null ? 0 : queue.received();
    }

    /** Rooms with a sharded subscription on this node now. */
    int subscribedRooms() {
        ShardSubscriptions rooms = shards;
        return rooms == null ? 0 : rooms.subscribedRooms();
    }

    /** Room subscriptions that followed their slot elsewhere, since the start. */
    long roomsMoved() {
        ShardSubscriptions rooms = shards;
        return rooms == null ? 0 : rooms.moved();
    }

    /** Stops the subscriptions first (nothing more arrives), then the delivery, then the publishing pools. */
    @Override
    public void close() {
        RedisSubscriber current = classic;
        if (current != null) {
            current.stop();
        }
        ShardSubscriptions rooms = shards;
        if (rooms != null) {
            rooms.stop();
        }
        DeliveryQueue queue = delivery;
        if (queue != null) {
            queue.stop();
        }
        topology.close();
        LOG.fine("Redis Cluster broker closed");
    }
}
