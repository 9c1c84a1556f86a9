package org.ssechat.broker.redis.cluster;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import org.ssechat.broker.redis.RedisClients;
import org.ssechat.broker.redis.RedisUrl;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.providers.ClusterConnectionProvider;

/**
 * The cluster's view of its slots, and the publisher on it: made when a node first answers, so
 * a cluster that does not answer at the start does not stop the application. While none does,
 * callers fail at once instead of each waiting for every node in turn: one attempt at a time, at
 * most one a second.
 */
final class ClusterTopology implements AutoCloseable {

    /** A redirection (MOVED, ASK) or one reconnect after a failover; each try waits at most the timeout. */
    private static final int MAX_ATTEMPTS = 3;
    private static final long RETRY_MILLIS = 1000;

    private final RedisUrl url;
    private final JedisClientConfig clientConfig;
    private final Clock clock;
    private final ReentrantLock building = new ReentrantLock();
    private volatile ClusterConnectionProvider slots;
    private volatile RedisClusterClient publisher;
    private volatile boolean closed;
    private volatile long nextAttemptMillis;

    ClusterTopology(RedisUrl url, JedisClientConfig clientConfig, Clock clock) {
        this.url = url;
        this.clientConfig = clientConfig;
        this.clock = clock;
    }

    /**
     * The view of the slots, made now if no node had answered yet.
     *
     * @throws JedisConnectionException while no node answers (or after the close)
     */
    ClusterConnectionProvider slots() {
        ClusterConnectionProvider current = slots;
        if (current != null) {
            return current;
        }
        if (closed || clock.millis() < nextAttemptMillis || !building.tryLock()) {
            throw new JedisConnectionException("no node of the Redis Cluster has answered yet");
        }
        try {
            if (slots == null && !closed) {
                Set<HostAndPort> seeds = new LinkedHashSet<>(url.nodes());
                ClusterConnectionProvider provider = new ClusterConnectionProvider(seeds, clientConfig,
                        RedisClients.poolConfig());
                publisher = RedisClusterClient.builder()
                        .nodes(seeds)
                        .connectionProvider(provider)
                        .clientConfig(clientConfig)
                        .maxAttempts(MAX_ATTEMPTS)
                        .maxTotalRetriesDuration(Duration.ofMillis(MAX_ATTEMPTS * RedisClients.TIMEOUT_MILLIS))
                        .build();
                slots = provider;
            }
            if (slots == null) {
                throw new JedisConnectionException("the broker is closed");
            }
            return slots;
        } catch (RuntimeException e) {
            nextAttemptMillis = clock.millis() + RETRY_MILLIS;
            throw e;
        } finally {
            building.unlock();
        }
    }

    /** The client that publishes and reads the histories, on this view of the slots. */
    RedisClusterClient publisher() {
        slots();
        return publisher;
    }

    /** Closes the publisher and with it the view's pools; a view being made now is made whole first. */
    @Override
    public void close() {
        closed = true;
        building.lock();
        try {
            if (publisher != null) {
                publisher.close();
            }
        } finally {
            building.unlock();
        }
    }
}
