package org.ssechat.hub;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.ssechat.chat.ChatRequestException;
import org.ssechat.chat.RoomNames;
import org.ssechat.http.QueryParameters;
import org.ssechat.sse.EventId;
import org.ssechat.sse.RoomPositions;

/**
 * Where a new stream starts in each of its rooms: after the client's {@code Last-Event-ID} (the
 * header EventSource sends when it reconnects, or the query parameter {@code lastEventId} for
 * clients that cannot set headers), or with the room's newest {@code history} messages, or with
 * nothing. For a one-room stream the id is a message id; for a stream of many rooms it names a
 * position in each (see {@link RoomPositions}), and a room it does not name starts as on a new
 * stream. {@code Last-Event-ID} wins: an EventSource opened with {@code ?history=20} reconnects
 * to the same URL, and must then resume rather than get the 20 again.
 *
 * @param lastEventId the id as the client sent it, or null (said back in a {@code reset} event)
 * @param history     how many recent messages a room the id does not name starts with
 */
public record ResumeRequest(String lastEventId, int history) {

    public static final ResumeRequest NONE = new ResumeRequest(null, 0);

    /** Where one room of the stream starts. */
    public sealed interface Start {
    }

    /** A room new to the stream: its newest {@code count} messages (none: live). */
    public record Newest(int count) implements Start {
    }

    /** A room the client was in: what came after {@code id}. */
    public record After(EventId id) implements Start {
    }

    /** The id is not one of this server's: the client may have missed anything. */
    public record Unknown() implements Start {
    }

    /**
     * @param lastEventIdHeader the request's {@code Last-Event-ID} header, or null
     * @param query             the request's query parameters
     * @param maxHistory        a larger {@code history} is cut to it: the history holds no more
     * @throws ChatRequestException (400) for a {@code history} that is not a whole number
     */
    public static ResumeRequest from(String lastEventIdHeader, QueryParameters query, int maxHistory)
            throws ChatRequestException {
        String lastEventId = nonEmpty(lastEventIdHeader);
        if (lastEventId == null) {
            lastEventId = nonEmpty(query.get("lastEventId"));
        }
        // Checked even when Last-Event-ID wins, so a bad URL fails on first use, not on reconnect.
        return new ResumeRequest(lastEventId, history(query.get("history"), maxHistory));
    }

    /** Whether the client sent an id to resume from. */
    public boolean resumes() {
        return lastEventId != null;
    }

    /**
     * Where each room of a stream starts, the id read once for all of them.
     *
     * @param rooms the stream's rooms: with more than one, its ids name every room
     */
    public List<Start> startsOf(List<String> rooms) {
        List<Start> starts = new ArrayList<>(rooms.size());
        if (lastEventId == null) {
            rooms.forEach(room -> starts.add(new Newest(history)));
            return starts;
        }
        EventId plain = rooms.size() == 1 ? EventId.parse(lastEventId) : null;
        Map<String, EventId> named = plain == null ? RoomPositions.parse(lastEventId, RoomNames::isValid) : null;
        for (String room : rooms) {
            if (plain != null) {
                starts.add(new After(plain));
            } else if (named == null) {
                starts.add(new Unknown());
            } else {
                EventId position = named.get(room);
                starts.add(position != null ? new After(position) : new Newest(history));
            }
        }
        return starts;
    }

    private static int history(String value, int maxHistory) throws ChatRequestException {
        if (value == null || value.isEmpty()) {
            return 0;
        }
        if (value.length() > 9 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new ChatRequestException(400, "history must be a whole number from 0 to " + maxHistory);
        }
        return Math.min(Integer.parseInt(value), maxHistory);
    }

    private static String nonEmpty(String value) {
        return value == null || value.isEmpty() ? null : value;
    }
}
