package org.ssechat.hub;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.ssechat.broker.Broker;
import org.ssechat.broker.BrokerListener;
import org.ssechat.broker.BrokerUnavailableException;
import org.ssechat.broker.HistorySlice;
import org.ssechat.chat.ChatEvents;
import org.ssechat.chat.ChatMessage;
import org.ssechat.metrics.ChatMetrics;
import org.ssechat.sse.ClientRegistry;
import org.ssechat.sse.EventId;
import org.ssechat.sse.SseClient;
import org.ssechat.sse.SseStreamOpener;

/**
 * Connects the broker to this node's chat streams. Live messages are encoded once and offered
 * to every stream of their room. A new stream first gets what it missed from the room's
 * history, with live messages held back meanwhile; each client's cursor (the newest id it was
 * sent) drops anything it has already, so nothing is missed and nothing arrives twice. After
 * the broker resubscribes, each room is caught up from its clients' cursors.
 */
public final class ChatHub implements BrokerListener {

    private static final Logger LOG = Logger.getLogger(ChatHub.class.getName());

    private final ClientRegistry clients;
    private final Broker broker;
    private final SseStreamOpener opener;
    private final int historySize;
    private final ChatMetrics metrics;
    /**
     * The newest id delivered here, per room with clients: where a catch-up starts at the latest,
     * also for a client whose own cursor is not set yet. Written by the broker's thread only.
     */
    private final Map<String, EventId> lastDelivered = new ConcurrentHashMap<>();

    /** @param historySize the most messages one history read returns */
    public ChatHub(ClientRegistry clients, Broker broker, SseStreamOpener opener, int historySize,
            ChatMetrics metrics) {
        this.clients = clients;
        this.broker = broker;
        this.opener = opener;
        this.historySize = historySize;
        this.metrics = metrics;
    }

    @Override
    public void onMessage(ChatMessage message) {
        metrics.received();
        if (clients.clientsIn(message.room()).isEmpty()) {
            return; // nobody here listens to that room: do not even encode it
        }
        EventId id = EventId.parse(message.id());
        if (id != null) {
            lastDelivered.put(message.room(), id);
            if (lastDelivered.size() > 2 * clients.roomCount() + 16) {
                lastDelivered.keySet().retainAll(clients.rooms()); // rooms nobody listens to any more
            }
        }
        clients.broadcastEvent(message.room(), id, ChatEvents.message(message));
    }

    /** How many rooms the catch-up position is kept for (bounded by the rooms with clients). */
    int trackedRooms() {
        return lastDelivered.size();
    }

    /** Opens a chat stream and replays what the request asks for before the live messages. */
    public void open(HttpServletRequest req, HttpServletResponse resp, String room, ResumeRequest resume)
            throws IOException {
        SseClient client = opener.open(req, resp, room, clients, true);
        if (client == null) {
            return;
        }
        try {
            if (resume.lastEventId() != null || resume.history() > 0) {
                metrics.replayed();
            }
            if (resume.lastEventId() != null) {
                resume(client, room, resume.lastEventId());
            } else {
                HistorySlice recent = broker.history(room, null, resume.history());
                replay(client, recent.messages());
                client.startAt(recent.last()); // in-flight messages up to here must not come twice
            }
        } catch (BrokerUnavailableException e) {
            LOG.log(Level.WARNING, "No history for a new stream of room ''{0}'': {1}", new Object[] {room, e.getMessage()});
            if (resume.lastEventId() != null) {
                // Going live now would skip what the client missed. Ending the stream makes
                // EventSource reconnect after the retry delay with the same Last-Event-ID, and
                // replay then. (An error status would make it give up for good.)
                client.close("its history is unavailable; the client reconnects and resumes later");
            }
        } finally {
            client.releaseHeldEvents();
        }
    }

    /** Replays the messages after {@code lastEventId}, or says that some may be missing. */
    private void resume(SseClient client, String room, String lastEventId) throws BrokerUnavailableException {
        EventId after = EventId.parse(lastEventId);
        // Set at once: a catch-up that runs while this reads the history must know where it stands.
        client.startAt(after);
        if (after == null) {
            client.replay(null, ChatEvents.reset("the Last-Event-ID is not an id of this server", lastEventId));
            replayAll(client, room, null);
            return;
        }
        HistorySlice bounds = broker.history(room, null, 0);
        if (bounds.last() == null) {
            client.replay(null, ChatEvents.reset("the room has no history", lastEventId));
        } else if (after.isAfter(bounds.last())) {
            client.replay(null, ChatEvents.reset("the Last-Event-ID is newer than the room's history", lastEventId));
            client.startAt(bounds.last());
        } else if (bounds.first().isAfter(after)) {
            client.replay(null, ChatEvents.reset("the Last-Event-ID is older than the room's history", lastEventId));
            replayAll(client, room, null);
        } else {
            replayAll(client, room, after);
        }
    }

