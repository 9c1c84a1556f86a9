package org.ssechat.broker.redis.cluster;

import redis.clients.jedis.Connection;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.exceptions.JedisConnectionException;

/**
 * A connection that never reconnects by itself: Jedis reconnects a closed connection on the
 * next command, without its handshake, and nothing would read or close that socket.
 */
final class OneShotConnection extends Connection {

    private volatile boolean closed;

    /** Connects and runs the handshake, waiting at most the connect timeout. */
    OneShotConnection(HostAndPort node, JedisClientConfig config) {
        super(node, config);
    }

    @Override
    public void connect() {
        if (closed) {
            throw new JedisConnectionException("the connection was closed");
        }
        super.connect();
    }

    @Override
    public void close() {
        closed = true;
        super.close();
    }

    boolean isClosed() {
        return closed;
    }
}
