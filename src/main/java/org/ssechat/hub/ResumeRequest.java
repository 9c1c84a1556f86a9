package org.ssechat.hub;

import org.ssechat.chat.ChatRequestException;
import org.ssechat.http.QueryParameters;
import org.ssechat.sse.EventId;

/**
 * Where a new stream starts: after the client's {@code Last-Event-ID} (the header EventSource
 * sends when it reconnects, or the query parameter {@code lastEventId} for clients that cannot
 * set headers), or with the room's newest {@code history} messages, or with nothing.
 * {@code Last-Event-ID} wins: an EventSource opened with {@code ?history=20} reconnects to the
 * same URL, and must then resume rather than get the 20 again.
 *
 * @param lastEventId the id as the client sent it, or null (said back in a {@code reset} event)
 * @param after       that id, parsed once here; null when there is none or it is not an id of ours
 * @param history     how many recent messages to start with (0 when resuming)
 */
public record ResumeRequest(String lastEventId, EventId after, int history) {

    public static final ResumeRequest NONE = new ResumeRequest(null, 0);

    /** A request with the id as the client sent it, parsed here. */
    public ResumeRequest(String lastEventId, int history) {
        this(lastEventId, EventId.parse(lastEventId), history);
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
        int history = history(query.get("history"), maxHistory);
        return new ResumeRequest(lastEventId, lastEventId != null ? 0 : history);
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
