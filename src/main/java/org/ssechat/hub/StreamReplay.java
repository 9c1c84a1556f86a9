package org.ssechat.hub;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
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
import org.ssechat.sse.EventId;
import org.ssechat.sse.SseClient;
import org.ssechat.sse.SseStreamOpener;

/**
 * Opens a chat stream and first sends what the request asks for from the room's history (after
 * its {@code Last-Event-ID}, or the newest {@code ?history=N}), with live messages held back
 * meanwhile and released after it. A replay goes out a page at a time (see {@link Page}).
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
     * @param onClosed    runs once when the stream ends (its admission ends)
     * @param firstFrames frames that go out before any message (the {@code time} event)
     * @return the stream, live (or already closed, if its client went away meanwhile)
     */
    public SseClient open(HttpServletRequest req, HttpServletResponse resp, String room, ResumeRequest resume,
            Runnable onClosed, byte[]... firstFrames) throws IOException {
        SseClient client = opener.open(req, resp, room, clients, true, onClosed, firstFrames);
        try {
            // Registered, the room is followed: once its messages come here live, nothing can
            // fall between the history read below and them. (The catch-ups on the broker's
            // thread need no such wait: each runs once its room is subscribed.)
            broker.awaitSubscribed(room);
            if (resume.lastEventId() != null || resume.history() > 0) {
                metrics.replayed();
            }
            if (resume.lastEventId() != null) {
                resume(client, room, resume);
            } else {
                HistorySlice recent = broker.history(room, null, resume.history());
                new Page(client).replay(recent.messages());
                // In-flight messages up to here must not come twice. An empty history: every
                // message from now on is new to this client (and a catch-up starts at the start).
                client.startAt(recent.last() != null ? recent.last() : EventId.ZERO);
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
        return client;
    }

    /** Replays the messages after the request's {@code Last-Event-ID}, or says that some may be missing. */
    private void resume(SseClient client, String room, ResumeRequest resume) throws BrokerUnavailableException {
        EventId after = resume.after();
        String lastEventId = resume.lastEventId();
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
            HistorySlice slice = broker.history(room, cursor, pageSize);
            if (!page.replay(slice.messages()) || slice.messages().size() < pageSize) {
                return;
            }
            cursor = slice.messages().get(slice.messages().size() - 1).id();
        }
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

        /** @return false when the page is full or the stream ended: nothing more is to be sent */
        boolean replay(List<ChatMessage> batch) {
            for (ChatMessage message : batch) {
                if (!client.isOpen()) {
                    return false;
                }
                byte[] frame = ChatEvents.message(message);
                if (messages > 0 && bytes + frame.length > limit) {
                    client.endWhenWritten();
                    return false;
                }
                client.replay(message.id(), frame);
                bytes += frame.length;
                messages++;
            }
            return true;
        }
    }
}
