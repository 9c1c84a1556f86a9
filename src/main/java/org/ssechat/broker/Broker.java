package org.ssechat.broker;

import java.util.List;
import org.ssechat.chat.ChatMessage;
import org.ssechat.metrics.ChatMetrics;
import org.ssechat.sse.EventId;

/**
 * Carries chat messages between the nodes that serve one conversation. A message published on
 * any node is handed, with its id, to the listener of every node, in one order for all of them.
 *
 * Each room keeps a bounded history, in that same order, for clients that resume.
 *
 * <p>Lifecycle: {@link #start(BrokerListener)} once, then {@link #publish}, {@link #history} and
 * {@link #historyBefore} from any thread, then {@link #close()}, which stops every thread the broker started. The node
 * tells the broker which rooms it follows ({@link #subscribe}, {@link #unsubscribe}); the broker
 * never asks.
 */
public interface Broker extends AutoCloseable {

    /** A short name for logs and /health: {@code memory}, {@code redis} or {@code redis-sentinel}. */
    String name();

    /** The server this node talks to now ({@code host:port}), for /health; null when in-process. */
    default String node() {
        return null;
    }

    /**
     * This node follows a room now: it got its first stream here. A broker that subscribes per
     * room (a Redis Cluster's) subscribes it; the in-process history keeps it longest; a broker
     * that delivers every room anyway has nothing to do. Told in the order the room's streams
     * come and go (never twice in a row for one room), so the broker's own set of followed rooms
     * is exact. Must not block.
     */
    default void subscribe(String room) {
    }

    /** This node no longer follows a room: its last stream here ended. Must not block. */
    default void unsubscribe(String room) {
    }

    /**
     * Returns once a followed room's messages reach this node (at most a short while), so a
     * history read that follows misses nothing between itself and the first live message. For a
     * stream that opens, after the node told {@link #subscribe}; never from the listener, which
     * would hold up every delivery while it waits. A catch-up needs no wait: the listener hears
     * {@link BrokerListener#onRoomMissed} once the room is subscribed (again).
     */
    default void awaitSubscribed(String room) {
    }

    /** Begins delivering messages to the listener; the listener must not block. */
    void start(BrokerListener listener);

    /**
     * Publishes a message and assigns its id.
     *
     * @param message a validated message without id
     * @return the message as delivered, with its id
     * @throws BrokerUnavailableException when the message could not be published
     */
    ChatMessage publish(ChatMessage message) throws BrokerUnavailableException;

    /**
     * Publishes a message once per key ({@code Idempotency-Key}): the key's first publish
     * publishes; another within its window, for the same message, publishes nothing and answers
     * the first; one for another message is a conflict. Two publishes with one key that race (two
     * nodes, or a retry while the first is still on its way) publish once: the lookup, the
     * publish and the record are one step.
     *
     * @throws BrokerUnavailableException when it could not be published (nor found)
     */
    Published publish(ChatMessage message, PublishOnce once) throws BrokerUnavailableException;

    /**
     * Reads a room's history.
     *
     * @param after with an id: the messages after it, oldest first; null: the newest messages
     * @param limit at most this many messages (0 asks only for the bounds)
     * @throws BrokerUnavailableException when the history cannot be read now
     */
    HistorySlice history(String room, EventId after, int limit) throws BrokerUnavailableException;

    /**
     * Reads a room's history backwards, a page at a time (GET /history).
     *
     * @param before with an id: the newest messages before it; null: the newest messages
     * @param limit  at most this many messages
     * @return the messages oldest first, with the bounds of the history read in the same step
     * @throws BrokerUnavailableException when the history cannot be read now
     */
    HistorySlice historyBefore(String room, EventId before, int limit) throws BrokerUnavailableException;

    /**
     * Shares this node's presence in a room and reads the other nodes', in one step (see
     * presence.PresenceHub). A node's share counts for {@code ttlMillis} after it was written, so
     * a node that dies drops out by itself. In-process there is no other node.
     *
     * @param node  this node's id
     * @param share this node's share (JSON), or '' when it has no stream in the room any more
     * @return the other nodes' live shares
     * @throws BrokerUnavailableException when the others' shares cannot be read now
     */
    default List<String> sharePresence(String room, String node, String share, long ttlMillis)
            throws BrokerUnavailableException {
        return List.of();
    }

    /** The other nodes' live shares of a room's presence, read without writing this node's. */
    default List<String> readPresence(String room, String node) throws BrokerUnavailableException {
        return List.of();
    }

    /**
     * Sends a signal (presence news, someone typing) to every node's listener, this node's
     * included ({@link BrokerListener#onSignal}): not stored, not resumed, lost while the broker
     * is out.
     *
     * @throws BrokerUnavailableException when it could not be sent
     */
    void signal(String payload) throws BrokerUnavailableException;

    /** False while the broker cannot publish or receive (its server is unreachable). */
    boolean isHealthy();

    /** Adds the broker's own figures (history size, dropped messages, ...) to the node's metrics. */
    default void registerMetrics(ChatMetrics metrics) {
    }

    @Override
    void close();
}
