package org.ssechat.history;

import java.util.regex.Pattern;
import org.ssechat.chat.ChatRequestException;
import org.ssechat.chat.RoomNames;
import org.ssechat.http.QueryParameters;
import org.ssechat.sse.EventId;

/**
 * What a GET /history asks for, checked: its room, the id it pages back from (null: the
 * newest), and how many messages at most.
 *
 * @param room   the room ({@code general} when the query names none)
 * @param before the messages before this id, or null for the newest
 * @param limit  at most this many, from 1 to {@link #MAX_LIMIT}
 */
record HistoryQuery(String room, EventId before, int limit) {

    /** A page without {@code limit}: the chat page's own page size. */
    static final int DEFAULT_LIMIT = 50;
    /** The largest page: one answer stays small, however large the history is. */
    static final int MAX_LIMIT = 100;
    /** A whole number written plainly: no sign, no spaces, no more digits than 100 has. */
    private static final Pattern WHOLE_NUMBER = Pattern.compile("[0-9]{1,3}");

    /** @throws ChatRequestException (400) for a bad room name, a {@code before} that is not an id, or a bad limit */
    static HistoryQuery from(QueryParameters query) throws ChatRequestException {
        String room = RoomNames.requested(query.get("room"));
        String beforeText = query.get("before");
        EventId before = null;
        if (beforeText != null) {
            before = EventId.parse(beforeText);
            if (before == null) {
                throw ChatRequestException.badRequest("before must be a message id (<millis>-<sequence>)");
            }
        }
        return new HistoryQuery(room, before, limit(query.get("limit")));
    }

    private static int limit(String text) throws ChatRequestException {
        if (text == null) {
            return DEFAULT_LIMIT;
        }
        int limit = WHOLE_NUMBER.matcher(text).matches() ? Integer.parseInt(text) : 0;
        if (limit < 1 || limit > MAX_LIMIT) {
            throw ChatRequestException.badRequest("limit must be a whole number from 1 to " + MAX_LIMIT);
        }
        return limit;
    }
}
