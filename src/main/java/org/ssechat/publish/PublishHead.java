package org.ssechat.publish;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.List;
import java.util.Optional;
import org.ssechat.auth.AuthAnswers;
import org.ssechat.auth.RoomAccess;
import org.ssechat.auth.TokenCarrier;
import org.ssechat.chat.ChatRequestException;
import org.ssechat.http.CrossSiteRequests;
import org.ssechat.http.QueryParameters;

/**
 * What the head of a {@code POST /chat} allows, before a byte of its body is read: the query,
 * where a token cookie comes from, the rate limit, the token, the publish secret, the content
 * type and the declared length, in that order. A refusal's headers ({@code Retry-After},
 * {@code WWW-Authenticate}) are set on the response here; its body waits for the request's.
 */
public final class PublishHead {

    /** The verdict on a head. */
    public sealed interface Verdict permits Accepted, Refused {
    }

    /**
     * A body to read: who sends it, and how it is encoded.
     *
     * @param sender whose keys a retry key is one of: {@code sub:<subject>}, or the client's address
     * @param retryKey the {@code Idempotency-Key}, or null
     */
    public record Accepted(RoomAccess.Caller caller, String mediaType, String sender, String retryKey)
            implements Verdict {

        public Accepted(RoomAccess.Caller caller, String mediaType) {
            this(caller, mediaType, null, null);
        }
    }

    /** A refusal, answered once the body is in (read and dropped). */
    public record Refused(int status, String message) implements Verdict {
    }

    private final RoomAccess access;
    private final PublishRate rate;
    private final PublishToken publishToken;
    private final PublishBodyParser parser;
    private final List<String> allowedOrigins;

    public PublishHead(RoomAccess access, PublishRate rate, PublishToken publishToken, PublishBodyParser parser,
            List<String> allowedOrigins) {
        this.access = access;
        this.rate = rate;
        this.publishToken = publishToken;
        this.parser = parser;
        this.allowedOrigins = allowedOrigins;
    }

    public Verdict check(HttpServletRequest req, HttpServletResponse resp) {
        QueryParameters query;
        try {
            query = QueryParameters.parse(req.getQueryString());
        } catch (ChatRequestException e) {
            return new Refused(e.status(), e.getMessage());
        }
        TokenCarrier.Carried carried = TokenCarrier.find(req, query, publishToken.secret());
        if (carried != null && carried.place() == TokenCarrier.Place.COOKIE && access.tokensEnabled()
                && !CrossSiteRequests.fromThisSiteOrAllowed(req, allowedOrigins)) {
            // A browser sends the cookie with a form another site posts: never a post as its user.
            return new Refused(HttpServletResponse.SC_FORBIDDEN, "a post that carries the token cookie must come"
                    + " from this site's pages or an origin in CHAT_ALLOWED_ORIGINS");
        }
        RoomAccess.Caller caller = access.identify(TokenCarrier.token(carried));
        // The rate limit comes first, so it also slows down anyone guessing the token.
        long retryAfter = rate.spend(req, caller.identity());
        if (retryAfter > 0) {
            resp.setHeader("Retry-After", String.valueOf(retryAfter));
            return new Refused(429, "too many messages; try again in " + retryAfter + " s");
        }
        Optional<RoomAccess.Denial> badToken = access.checkToken(caller);
        if (badToken.isPresent()) {
            AuthAnswers.challenge(resp, badToken.get());
            return new Refused(badToken.get().status(), badToken.get().error());
        }
        if (!publishToken.permits(req.getHeader("Authorization"))) {
            resp.setHeader("WWW-Authenticate", AuthAnswers.CHALLENGE);
            return new Refused(HttpServletResponse.SC_UNAUTHORIZED,
                    "publishing needs the header Authorization: Bearer <token>");
        }
        try {
            String retryKey = IdempotencyKey.parse(req.getHeader(IdempotencyKey.HEADER));
            return new Accepted(caller, parser.checkHead(req.getContentType(), req.getContentLengthLong()),
                    rate.sender(req, caller.identity()), retryKey);
        } catch (ChatRequestException e) {
            return new Refused(e.status(), e.getMessage());
        }
    }
}
