package org.ssechat.auth;

import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.ssechat.http.QueryParameters;

/**
 * Where a request carries its token, the first found winning: {@code Authorization: Bearer},
 * the cookie {@code sse_chat_token} (what a backend sets, HttpOnly, for EventSource, which cannot
 * send headers), or the query parameter {@code access_token} (RFC 6750, section 2.3: for
 * EventSource across origins, and for curl).
 */
public final class TokenCarrier {

    public static final String COOKIE = "sse_chat_token";

    /** Which of the three places a token came from. */
    public enum Place { HEADER, COOKIE, QUERY }

    /** A token and where it was found. */
    public record Carried(String token, Place place) {
    }
    public static final String QUERY_PARAMETER = "access_token";
    private static final String BEARER = "Bearer ";

    private TokenCarrier() {
    }

    /**
     * @param notAToken a bearer value that is something else (the shared publish secret), or null
     * @return the token and its place, or null when the request carries none
     */
    public static Carried find(HttpServletRequest req, QueryParameters query, String notAToken) {
        String authorization = req.getHeader("Authorization");
        if (authorization != null && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            String value = authorization.substring(BEARER.length()).strip();
            if (!value.isEmpty() && !sameSecret(value, notAToken)) {
                return new Carried(value, Place.HEADER);
            }
        }
        Cookie[] cookies = req.getCookies();
        if (cookies != null) {
            for (Cookie cookie : cookies) {
                if (COOKIE.equals(cookie.getName()) && !cookie.getValue().isEmpty()) {
                    return new Carried(cookie.getValue(), Place.COOKIE);
                }
            }
        }
        String fromQuery = query.get(QUERY_PARAMETER);
        return fromQuery == null || fromQuery.isEmpty() ? null : new Carried(fromQuery, Place.QUERY);
    }

    /** The token of a request, or null (see {@link #find}). */
    public static String token(Carried carried) {
        return carried == null ? null : carried.token();
    }

    /** Constant time, as for the publish secret itself: the time taken must not tell how much matched. */
    private static boolean sameSecret(String value, String secret) {
        return secret != null && MessageDigest.isEqual(value.getBytes(StandardCharsets.UTF_8),
                secret.getBytes(StandardCharsets.UTF_8));
    }
}
