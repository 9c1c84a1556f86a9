package org.ssechat.broker.redis;

import java.net.URI;
import java.time.Duration;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.util.JedisURIHelper;

/** How every Redis connection of the broker is made: bounded waits, the URL's credentials, no stray threads. */
public final class RedisClients {

    /**
     * The bound on each wait for Redis: borrowing, connecting, reading an answer. A publish to a
     * Redis that hangs waits at most about twice this (the pool's check of a connection, then a
     * new connection's handshake) before POST /chat answers 503.
     */
    public static final int TIMEOUT_MILLIS = 1000;
    private static final int POOL_SIZE = 16;

    private RedisClients() {
    }

    /** A data node's connection settings, with the URL's user, password and database. */
    public static JedisClientConfig clientConfig(RedisUrl redisUrl, String clientName) {
        URI url = redisUrl.uri();
        DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(TIMEOUT_MILLIS)
                .socketTimeoutMillis(TIMEOUT_MILLIS)
                .clientName(clientName)
                .ssl(redisUrl.tls());
        // Jedis reads redis:// and rediss://; the URLs with a node list are read by RedisUrl.
        boolean ours = redisUrl.hasNodeList();
        String user = ours ? redisUrl.user() : JedisURIHelper.getUser(url);
        String password = ours ? redisUrl.password() : JedisURIHelper.getPassword(url);
        if (user != null) {
            config.user(user);
        }
        if (password != null) {
            config.password(password);
        }
        if (ours ? redisUrl.database() >= 0 : JedisURIHelper.hasDbIndex(url)) {
            config.database(ours ? redisUrl.database() : JedisURIHelper.getDBIndex(url));
        }
        return config.build();
    }

    /**
     * For a subscription's own connection: RESP2, since Jedis's plain connection would otherwise
     * warn on every reconnect that it cannot negotiate RESP3.
     */
    public static JedisClientConfig subscriberConfig(RedisUrl redisUrl, String clientName) {
        return DefaultJedisClientConfig.builder().from(clientConfig(redisUrl, clientName))
                .autoNegotiateProtocol(false).build();
    }

    public static ConnectionPoolConfig poolConfig() {
        ConnectionPoolConfig pool = new ConnectionPoolConfig();
        pool.setMaxTotal(POOL_SIZE);
        pool.setMaxIdle(POOL_SIZE);
        pool.setMaxWait(Duration.ofMillis(TIMEOUT_MILLIS));
        // A pooled connection may be dead after a Redis restart: check it (one PING) before use,
        // so the first message after an outage is published instead of failing.
        pool.setTestOnBorrow(true);
        // No evictor thread and no JMX registration: nothing that could outlive an undeploy.
        pool.setTestWhileIdle(false);
        pool.setTimeBetweenEvictionRuns(Duration.ofMillis(-1));
        pool.setJmxEnabled(false);
        return pool;
    }
}
