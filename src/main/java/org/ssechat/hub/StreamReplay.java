package org.ssechat.hub;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.ssechat.broker.Broker;
import org.ssechat.broker.BrokerUnavailableException;
import org.ssechat.broker.HistorySlice;
import org.ssechat.chat.ChatEvents;
import org.ssechat.chat.ChatMessage;
import org.ssechat.metrics.ChatMetrics;
import org.ssechat.sse.ClientRegistry;
import org.ssechat.sse.EventFrame;
import org.ssechat.sse.EventId;
import org.ssechat.sse.SseClient;
import org.ssechat.sse.SseStreamOpener;

/**
 * Opens a chat stream of one room or many and first sends what the request asks for from each
 * room's history (after its position in the {@code Last-Event-ID}, or the newest
 * {@code ?history=N}), with live messages held back meanwhile and released after it. A replay
 * goes out a page at a time (see {@link Page}), the rooms in the order asked for.
 */
public final class StreamReplay {

    private static final Logger LOG = Logger.getLogger(StreamReplay.class.getName());

    private final ClientRegistry clients;
    private final Broker broker;
    private final SseStreamOpener opener;
    private final int pageSize;
    private final ChatMetrics metrics;

    /** @param pageSize the most messages one history read returns */
    public StreamReplay(ClientRegistry clients, Broker broker, SseStreamOpener opener, int pageSize,
            ChatMetrics metrics) {
        this.clients = clients;
        this.broker = broker;
        this.opener = opener;
        this.pageSize = pageSize;
        this.metrics = metrics;
    }

    /**
     * Opens an admitted stream and replays what the request asks for before the live messages.
     *
     * @param rooms       the stream's rooms, each once, in the order asked for
     * @param onClosed    runs once when the stream ends (its admission ends)
     * @param firstFrames frames that go out before any message (the {@code time} event)
     * @return the stream, live (or already closed, if its client went away meanwhile)
     */
    public SseClient open(HttpServletRequest req, HttpServletResponse resp, List<String> rooms, ResumeRequest resume,
            Runnable onClosed, byte[]... firstFrames) throws IOException {
        SseClient client = opener.open(req, resp, rooms, clients, true, onClosed, firstFrames);
        List<ResumeRequest.Start> starts = resume.startsOf(rooms);
        for (int i = 0; i < rooms.size(); i++) {
            if (starts.get(i) instanceof ResumeRequest.After after) {
                // Set at once: a catch-up that runs while this reads the history must know where it stands.
                client.startAt(rooms.get(i), after.id());
            }
        }
        String room = rooms.get(0);
        try {
            if (resume.resumes() || resume.history() > 0) {
                metrics.replayed();
            }
            // First where each room starts, then what each is sent: a stream that ends after a
            // page (see Page) names every room in its last id, so the next one misses nothing,
            // also in the rooms this one never got to.
            List<RoomReplay> replays = new ArrayList<>(rooms.size());
            for (int i = 0; i < rooms.size(); i++) {
                room = rooms.get(i);
                // Registered, the room is followed: once its messages come here live, nothing can
                // fall between the history read below and them. (The catch-ups on the broker's
                // thread need no such wait: each runs once its room is subscribed.)
                broker.awaitSubscribed(room);
                replays.add(plan(client, room, starts.get(i), resume.lastEventId()));
            }
            Page page = new Page(client);
            for (int i = 0; i < rooms.size() && page.open(); i++) {
                room = rooms.get(i);
                replays.get(i).send(page);
            }
            if (page.open()) {
                client.sendPosition();
            }
        } catch (BrokerUnavailableException e) {
            LOG.log(Level.WARNING, "No history for a new stream of room ''{0}'': {1}", new Object[] {room, e.getMessage()});
            if (resume.resumes()) {
                // Going live now would skip what the client missed. Ending the stream makes
                // EventSource reconnect after the retry delay with the same Last-Event-ID, and
                // replay then. (An error status would make it give up for good.)
                client.close("its history is unavailable; the client reconnects and resumes later");
            }
        } finally {
            client.releaseHeldEvents();
        }
        return client;
    }

    /** What one room is sent when the stream starts, its start already set. */
    @FunctionalInterface
    private interface RoomReplay {
        void send(Page page) throws BrokerUnavailableException;
    }

