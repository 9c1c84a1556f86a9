package org.ssechat.sse;

import com.google.gson.JsonObject;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The answer to a stream the node will not take now, in the one form a browser's EventSource
 * retries by itself: WHATWG's EventSource fails for good on any status but 200 with
 * {@code text/event-stream}, so a {@code 503} would leave a page offline until it is reloaded.
 * Instead the answer is {@code 200 text/event-stream} with a {@code retry:} line (a random delay
 * in the reason's range, so that refused clients do not all come back at once), one
 * {@code refused} event that says why, and the end of the response:
 *
 * <pre>
 * retry: 8734
 * event: refused
 * data: {"reason":"full","error":"this server holds its maximum number of streams; try again later","retryMillis":8734}
 *
 * </pre>
 *
 * It has no {@code id}, so a resuming client keeps its {@code Last-Event-ID}. Scripts read the
 * event, or the {@code Retry-After} header (seconds) that comes with it.
 */
public final class StreamRefusal {

    /**
     * Why a stream is refused, with the range its reconnection delay is drawn from, in multiples
     * of the node's own reconnection delay ({@code CHAT_RETRY_MILLIS}, 3 s by default): 2 to 5
     * times it for a node that cannot take the stream (6 to 15 s), a third to 5/3 of it for one
     * that is stopping (1 to 5 s: another node, or the redeployed one, takes it soon).
     */
    public enum Reason {
        FULL("full", "this server holds its maximum number of streams; try again later", 2.0, 5.0),
        ADDRESS("address", "this client address holds its maximum number of streams; close one or try again later",
                2.0, 5.0),
        MEMORY("memory", "this server is short of memory for another stream; try again later", 2.0, 5.0),
        STOPPING("stopping", "this server is stopping; reconnect in a moment", 1.0 / 3, 5.0 / 3);

        private final String code;
        private final String message;
        private final double minRetries;
        private final double maxRetries;

        Reason(String code, String message, double minRetries, double maxRetries) {
            this.code = code;
            this.message = message;
            this.minRetries = minRetries;
            this.maxRetries = maxRetries;
        }

        /** The reason as the event's data names it: {@code full}, {@code address}, {@code memory}, {@code stopping}. */
        public String code() {
            return code;
        }

        /** A delay drawn at random from this reason's range, for a node whose reconnection delay is given. */
        long retryMillis(long baseRetryMillis) {
            long base = Math.max(MIN_BASE_MILLIS, baseRetryMillis);
            return ThreadLocalRandom.current().nextLong((long) (base * minRetries), (long) (base * maxRetries) + 1);
        }
    }

    /** A node configured to be retried at once still spreads its refused clients over some time. */
    static final long MIN_BASE_MILLIS = 300;

    /** The event type of a refusal: {@code es.addEventListener("refused", ...)}. */
    public static final String EVENT = "refused";

    private StreamRefusal() {
    }

    /** The frames a refusal sends: the {@code retry:} line and the {@code refused} event. */
    public static byte[] frame(Reason reason, long retryMillis) {
        JsonObject data = new JsonObject();
        data.addProperty("reason", reason.code());
        data.addProperty("error", reason.message);
        data.addProperty("retryMillis", retryMillis);
        return SseEvent.builder().retry(retryMillis).event(EVENT).data(data.toString()).encode();
    }

    /** The refusal's frames with a delay drawn from the reason's range: also the last frame of a stream the node ends. */
    public static byte[] drawnFrame(Reason reason, long baseRetryMillis) {
        return frame(reason, reason.retryMillis(baseRetryMillis));
    }

    /**
     * Answers the request with a refusal; the response must not be committed yet.
     *
     * @param baseRetryMillis the node's reconnection delay ({@code CHAT_RETRY_MILLIS})
     */
    public static void send(HttpServletResponse resp, Reason reason, long baseRetryMillis) throws IOException {
        send(resp, reason, baseRetryMillis, true);
    }

    /**
     * @param closeConnection whether the answer closes an HTTP/1.1 connection after it: a refused
     *                        client comes back seconds later, and holding its connection open
     *                        meanwhile would take a place of the container's {@code maxConnections}
     */
    public static void send(HttpServletResponse resp, Reason reason, long baseRetryMillis, boolean closeConnection)
            throws IOException {
        if (closeConnection) {
            resp.setHeader("Connection", "close");
        }
        long retryMillis = reason.retryMillis(baseRetryMillis);
        byte[] body = frame(reason, retryMillis);
        resp.setStatus(HttpServletResponse.SC_OK);
        SseStreamOpener.setStreamHeaders(resp);
        resp.setHeader("Retry-After", String.valueOf((retryMillis + 999) / 1000));
        resp.setContentLength(body.length);
        resp.getOutputStream().write(body);
    }
}
