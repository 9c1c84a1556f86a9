package org.ssechat.publish;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.ssechat.app.ChatApplication;
import org.ssechat.auth.Identity;
import org.ssechat.auth.RoomAccess;
import org.ssechat.auth.TokenCarrier;
import org.ssechat.broker.BrokerUnavailableException;
import org.ssechat.chat.ChatMessage;
import org.ssechat.chat.ChatRequestException;
import org.ssechat.chat.MessageJson;
import org.ssechat.http.AuthAnswers;
import org.ssechat.http.CrossSiteRequests;
import org.ssechat.http.JsonResponses;
import org.ssechat.http.QueryParameters;

/**
 * One {@code POST /chat}, from its head to its answer, holding no container thread while the
 * body arrives: the request goes async at once, the body is read as it comes
 * ({@link ReadListener}) into a buffer that grows with it up to the limit, and the whole body
 * has a deadline ({@code CHAT_BODY_TIMEOUT_SECONDS}, the async timeout), after which the answer
 * is {@code 408}. So slow senders cost a little memory each, never a thread.
 *
 * <p>A request refused on its head (rate limit, token, content type, declared length) has its
 * body read and dropped the same way, without a thread, and is answered once the body is in:
 * a client still sending when the server closes would get a TCP reset instead of the answer,
 * and the blocking drain the servlet API would do holds a thread for as long as a slow sender
 * likes. A body past {@link #DISCARD_LIMIT}, or one that has not arrived by the deadline, is not
 * waited for: the refusal is sent with {@code Connection: close} and the connection closes
 * (as an async request, Tomcat then does not read the rest on a container thread either).
 *
 * <p>Threading: the container calls one listener method at a time for a request; the
 * {@code answered} flag makes the first answer the only one.
 */
final class PublishExchange implements ReadListener, AsyncListener {

    private static final Logger LOG = Logger.getLogger(PublishExchange.class.getName());
    /** The first size of a body buffer when the length is not declared: most messages fit. */
    private static final int INITIAL_BUFFER_BYTES = 1024;
    /** The most of a refused body that is read and dropped before the refusal goes out. */
    static final long DISCARD_LIMIT = 1024 * 1024;

    /** A refusal waiting for the refused body to be read and dropped. */
    private record Refusal(int status, String message) {
    }

    private final ChatApplication app;
    private final HttpServletRequest req;
    private final HttpServletResponse resp;
    private final AsyncContext async;
    private final AtomicBoolean answered = new AtomicBoolean();
    private String mediaType;
    /** Who the request's token says it is from, if it has one. */
    private RoomAccess.Caller caller = RoomAccess.Caller.ANONYMOUS;
    /** Set when the request is refused on its head: the body is dropped as it comes, then this is answered. */
    private Refusal refusal;
    private long discarded;
    private ServletInputStream in;
    private byte[] body;
    private int length;

    private PublishExchange(ChatApplication app, HttpServletRequest req, HttpServletResponse resp, AsyncContext async) {
        this.app = app;
        this.req = req;
        this.resp = resp;
        this.async = async;
    }

    /** Takes over the request: checks what its head allows, then reads the body without blocking. */
    static void start(ChatApplication app, HttpServletRequest req, HttpServletResponse resp) throws IOException {
        AsyncContext async = req.startAsync();
        async.setTimeout(app.config().bodyTimeoutSeconds() * 1000L);
        PublishExchange exchange = new PublishExchange(app, req, resp, async);
        async.addListener(exchange);
        exchange.checkHead();
    }

    /** Takes over a request that is refused on its head alone (a method not allowed, say). */
    static void refuse(ChatApplication app, HttpServletRequest req, HttpServletResponse resp, int status, String message)
            throws IOException {
        AsyncContext async = req.startAsync();
        async.setTimeout(app.config().bodyTimeoutSeconds() * 1000L);
        PublishExchange exchange = new PublishExchange(app, req, resp, async);
        async.addListener(exchange);
        exchange.refuse(status, message);
    }

    private void checkHead() throws IOException {
        RoomAccess access = app.roomAccess();
        QueryParameters query;
        try {
            query = QueryParameters.parse(req.getQueryString());
        } catch (ChatRequestException e) {
            refuse(e.status(), e.getMessage());
            return;
        }
        TokenCarrier.Carried carried = TokenCarrier.find(req, query, app.config().publishToken().orElse(null));
        if (carried != null && carried.place() == TokenCarrier.Place.COOKIE && access.tokensEnabled()
                && !CrossSiteRequests.fromThisSiteOrAllowed(req, app.config().allowedOrigins())) {
            // A browser sends the cookie with a form another site posts: never a post as its user.
            refuse(HttpServletResponse.SC_FORBIDDEN, "a post that carries the token cookie must come from this"
                    + " site's pages or an origin in CHAT_ALLOWED_ORIGINS");
            return;
        }
        caller = access.identify(TokenCarrier.token(carried));
        // The rate limit comes first, so it also slows down anyone guessing the token; with a
        // good token it is the user's, wherever they post from.
        long retryAfter = caller.identity() != null ? app.rateLimit(caller.identity()) : app.rateLimit(req);
        if (retryAfter > 0) {
            resp.setHeader("Retry-After", String.valueOf(retryAfter));
            refuse(429, "too many messages; try again in " + retryAfter + " s");
            return;
        }
        Optional<RoomAccess.Denial> badToken = access.checkToken(caller);
        if (badToken.isPresent()) {
            refuse(badToken.get());
            return;
        }
        if (!app.publishToken().permits(req.getHeader("Authorization"))) {
            resp.setHeader("WWW-Authenticate", "Bearer realm=\"sse-chat\"");
            refuse(HttpServletResponse.SC_UNAUTHORIZED, "publishing needs the header Authorization: Bearer <token>");
            return;
        }
        PublishBodyParser parser = app.publishParser();
        long declared = req.getContentLengthLong();
        try {
            mediaType = parser.checkHead(req.getContentType(), declared);
        } catch (ChatRequestException e) {
            refuse(e.status(), e.getMessage());
            return;
        }
        body = new byte[declared >= 0 ? (int) declared + 1 : Math.min(INITIAL_BUFFER_BYTES, parser.maxBodyBytes() + 1)];
        in = req.getInputStream();
        in.setReadListener(this);
    }

