package org.ssechat.http;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.ssechat.auth.RoomAccess;

/** The answers to a request refused for its token: JSON, and a 401 says how to authenticate (RFC 6750). */
public final class AuthAnswers {

    private AuthAnswers() {
    }

    public static void challenge(HttpServletResponse resp, RoomAccess.Denial denial) {
        if (denial.isUnauthorized()) {
            resp.setHeader("WWW-Authenticate", denial.reason() == RoomAccess.Reason.MISSING
                    ? "Bearer realm=\"sse-chat\""
                    : "Bearer realm=\"sse-chat\", error=\"invalid_token\"");
        }
    }

    public static void deny(HttpServletResponse resp, RoomAccess.Denial denial) throws IOException {
        challenge(resp, denial);
        JsonResponses.error(resp, denial.status(), denial.error());
    }
}
