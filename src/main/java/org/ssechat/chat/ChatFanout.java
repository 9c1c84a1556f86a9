package org.ssechat.chat;

import java.util.function.Consumer;
import org.ssechat.sse.ClientRegistry;
import org.ssechat.sse.SseEvent;

/**
 * Delivers each message the broker hands over to the streams of its room on this node. The
 * event is encoded once; every client gets the same bytes.
 */
public final class ChatFanout implements Consumer<ChatMessage> {

    /** The SSE event type of chat messages: {@code es.addEventListener("message", ...)}. */
    public static final String EVENT_TYPE = "message";

    private final ClientRegistry registry;

    public ChatFanout(ClientRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void accept(ChatMessage message) {
        registry.broadcast(message.room(), encode(message));
    }

    /**
     * The SSE frame of a message: its id, {@code event: message}, and one line of JSON. A message
     * that other programs published straight into Redis has no id: it goes out without one, and
     * the browser keeps the last id it saw.
     */
    public static byte[] encode(ChatMessage message) {
        SseEvent.Builder event = SseEvent.builder();
        if (message.id() != null) {
            event.id(message.id());
        }
        return event.event(EVENT_TYPE).data(MessageJson.toJson(message)).encode();
    }
}
