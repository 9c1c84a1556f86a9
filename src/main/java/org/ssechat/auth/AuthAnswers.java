package org.ssechat.auth;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;
import org.ssechat.http.JsonResponses;
import org.ssechat.http.QueryParameters;

/** The answers to a request refused for its token: JSON, and a 401 says how to authenticate (RFC 6750). */
public final class AuthAnswers {

    /** The challenge to a request that carries no credentials (RFC 6750 §3). */
    public static final String CHALLENGE = "Bearer realm=\"sse-chat\"";

    private AuthAnswers() {
    }

    /** The {@code WWW-Authenticate} value a refusal for the token needs, or null (a 403 needs none). */
    public static String challenge(RoomAccess.Denial denial) {
        if (!denial.isUnauthorized()) {
            return null;
        }
        return denial.reason() == RoomAccess.Reason.MISSING
                ? CHALLENGE
                : CHALLENGE + ", error=\"invalid_token\"";
    }

    public static void challenge(HttpServletResponse resp, RoomAccess.Denial denial) {
        String challenge = challenge(denial);
        if (challenge != null) {
            resp.setHeader("WWW-Authenticate", challenge);
        }
    }

    public static void deny(HttpServletResponse resp, RoomAccess.Denial denial) throws IOException {
        challenge(resp, denial);
        JsonResponses.error(resp, denial.status(), denial.error());
    }

    /**
     * For the readers of a room other than its stream (GET /history, GET /presence): whether the
     * request may not read the room, having answered the 401 or 403 that says so.
     */
    public static boolean refusedReader(RoomAccess access, HttpServletRequest req, QueryParameters query, String room,
            HttpServletResponse resp) throws IOException {
        Optional<RoomAccess.Denial> denial = access.check(access.identify(req, query), room, false);
        if (denial.isPresent()) {
            deny(resp, denial.get());
        }
        return denial.isPresent();
    }
}