    /** Replays everything after {@code after} (all of it for null), one bounded read at a time. */
    private void replayAll(SseClient client, String room, EventId after) throws BrokerUnavailableException {
        EventId cursor = after == null ? EventId.ZERO : after;
        Page page = new Page(client);
        while (client.isOpen()) {
            HistorySlice slice = broker.history(room, cursor, historySize);
            if (!page.replay(slice.messages())) {
                return;
            }
            if (slice.messages().size() < historySize) {
                return;
            }
            cursor = EventId.parse(slice.messages().get(slice.messages().size() - 1).id());
        }
    }

    private static void replay(SseClient client, List<ChatMessage> messages) {
        new Page(client).replay(messages);
    }

    /**
     * One stream's share of a replay: at most half its buffer, and at least one message, so a
     * replay never overflows the buffer it is meant to fill. When the page is full the stream
     * ends once it is written; EventSource reconnects with the newest id it got and is served
     * the next page.
     */
    private static final class Page {
        private final SseClient client;
        private final long limit;
        private long bytes;
        private int messages;

        Page(SseClient client) {
            this.client = client;
            this.limit = client.bufferBytes() / 2;
        }

        /** @return false when the page is full: the stream will end, nothing more is to be sent */
        boolean replay(List<ChatMessage> batch) {
            for (ChatMessage message : batch) {
                byte[] frame = ChatEvents.message(message);
                if (messages > 0 && bytes + frame.length > limit) {
                    client.endWhenWritten();
                    return false;
                }
                client.replay(EventId.parse(message.id()), frame);
                bytes += frame.length;
                messages++;
            }
            return true;
        }
    }

    /** Clients whose cursor is older than what the history still holds get a reset event. */
    private void warnClientsBehindTheHistory(String room) throws BrokerUnavailableException {
        EventId first = broker.history(room, null, 0).first();
        if (first == null) {
            return;
        }
        for (SseClient client : clients.clientsIn(room)) {
            EventId cursor = client.cursor();
            if (cursor != null && first.isAfter(cursor)) {
                LOG.warning("A client of room '" + room + "' lost messages during the outage: the history "
                        + "no longer reaches back to " + cursor);
                client.sendEvent(null, ChatEvents.reset("messages were lost while this server was "
                        + "disconnected from Redis", cursor.toString()));
            }
        }
    }

    /**
     * The subscription was down: messages accepted meanwhile are in the history but were never
     * delivered here. Each room with clients is replayed from its least advanced client; the
     * cursors drop what a client has already.
     */
    @Override
    public void onSubscribed(boolean afterOutage) {
        if (afterOutage) {
            metrics.redisReconnected();
        }
        lastDelivered.keySet().retainAll(clients.rooms()); // forget rooms nobody listens to any more
        for (String room : clients.rooms()) {
            EventId from = clients.clientsIn(room).stream()
                    .map(SseClient::cursor).filter(c -> c != null).min(EventId::compareTo).orElse(null);
            EventId delivered = lastDelivered.get(room);
            if (from == null || (delivered != null && from.isAfter(delivered))) {
                from = delivered;
            }
            if (from == null) {
                continue; // neither this node nor its clients have a position in this room
            }
            try {
                warnClientsBehindTheHistory(room);
                EventId cursor = from;
                HistorySlice slice;
                do {
                    slice = broker.history(room, cursor, historySize);
                    slice.messages().forEach(this::onMessage);
                    if (!slice.messages().isEmpty()) {
                        cursor = EventId.parse(slice.messages().get(slice.messages().size() - 1).id());
                    }
                } while (slice.messages().size() == historySize);
            } catch (BrokerUnavailableException e) {
                LOG.log(Level.WARNING, "Could not catch up room ''{0}'' after resubscribing: {1}",
                        new Object[] {room, e.getMessage()});
            }
        }
    }
}
