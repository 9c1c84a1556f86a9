package org.ssechat.presence;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.ssechat.auth.AuthAnswers;
import org.ssechat.auth.RoomAccess;
import org.ssechat.chat.ChatRequestException;
import org.ssechat.chat.RoomNames;
import org.ssechat.http.JsonResponses;
import org.ssechat.http.QueryParameters;

/**
 * GET /presence?room=R: who is in a room now, on every node (see {@link PresenceView#toJson}).
 * Only readers the room allows in may ask (the stream's token rules); a bad room is a JSON 400.
 * While Redis is out the answer is this node's readers alone, with {@code "partial": true}.
 */
public final class PresenceServlet extends HttpServlet {

    private final transient RoomAccess access;
    private final transient PresenceHub presence;

    public PresenceServlet(RoomAccess access, PresenceHub presence) {
        this.access = access;
        this.presence = presence;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        QueryParameters query;
        String room;
        try {
            query = QueryParameters.parse(req.getQueryString());
            room = RoomNames.requested(query.get("room"));
        } catch (ChatRequestException e) {
            JsonResponses.error(resp, e.status(), e.getMessage());
            return;
        }
        if (AuthAnswers.refusedReader(access, req, query, room, resp)) {
            return;
        }
        JsonResponses.send(resp, HttpServletResponse.SC_OK, presence.view(room).toJson());
    }
}
