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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.ssechat.http.JsonResponses;
import org.ssechat.metrics.ChatMetrics;

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

    private final PostHandler publisher;
    private final ChatMetrics metrics;
    private final HttpServletRequest req;
    private final HttpServletResponse resp;
    private final AsyncContext async;
    private final long timeoutSeconds;
    private final AtomicBoolean answered = new AtomicBoolean();
    /** The head's verdict: a body to publish, or a refusal answered once the body is dropped. */
    private PublishHead.Accepted accepted;
    private PublishHead.Refused refusal;
    private long discarded;
    private ServletInputStream in;
    private byte[] body;
    private int length;

    private PublishExchange(PostHandler publisher, ChatMetrics metrics, HttpServletRequest req, HttpServletResponse resp,
            long timeoutSeconds) {
        this.publisher = publisher;
        this.metrics = metrics;
        this.req = req;
        this.resp = resp;
        this.timeoutSeconds = timeoutSeconds;
        this.async = req.startAsync();
        async.setTimeout(timeoutSeconds * 1000L);
        async.addListener(this);
    }

    /** Takes over the request: checks what its head allows, then reads the body without blocking. */
    static void start(PublishHead head, PostHandler publisher, ChatMetrics metrics, long timeoutSeconds,
            HttpServletRequest req, HttpServletResponse resp) throws IOException {
        PublishExchange exchange = new PublishExchange(publisher, metrics, req, resp, timeoutSeconds);
        PublishHead.Verdict verdict = head.check(req, resp);
        if (verdict instanceof PublishHead.Refused refused) {
            exchange.refuse(refused);
        } else {
            exchange.read((PublishHead.Accepted) verdict);
        }
    }

    /** Takes over a request that is refused on its head alone (a method not allowed, say). */
    static void refuse(PostHandler publisher, ChatMetrics metrics, long timeoutSeconds, HttpServletRequest req,
            HttpServletResponse resp, int status, String message) throws IOException {
        new PublishExchange(publisher, metrics, req, resp, timeoutSeconds)
                .refuse(new PublishHead.Refused(status, message));
    }

    private void read(PublishHead.Accepted verdict) throws IOException {
        accepted = verdict;
        long declared = req.getContentLengthLong();
        body = new byte[declared >= 0 ? (int) declared + 1
                : Math.min(INITIAL_BUFFER_BYTES, publisher.maxBodyBytes() + 1)];
        in = req.getInputStream();
        in.setReadListener(this);
    }

    /** Refuses the request once its body is in (read and dropped), or at once when it is too big to wait for. */
    private void refuse(PublishHead.Refused refused) throws IOException {
        refusal = refused;
        if (req.getContentLengthLong() > DISCARD_LIMIT) {
            answerUnread(refused.status(), refused.message());
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
        int limit = publisher.maxBodyBytes();
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
                refusal = new PublishHead.Refused(413, publisher.tooLargeMessage());
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
        PostHandler.Answer answer = publisher.handle(accepted, body, length);
        answer.headers().forEach(resp::setHeader);
        answer(answer.status(), answer.json(), false);
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
        metrics.bodyTimedOut();
        answerUnread(408, "the request body did not arrive within " + timeoutSeconds + " s");
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
