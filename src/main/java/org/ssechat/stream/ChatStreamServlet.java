package org.ssechat.stream;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.ssechat.auth.AuthAnswers;
import org.ssechat.auth.Identity;
import org.ssechat.auth.RoomAccess;
import org.ssechat.chat.ChatEvents;
import org.ssechat.chat.ChatRequestException;
import org.ssechat.chat.MessageValidator;
import org.ssechat.chat.RoomNames;
import org.ssechat.http.JsonResponses;
import org.ssechat.http.QueryParameters;
import org.ssechat.hub.ResumeRequest;
import org.ssechat.hub.StreamReplay;
import org.ssechat.presence.PresenceHub;
import org.ssechat.presence.Reader;
import org.ssechat.sse.SseClient;
import org.ssechat.sse.SseStreamOpener;

/**
 * GET /sse?room=NAME (repeated for many rooms, at most {@code CHAT_MAX_ROOMS_PER_STREAM}): the
 * chat stream of one room or many, for a caller its token allows in each room that needs one
 * (see {@link RoomAccess}); a stream opened with a token ends with {@code event: expired}
 * when the token does. {@code Last-Event-ID} (or
 * {@code ?lastEventId=}) resumes after that message; {@code ?history=N} starts with the newest N;
 * {@code ?clock=1} starts with the server's time (an {@code event: time}); {@code ?presence=1}
 * adds {@code event: presence} and {@code event: typing} (off by default, so a script that reads
 * every event as a message is not handed others); {@code ?name=} names an anonymous reader in
 * its rooms' presence.
 * A bad request is a JSON 4xx before any stream starts; a stream the node cannot take now is
 * refused in the form EventSource retries (see {@link org.ssechat.sse.StreamRefusal}).
 */
public final class ChatStreamServlet extends HttpServlet {

    /** What a stream request asks for, once checked. */
    private record StreamRequest(List<String> rooms, ResumeRequest resume, boolean clock, Identity identity,
            Reader reader, boolean presence) {
    }

    private final transient StreamGate gate;
    private final transient RoomAccess access;
    private final transient StreamReplay streams;
    private final transient TokenExpiry expiries;
    private final transient Clock clock;
    private final int historySize;
    private final int maxRooms;
    private final transient PresenceHub presence;
    private final transient MessageValidator validator;

    /**
     * @param historySize the most messages a stream may ask to start with ({@code CHAT_HISTORY_SIZE})
     * @param maxRooms    the most rooms one stream may follow ({@code CHAT_MAX_ROOMS_PER_STREAM})
     */
    public ChatStreamServlet(StreamGate gate, RoomAccess access, StreamReplay streams, TokenExpiry expiries, Clock clock,
            int historySize, int maxRooms, PresenceHub presence, MessageValidator validator) {
        this.presence = presence;
        this.validator = validator;
        this.gate = gate;
        this.access = access;
        this.streams = streams;
        this.expiries = expiries;
        this.clock = clock;
        this.historySize = historySize;
        this.maxRooms = maxRooms;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        StreamRequest request = checked(req, resp);
        if (request == null) {
            return;
        }
        StreamAdmission.Ticket ticket = gate.admit(req, resp);
        if (ticket == null) {
            return;
        }
        // Closing the stream cancels its expiry: nothing is left queued for a stream that ended.
        AtomicReference<ScheduledFuture<?>> expiry = new AtomicReference<>();
        AtomicReference<SseClient> opened = new AtomicReference<>();
        Runnable onClosed = () -> {
            ticket.release();
            SseClient gone = opened.get();
            if (gone != null) {
                presence.leave(gone);
            }
            ScheduledFuture<?> due = expiry.getAndSet(null);
            if (due != null) {
                due.cancel(false);
            }
        };
        SseClient client;
        try {
            byte[][] first = request.clock() ? new byte[][] {ChatEvents.time(clock.instant())} : new byte[0][];
            client = streams.open(req, resp, request.rooms(), request.resume(), onClosed, first);
        } catch (IOException | RuntimeException e) {
            ticket.release();
            throw e;
        }
        // In the room's presence from now; a stream that ended meanwhile leaves again at once.
        opened.set(client);
        presence.join(client, request.reader(), request.presence());
        if (!client.isOpen()) {
            presence.leave(client);
        }
        Identity identity = request.identity();
        if (identity != null) {
            expiry.set(expiries.at(identity.expiresAt(), () -> {
                client.send(ChatEvents.expired(identity.expiresAt()));
                client.endWhenWritten();
            }));
            if (!client.isOpen()) {
                onClosed.run(); // it ended before its expiry was set: cancel that too (release is idempotent)
            }
        }
    }

    /**
     * The headers a GET would answer with, and nothing held: the servlet API's default HEAD runs
     * GET into a body-less response, which would open a stream no write could ever end.
     */
    @Override
    protected void doHead(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if (checked(req, resp) != null) {
            resp.setStatus(HttpServletResponse.SC_OK);
            SseStreamOpener.setStreamHeaders(resp);
        }
    }

    /** A 0-or-1 parameter's value, or null when absent. */
    private static String flag(QueryParameters query, String name) throws ChatRequestException {
        String value = query.get(name);
        if (value != null && !value.equals("0") && !value.equals("1")) {
            throw new ChatRequestException(HttpServletResponse.SC_BAD_REQUEST, name + " must be 0 or 1");
        }
        return value;
    }

    /** The rooms, where to start and who asks, or null after answering a 400, 401 or 403. */
    private StreamRequest checked(HttpServletRequest req, HttpServletResponse resp)
            throws IOException {
        try {
            QueryParameters query = QueryParameters.parse(req.getQueryString());
            List<String> rooms = RoomNames.requested(query.all("room"), maxRooms);
            String clock = flag(query, "clock");
            String listens = flag(query, "presence");
            ResumeRequest resume = ResumeRequest.from(req.getHeader("Last-Event-ID"), query, historySize);
            RoomAccess.Caller caller = access.identify(req, query);
            // One room the caller may not read refuses the whole stream, naming that room.
            for (String room : rooms) {
                Optional<RoomAccess.Denial> denial = access.check(caller, room, false);
                if (denial.isPresent()) {
                    AuthAnswers.deny(resp, denial.get());
                    return null;
                }
            }
            // An anonymous reader may give a name to be shown by (a token's name counts otherwise).
            String name = query.get("name");
            String shown = caller.identity() == null && name != null ? validator.checkSender(name) : null;
            return new StreamRequest(rooms, resume, "1".equals(clock), caller.identity(),
                    Reader.of(caller.identity(), shown), "1".equals(listens));
        } catch (ChatRequestException e) {
            JsonResponses.error(resp, e.status(), e.getMessage());
            return null;
        }
    }
}
