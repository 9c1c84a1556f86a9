package org.ssechat.hub;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.ssechat.chat.ChatEvents;
import org.ssechat.chat.ChatMessage;
import org.ssechat.sse.ClientRegistry;
import org.ssechat.sse.EventId;

/**
 * The live road of a message on this node: encoded once, offered to every stream of its room.
 * It also remembers the newest id delivered per room with clients: where a catch-up starts at
 * the latest, also for a client whose own cursor is not set yet.
 *
 * <p>Called by one thread at a time, the broker's (see {@link org.ssechat.broker.BrokerListener}).
 */
public final class LiveFanOut {

    private final ClientRegistry clients;
    /** Written by the broker's thread only; bounded by the rooms with clients. */
    private final Map<String, EventId> lastDelivered = new ConcurrentHashMap<>();

    public LiveFanOut(ClientRegistry clients) {
        this.clients = clients;
    }

    /**
     * Sends a message to the streams of its room that do not have it yet.
     *
     * @return false when the room has no stream here (nothing was even encoded)
     */
    public boolean deliver(ChatMessage message) {
        if (!clients.hasClients(message.room())) {
            return false; // nobody here listens to that room: do not even encode it
        }
        EventId id = message.id();
        if (id != null) {
            lastDelivered.put(message.room(), id);
            if (lastDelivered.size() > 2 * clients.roomCount() + 16) {
                forgetRoomsWithoutClients();
            }
        }
        clients.broadcastEvent(message.room(), id, ChatEvents.message(message));
        return true;
    }

    /** The newest id this node delivered in a room that has clients, or null. */
    EventId lastDelivered(String room) {
        return lastDelivered.get(room);
    }

    /** Drops the positions of rooms nobody listens to any more. */
    void forgetRoomsWithoutClients() {
        lastDelivered.keySet().retainAll(clients.rooms());
    }

    /** How many rooms a position is kept for (bounded by the rooms with clients). */
    int trackedRooms() {
        return lastDelivered.size();
    }
}
