package org.ssechat.history;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.StringJoiner;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.ssechat.auth.AuthAnswers;
import org.ssechat.auth.RoomAccess;
import org.ssechat.broker.Broker;
import org.ssechat.broker.BrokerUnavailableException;
import org.ssechat.broker.HistorySlice;
import org.ssechat.chat.ChatMessage;
import org.ssechat.chat.ChatRequestException;
import org.ssechat.chat.MessageJson;
import org.ssechat.http.JsonResponses;
import org.ssechat.http.QueryParameters;

/**
 * GET /history?room=R&before=ID&limit=N: a page of a room's older messages, for a client paging
 * back from what its stream started with: {@code {"room","messages":[...],"more"}}, the messages
 * oldest first, each the JSON of its stream event, and whether older ones remain in the history.
 * The token rules are the stream's; a bad query is a JSON 400; a history that cannot be read now
 * (Redis down) is a 503 with {@code Retry-After}. HEAD is the servlet API's: GET without a body.
 */
public final class HistoryServlet extends HttpServlet {

    private static final Logger LOG = Logger.getLogger(HistoryServlet.class.getName());
    /** As a refused post's: Redis is back within seconds, or the node is not. */
    static final String RETRY_AFTER_SECONDS = "2";

    private final transient RoomAccess access;
    private final transient Broker broker;

    public HistoryServlet(RoomAccess access, Broker broker) {
        this.access = access;
        this.broker = broker;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        QueryParameters query;
        HistoryQuery asked;
        try {
            query = QueryParameters.parse(req.getQueryString());
            asked = HistoryQuery.from(query);
        } catch (ChatRequestException e) {
            JsonResponses.error(resp, e.status(), e.getMessage());
            return;
        }
        if (AuthAnswers.refusedReader(access, req, query, asked.room(), resp)) {
            return;
        }
        HistorySlice slice;
        try {
            slice = broker.historyBefore(asked.room(), asked.before(), asked.limit());
        } catch (BrokerUnavailableException e) {
            LOG.log(Level.WARNING, "Could not read the history of room ''{0}'': {1}",
                    new Object[] {asked.room(), e.getMessage()});
            resp.setHeader("Retry-After", RETRY_AFTER_SECONDS);
            JsonResponses.error(resp, HttpServletResponse.SC_SERVICE_UNAVAILABLE,
                    "the message broker is unavailable; the history cannot be read now");
            return;
        }
        JsonResponses.send(resp, HttpServletResponse.SC_OK, page(asked.room(), slice));
    }

    /**
     * {@code {"room","messages","more"}}: older messages remain when the page's oldest is not
     * the history's first (read in the same step as the page, so no second read can disagree).
     */
    static String page(String room, HistorySlice slice) {
        List<ChatMessage> messages = slice.messages();
        boolean more = !messages.isEmpty() && messages.get(0).id().isAfter(slice.first());
        StringJoiner json = new StringJoiner(",", "[", "]");
        messages.forEach(message -> json.add(MessageJson.toJson(message)));
        return "{\"room\":" + MessageJson.GSON.toJson(room) + ",\"messages\":" + json + ",\"more\":" + more + "}";
    }
}