    /** Refuses for the token (401 says how to authenticate), the same way. */
    private void refuse(RoomAccess.Denial denial) throws IOException {
        AuthAnswers.challenge(resp, denial);
        refuse(denial.status(), denial.error());
    }

    /** Refuses the request once its body is in (read and dropped), or at once when it is too big to wait for. */
    private void refuse(int status, String message) throws IOException {
        refusal = new Refusal(status, message);
        if (req.getContentLengthLong() > DISCARD_LIMIT) {
            answerUnread(status, message);
            return;
        }
        body = new byte[8192];
        in = req.getInputStream();
        in.setReadListener(this);
    }

    @Override
    public void onDataAvailable() throws IOException {
        if (refusal != null) {
            discard();
            return;
        }
        int limit = app.publishParser().maxBodyBytes();
        while (!answered.get() && in.isReady()) {
            if (length == body.length) {
                body = Arrays.copyOf(body, Math.min(limit + 1, body.length * 2));
            }
            int n = in.read(body, length, body.length - length);
            if (n < 0) {
                return; // the end: onAllDataRead follows
            }
            length += n;
            if (length > limit) {
                discarded = length;
                refusal = new Refusal(413, app.publishParser().tooLarge().getMessage());
                discard();
                return;
            }
        }
    }

    /** Reads and drops a refused body; past {@link #DISCARD_LIMIT} the refusal goes out and the connection closes. */
    private void discard() throws IOException {
        while (!answered.get() && in.isReady()) {
            int n = in.read(body, 0, body.length);
            if (n < 0) {
                return; // the end: onAllDataRead answers
            }
            discarded += n;
            if (discarded > DISCARD_LIMIT) {
                answerUnread(refusal.status(), refusal.message());
                return;
            }
        }
    }

    @Override
    public void onAllDataRead() throws IOException {
        if (answered.get()) {
            return;
        }
        if (refusal != null) {
            answer(refusal.status(), JsonResponses.errorJson(refusal.message()), false);
            return;
        }
        try {
            PublishBodyParser.Fields fields = app.publishParser().parse(mediaType, body, length);
            Identity identity = caller.identity();
            // With a token the sender is the token's: a user in the body is ignored.
            ChatMessage message = app.validator().validate(identity != null ? identity.name() : fields.user(),
                    fields.text(), fields.room(), app.clock().instant());
            Optional<RoomAccess.Denial> denial = app.roomAccess().check(caller, message.room(), true);
            if (denial.isPresent()) {
                AuthAnswers.challenge(resp, denial.get());
                answer(denial.get().status(), JsonResponses.errorJson(denial.get().error()), false);
                return;
            }
            if (identity != null) {
                message = message.from(identity.name(), identity.subject());
            }
            ChatMessage published = app.broker().publish(message);
            app.metrics().published();
            answer(HttpServletResponse.SC_ACCEPTED, MessageJson.toJson(published), false);
        } catch (ChatRequestException e) {
            answer(e.status(), JsonResponses.errorJson(e.getMessage()), false);
        } catch (BrokerUnavailableException e) {
            LOG.log(Level.WARNING, "Could not publish a message: {0}", e.getMessage());
            app.metrics().publishFailed();
            resp.setHeader("Retry-After", "2");
            answer(HttpServletResponse.SC_SERVICE_UNAVAILABLE,
                    JsonResponses.errorJson("the message broker is unavailable; the message was not sent"), false);
        }
    }

    /** Reading failed: the client went away or sent a broken body (a bad chunk). */
    @Override
    public void onError(Throwable t) {
        if (answered.compareAndSet(false, true)) {
            LOG.log(Level.FINE, "A POST /chat body could not be read: {0}", t.toString());
            complete();
        }
    }

    @Override
    public void onTimeout(AsyncEvent event) throws IOException {
        if (answered.get()) {
            return;
        }
        if (refusal != null) {
            answerUnread(refusal.status(), refusal.message()); // refused anyway: not waited for any longer
            return;
        }
        app.metrics().bodyTimedOut();
        answerUnread(408, "the request body did not arrive within " + app.config().bodyTimeoutSeconds() + " s");
    }

    @Override
    public void onError(AsyncEvent event) {
        onError(event.getThrowable());
    }

    @Override
    public void onComplete(AsyncEvent event) {
        // nothing held beyond the buffer, which goes with this object
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
        // not re-dispatched
    }

    /** An answer before the whole body was read: the rest is not read, the connection closes. */
    private void answerUnread(int status, String message) throws IOException {
        answer(status, JsonResponses.errorJson(message), true);
    }

    private void answer(int status, String json, boolean closeConnection) throws IOException {
        if (!answered.compareAndSet(false, true)) {
            return;
        }
        try {
            if (closeConnection && req.getProtocol().startsWith("HTTP/1")) {
                resp.setHeader("Connection", "close");
            }
            JsonResponses.send(resp, status, json);
        } finally {
            complete();
        }
    }

    private void complete() {
        try {
            async.complete();
        } catch (IllegalStateException alreadyCompleted) {
            // the container completed it (the client went away)
        }
    }
}
