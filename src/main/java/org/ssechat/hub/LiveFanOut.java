package org.ssechat.hub;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.ssechat.chat.ChatEvents;
import org.ssechat.chat.ChatMessage;
import org.ssechat.sse.ClientRegistry;
import org.ssechat.sse.EventBatch;
import org.ssechat.sse.EventId;

/**
 * The live road of messages on this node: each encoded once, offered to every stream of its
 * room; those that queued up together go out together (see {@link EventBatch}).
 * It also remembers the newest id delivered per room with clients: where a catch-up starts at
 * the latest, also for a client whose own cursor is not set yet.
 *
 * <p>Called by one thread at a time, in the broker's order (see {@link org.ssechat.broker.BrokerListener}):
 * the Redis delivery thread, or with the in-process broker whichever thread delivers now.
 */
public final class LiveFanOut {

    private static final Logger LOG = Logger.getLogger(LiveFanOut.class.getName());
    private final ClientRegistry clients;
    /** Past this many bytes of frames, a batch goes out and the next one starts. */
    private final int maxBatchBytes;
    /** Written by the delivering thread only (one at a time); bounded by the rooms with clients. */
    private final Map<String, EventId> lastDelivered = new ConcurrentHashMap<>();

    public LiveFanOut(ClientRegistry clients) {
        this(clients, EventBatch.MAX_BYTES);
    }

    /** @param maxBatchBytes past this many bytes of frames a batch goes out (see {@link EventBatch#maxBytesFor}) */
    public LiveFanOut(ClientRegistry clients, int maxBatchBytes) {
        this.clients = clients;
        this.maxBatchBytes = Math.max(1, Math.min(EventBatch.MAX_BYTES, maxBatchBytes));
    }

    /**
     * Sends messages to the streams of their rooms that do not have them yet: the messages that
     * queued up while the previous fan-out ran, in their order, in batches of about the batch
     * bytes (see {@link EventBatch}); one message is a batch of one.
     *
     * @return those delivered: the ones whose room has a stream here (the others are not even encoded)
     */
    public List<ChatMessage> deliver(List<ChatMessage> messages) {
        List<ChatMessage> delivered = new ArrayList<>(messages.size());
        EventBatch.Builder batch = EventBatch.builder();
        for (ChatMessage message : messages) {
            if (!clients.hasClients(message.room())) {
                continue; // nobody here listens to that room: do not even encode it
            }
            byte[] frame;
            try {
                frame = ChatEvents.message(message);
            } catch (RuntimeException e) {
                // A message that cannot be encoded costs itself, not the ones that came with it.
                LOG.log(Level.SEVERE, "Could not encode message " + message.id() + " of room " + message.room(), e);
                continue;
            }
            EventId id = message.id();
            if (id != null) {
                lastDelivered.put(message.room(), id);
            }
            batch.add(message.room(), id, frame);
            delivered.add(message);
            if (batch.bytes() >= maxBatchBytes) {
                clients.broadcastBatch(batch.build());
                batch = EventBatch.builder();
            }
        }
        if (!batch.isEmpty()) {
            clients.broadcastBatch(batch.build());
        }
        if (lastDelivered.size() > 2 * clients.roomCount() + 16) {
            forgetRoomsWithoutClients();
        }
        return delivered;
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
