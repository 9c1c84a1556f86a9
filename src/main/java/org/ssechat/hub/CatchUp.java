package org.ssechat.hub;

import java.util.logging.Level;
import java.util.logging.Logger;
import org.ssechat.broker.Broker;
import org.ssechat.broker.BrokerUnavailableException;
import org.ssechat.broker.HistorySlice;
import org.ssechat.chat.ChatEvents;
import org.ssechat.chat.ChatMessage;
import org.ssechat.sse.ClientRegistry;
import org.ssechat.sse.EventFrame;
import org.ssechat.sse.EventId;
import org.ssechat.sse.SseClient;

/**
 * Delivers what this node missed: after the broker resubscribed (messages accepted meanwhile
 * are in the history but were never delivered here) or dropped messages on their way here.
 * Each room with clients is replayed from its least advanced client, through the live road; the
 * clients' cursors drop what each has already, so nothing arrives twice.
 *
 * <p>Runs on the broker's delivery thread, in order with the live messages, never on the thread
 * that reads the subscription (which must keep reading while this runs).
 */
final class CatchUp {

    private static final Logger LOG = Logger.getLogger(CatchUp.class.getName());

    private final ClientRegistry clients;
    private final Broker broker;
    private final LiveFanOut live;
    private final int pageSize;

    /** @param pageSize the most messages one history read returns */
    CatchUp(ClientRegistry clients, Broker broker, LiveFanOut live, int pageSize) {
        this.clients = clients;
        this.broker = broker;
        this.live = live;
        this.pageSize = pageSize;
    }

    /** Catches up every room with clients. */
    void run() {
        live.forgetRoomsWithoutClients();
        for (String room : clients.rooms()) {
            run(room);
        }
    }

    /** Catches up one room, if it has clients here. */
    void run(String room) {
        EventId from = startOf(room);
        if (from == null) {
            return; // no client of this room has a position yet: each is still opening, and replays itself
        }
        try {
            warnClientsBehindTheHistory(room);
            replayAfter(room, from);
        } catch (BrokerUnavailableException e) {
            // Going on live would move the clients' cursors past the gap for good. Ended, each
            // stream comes back with its Last-Event-ID and replays the gap once the history answers.
            LOG.log(Level.WARNING, "Could not catch up room ''{0}'' ({1}); ending its streams, which resume from"
                    + " their Last-Event-ID", new Object[] {room, e.getMessage()});
            for (SseClient client : clients.clientsIn(room)) {
                client.close("its room could not be caught up; it resumes from its Last-Event-ID");
            }
        }
    }

    /**
     * Where a room's catch-up starts: its least advanced client's cursor, or the newest id
     * delivered here if that is older. A stream opened on an empty history stands at
     * {@link EventId#ZERO}: everything the history holds now came after it.
     */
    private EventId startOf(String room) {
        EventId from = clients.clientsIn(room).stream()
                .map(client -> client.cursor(room)).filter(c -> c != null).min(EventId::compareTo).orElse(null);
        EventId delivered = live.lastDelivered(room);
        if (from == null || (delivered != null && from.isAfter(delivered))) {
            from = delivered;
        }
        return from;
    }

    private void replayAfter(String room, EventId from) throws BrokerUnavailableException {
        EventId cursor = from;
        HistorySlice slice;
        do {
            slice = broker.history(room, cursor, pageSize);
            live.deliver(slice.messages()); // a page goes out as batches: one write a stream
            if (!slice.messages().isEmpty()) {
                cursor = slice.messages().get(slice.messages().size() - 1).id();
            }
        } while (slice.messages().size() == pageSize);
    }

    /** Clients whose cursor is older than what the history still holds get a reset event. */
    private void warnClientsBehindTheHistory(String room) throws BrokerUnavailableException {
        EventId first = broker.history(room, null, 0).first();
        if (first == null) {
            return;
        }
        for (SseClient client : clients.clientsIn(room)) {
            EventId cursor = client.cursor(room);
            // ZERO is "opened on an empty history": there is no older position to compare, and the
            // history still reaches back CHAT_HISTORY_SIZE messages, which is all that can be replayed.
            if (cursor != null && !cursor.equals(EventId.ZERO) && first.isAfter(cursor)) {
                LOG.warning("A client of room '" + room + "' lost messages while this node was cut off: the history "
                        + "no longer reaches back to " + cursor);
                client.sendEvent(room, null, EventFrame.of(ChatEvents.reset("messages were lost while this server was "
                        + "disconnected from Redis", cursor.toString(), room)));
            }
        }
    }
}
