package org.ssechat.ops;

import com.google.gson.JsonObject;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;
import org.ssechat.auth.AuthAnswers;
import org.ssechat.auth.Identity;
import org.ssechat.auth.RoomAccess;
import org.ssechat.chat.ChatRequestException;
import org.ssechat.chat.MessageJson;
import org.ssechat.chat.RoomNames;
import org.ssechat.http.JsonResponses;
import org.ssechat.http.QueryParameters;

/**
 * GET /me?room=NAME: who the request's token says it is from, and what it may do in the room,
 * for the page, which cannot read an HttpOnly token cookie: {@code {"tokens","room","needsToken",
 * "canRead","canPost","user":{"id","name","expiresAt"}}}, {@code user} null without a token. A
 * token that is given but not accepted is a 401, as everywhere.
 */
public final class IdentityServlet extends HttpServlet {

    private final transient RoomAccess access;

    public IdentityServlet(RoomAccess access) {
        this.access = access;
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
        RoomAccess.Caller caller = access.identify(req, query);
        Optional<RoomAccess.Denial> badToken = access.checkToken(caller);
        if (badToken.isPresent()) {
            AuthAnswers.deny(resp, badToken.get());
            return;
        }
        JsonObject json = new JsonObject();
        json.addProperty("tokens", !access.tokensEnabled() ? "off" : access.tokensRequired() ? "required" : "private-rooms");
        json.addProperty("room", room);
        json.addProperty("needsToken", access.needsToken(room));
        // Asking is not trying: these answers are not counted as refusals.
        json.addProperty("canRead", access.allows(caller, room, false));
        json.addProperty("canPost", access.allows(caller, room, true));
        Identity identity = caller.identity();
        if (identity != null) {
            JsonObject user = new JsonObject();
            user.addProperty("id", identity.subject());
            user.addProperty("name", identity.name());
            user.addProperty("expiresAt", identity.expiresAt().toString());
            json.add("user", user);
        } else {
            json.add("user", null);
        }
        JsonResponses.send(resp, HttpServletResponse.SC_OK, MessageJson.GSON_WITH_NULLS.toJson(json));
    }
}
