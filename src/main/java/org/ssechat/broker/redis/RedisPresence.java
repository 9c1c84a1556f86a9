package org.ssechat.broker.redis;

import java.util.List;
import java.util.function.Supplier;
import org.ssechat.broker.BrokerUnavailableException;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Presence shares and signals through Redis, the same for one server, Sentinel and a Cluster:
 * each room's shares in the hash {@code <channel>:presence:{<room>}} (in the slot of the room's
 * name), written and read by presence.lua; signals published on {@code <channel>:signals},
 * which every node's subscription reads beside the messages.
 */
public final class RedisPresence {

    private final Supplier<UnifiedJedis> redis;
    private final String channel;
    private final HistoryScripts scripts;
    /** Where the broker talks to, for the error: "Redis at host:port", "the Redis Cluster". */
    private final Supplier<String> where;

    public RedisPresence(Supplier<UnifiedJedis> redis, String channel, HistoryScripts scripts, Supplier<String> where) {
        this.redis = redis;
        this.channel = channel;
        this.scripts = scripts;
        this.where = where;
    }

    /** @param share this node's share, '' to take it out, or null to only read; see Broker#sharePresence */
    public List<String> share(String room, String node, String share, long ttlMillis)
            throws BrokerUnavailableException {
        try {
            return scripts.sharePresence(redis.get(), presenceKey(room), node, share, ttlMillis);
        } catch (JedisException e) {
            throw new BrokerUnavailableException(where.get() + " could not share presence: " + e.getMessage(), e);
        }
    }

    public void signal(String payload) throws BrokerUnavailableException {
        try {
            redis.get().publish(signalsChannel(), payload);
        } catch (JedisException e) {
            throw new BrokerUnavailableException(where.get() + " did not take a signal: " + e.getMessage(), e);
        }
    }

    /** {@code <channel>:presence:{<room>}}: a field per node, in the slot of the room's name. */
    String presenceKey(String room) {
        return channel + ":presence:{" + room + "}";
    }

    /** {@code <channel>:signals}: presence news and typing, apart from the messages other programs read. */
    public String signalsChannel() {
        return channel + ":signals";
    }
}
