package org.ssechat.auth;

import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import org.ssechat.chat.QueryParameters;

/**
 * Where a request carries its token, the first found winning: {@code Authorization: Bearer},
 * the cookie {@code sse_chat_token} (what a backend sets, HttpOnly, for EventSource, which cannot
 * send headers), or the query parameter {@code access_token} (RFC 6750, section 2.3: for
 * EventSource across origins, and for curl).
 */
public final class TokenCarrier {

    public static final String COOKIE = "sse_chat_token";
    public static final String QUERY_PARAMETER = "access_token";
    private static final String BEARER = "Bearer ";

    private TokenCarrier() {
    }

    /**
     * @param notAToken a bearer value that is something else (the shared publish secret), or null
     * @return the token, or null when the request carries none
     */
    public static String find(HttpServletRequest req, QueryParameters query, String notAToken) {
        String authorization = req.getHeader("Authorization");
        if (authorization != null && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            String value = authorization.substring(BEARER.length()).strip();
            if (!value.isEmpty() && !value.equals(notAToken)) {
                return value;
            }
        }
        Cookie[] cookies = req.getCookies();
        if (cookies != null) {
            for (Cookie cookie : cookies) {
                if (COOKIE.equals(cookie.getName()) && !cookie.getValue().isEmpty()) {
                    return cookie.getValue();
                }
            }
        }
        String fromQuery = query.get(QUERY_PARAMETER);
        return fromQuery == null || fromQuery.isEmpty() ? null : fromQuery;
    }
}
