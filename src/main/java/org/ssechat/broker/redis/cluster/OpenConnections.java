package org.ssechat.broker.redis.cluster;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * Every connection to the cluster not yet closed, and every reader thread still running. The
 * manager may be busy (connecting to a node that does not answer) when the broker stops, so the
 * stop closes the connections from here and waits for their readers.
 */
final class OpenConnections {

    private static final long STOP_WAIT_MILLIS = 2000;
    private static final Logger LOG = Logger.getLogger(OpenConnections.class.getName());

    private final Set<ShardConnection> open = ConcurrentHashMap.newKeySet();
    private final Set<Thread> readers = ConcurrentHashMap.newKeySet();

    void opened(ShardConnection shard) {
        open.add(shard);
    }

    void closed(ShardConnection shard) {
        open.remove(shard);
    }

    void readerStarted(Thread reader) {
        readers.add(reader);
    }

    void readerEnded(Thread reader) {
        readers.remove(reader);
    }

    /** Closes every open connection: their readers fail and end. */
    void closeAll() {
        List.copyOf(open).forEach(ShardConnection::close);
    }

    /** Closes every open connection, and waits a while for each reader to end. */
    void closeAndJoin() {
        closeAll();
        List.copyOf(readers).forEach(OpenConnections::join);
    }

    /** Waits a while for a thread to end; one that does not is logged and left (it is a daemon). */
    static void join(Thread thread) {
        try {
            thread.join(STOP_WAIT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.warning("The thread " + thread.getName() + " did not stop within " + STOP_WAIT_MILLIS + " ms");
        }
    }
}