    /**
     * Sets where the client stands in one room, and says what it is to be sent there. A
     * {@code reset} goes out at once, before any room's messages, and leaves the room at a
     * position that does not call for it again: a stream that ends after a page does not say it
     * twice, nor leave it unsaid for a room it never got to.
     */
    private RoomReplay plan(SseClient client, String room, ResumeRequest.Start start, String lastEventId)
            throws BrokerUnavailableException {
        if (start instanceof ResumeRequest.After resumed) {
            return resume(client, room, resumed.id(), lastEventId);
        }
        if (start instanceof ResumeRequest.Newest newest) {
            return newest(client, room, newest.count());
        }
        reset(client, room, EventId.ZERO, "the Last-Event-ID is not an id of this server", lastEventId);
        return page -> replayAll(client, room, null, page);
    }

    /** Says that messages of a room may have been missed, and sets where the client now stands there. */
    private static void reset(SseClient client, String room, EventId position, String reason, String lastEventId) {
        client.startAt(room, position);
        client.sendAhead(ChatEvents.reset(reason, lastEventId, room));
    }

    /**
     * A room new to the stream: its newest {@code count} messages. It stands just before them
     * (at the message before them, or at the start of an empty or short history), so in-flight
     * messages do not come twice, and a stream that ends before sending them sends them next time.
     */
    private RoomReplay newest(SseClient client, String room, int count) throws BrokerUnavailableException {
        if (count == 0) {
            HistorySlice bounds = broker.history(room, null, 0);
            client.startAt(room, bounds.last() != null ? bounds.last() : EventId.ZERO);
            return page -> { };
        }
        List<ChatMessage> recent = broker.history(room, null, count + 1).messages();
        if (recent.size() > count) {
            client.startAt(room, recent.get(0).id());
            recent = recent.subList(1, recent.size());
        } else {
            client.startAt(room, EventId.ZERO); // all of the history is to be sent
        }
        List<ChatMessage> toSend = recent;
        return page -> page.replay(room, toSend);
    }

    /**
     * A room the client was in: what it missed after its position, or a reset saying what may be
     * missing. {@link EventId#ZERO} is the start of the history: what it holds is all to be sent.
     */
    private RoomReplay resume(SseClient client, String room, EventId after, String lastEventId)
            throws BrokerUnavailableException {
        if (after.equals(EventId.ZERO)) {
            // The room's history was empty when the client's stream started there (or a reset
            // said what may be missing): all it holds now came later, and is all there is to send.
            return page -> replayAll(client, room, null, page);
        }
        HistorySlice bounds = broker.history(room, null, 0);
        if (bounds.last() == null) {
            reset(client, room, EventId.ZERO, "the room has no history", lastEventId);
            return page -> { };
        }
        if (after.isAfter(bounds.last())) {
            reset(client, room, bounds.last(), "the Last-Event-ID is newer than the room's history", lastEventId);
            return page -> { };
        }
        if (bounds.first().isAfter(after)) {
            reset(client, room, EventId.ZERO, "the Last-Event-ID is older than the room's history", lastEventId);
            return page -> replayAll(client, room, null, page);
        }
        return page -> replayAll(client, room, after, page);
    }

    /** Replays everything of a room after {@code after} (all of it for null), one bounded read at a time. */
    private void replayAll(SseClient client, String room, EventId after, Page page) throws BrokerUnavailableException {
        EventId cursor = after == null ? EventId.ZERO : after;
        while (page.open()) {
            HistorySlice slice = broker.history(room, cursor, pageSize);
            if (!page.replay(room, slice.messages()) || slice.messages().size() < pageSize) {
                return;
            }
            cursor = slice.messages().get(slice.messages().size() - 1).id();
        }
    }

    /**
     * One stream's share of a replay, all its rooms together: at most half its buffer, and at
     * least one message, so a replay never overflows the buffer it is meant to fill. When the page is full the stream
     * ends once it is written; EventSource reconnects with the newest id it got and is served
     * the next page.
     */
    private static final class Page {
        private final SseClient client;
        private final long limit;
        private long bytes;
        private int messages;
        private boolean full;

        Page(SseClient client) {
            this.client = client;
            this.limit = client.bufferBytes() / 2;
        }

        /** Whether more may be sent: the page is not full and the stream is open. */
        boolean open() {
            return !full && client.isOpen();
        }

        /** @return false when the page is full or the stream ended: nothing more is to be sent */
        boolean replay(String room, List<ChatMessage> batch) {
            for (ChatMessage message : batch) {
                if (!open()) {
                    return false;
                }
                byte[] frame = ChatEvents.message(message);
                long cost = frame.length + client.ownBytesPerEvent();
                if (messages > 0 && bytes + cost > limit) {
                    full = true;
                    client.endWhenWritten();
                    return false;
                }
                client.replay(room, message.id(), EventFrame.withId(frame));
                bytes += cost;
                messages++;
            }
            return true;
        }
    }
}
