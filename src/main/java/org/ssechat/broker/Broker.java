package org.ssechat.broker;

import java.util.function.Consumer;
import org.ssechat.chat.ChatMessage;

/**
 * Carries chat messages between the nodes that serve one conversation. A message published on
 * any node is handed, with its id, to the listener of every node, in one order for all of them.
 *
 * <p>Lifecycle: {@link #start(Consumer)} once, then {@link #publish} from any thread, then
 * {@link #close()}, which stops every thread the broker started.
 */
public interface Broker extends AutoCloseable {

    /** A short name for logs and /health: {@code memory} or {@code redis}. */
    String name();

    /** Begins delivering messages to the listener; the listener must not block. */
    void start(Consumer<ChatMessage> listener);

    /**
     * Publishes a message and assigns its id.
     *
     * @param message a validated message without id
     * @return the message as delivered, with its id
     * @throws BrokerUnavailableException when the message could not be published
     */
    ChatMessage publish(ChatMessage message) throws BrokerUnavailableException;

    /** False while the broker cannot publish or receive (its server is unreachable). */
    boolean isHealthy();

    @Override
    void close();
}
