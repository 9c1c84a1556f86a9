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
        boolean manyRooms = rooms.size() > 1;
        List<ResumeRequest.Start> starts = new ArrayList<>(rooms.size());
        for (String room : rooms) {
            ResumeRequest.Start start = resume.startOf(room, manyRooms);
            starts.add(start);
            if (start instanceof ResumeRequest.After after) {
                // Set at once: a catch-up that runs while this reads the history must know where it stands.
                client.startAt(room, after.id());
            }
        }
        String room = rooms.get(0);
        try {
            if (resume.resumes() || resume.history() > 0) {
                metrics.replayed();
            }
            Page page = new Page(client);
            for (int i = 0; i < rooms.size() && page.open(); i++) {
                room = rooms.get(i);
                // Registered, the room is followed: once its messages come here live, nothing can
                // fall between the history read below and them. (The catch-ups on the broker's
                // thread need no such wait: each runs once its room is subscribed.)
                broker.awaitSubscribed(room);
                start(client, room, starts.get(i), resume.lastEventId(), page);
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

    /** Sends what one room starts with, and sets where the client stands in it. */
    private void start(SseClient client, String room, ResumeRequest.Start start, String lastEventId, Page page)
            throws BrokerUnavailableException {
        if (start instanceof ResumeRequest.After resumed) {
            resume(client, room, resumed.id(), lastEventId, page);
        } else if (start instanceof ResumeRequest.Newest newest) {
            HistorySlice recent = broker.history(room, null, newest.count());
            page.replay(room, recent.messages());
            // In-flight messages up to here must not come twice. An empty history: every
            // message from now on is new to this client (and a catch-up starts at the start).
            client.startAt(room, recent.last() != null ? recent.last() : EventId.ZERO);
        } else {
            client.replay(ChatEvents.reset("the Last-Event-ID is not an id of this server", lastEventId, room));
            replayAll(client, room, null, page);
        }
    }

    /** Replays the messages of a room after the client's position, or says that some may be missing. */
    private void resume(SseClient client, String room, EventId after, String lastEventId, Page page)
            throws BrokerUnavailableException {
        HistorySlice bounds = broker.history(room, null, 0);
        if (bounds.last() == null) {
            client.replay(ChatEvents.reset("the room has no history", lastEventId, room));
        } else if (after.isAfter(bounds.last())) {
            client.replay(ChatEvents.reset("the Last-Event-ID is newer than the room's history", lastEventId, room));
            client.startAt(room, bounds.last());
        } else if (after.equals(EventId.ZERO)) {
            // The room's history was empty when the client's stream started there: all it holds
            // now came later, and is all that can be replayed (as a catch-up takes it, see CatchUp).
            replayAll(client, room, null, page);
        } else if (bounds.first().isAfter(after)) {
            client.replay(ChatEvents.reset("the Last-Event-ID is older than the room's history", lastEventId, room));
            replayAll(client, room, null, page);
        } else {
            replayAll(client, room, after, page);
        }
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
                if (messages > 0 && bytes + frame.length > limit) {
                    full = true;
                    client.endWhenWritten();
                    return false;
                }
                client.replay(room, message.id(), EventFrame.withId(frame));
                bytes += frame.length;
                messages++;
            }
            return true;
        }
    }
}
