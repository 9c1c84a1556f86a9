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

    /** Why a stream is refused, with the range its reconnection delay is drawn from. */
    public enum Reason {
        FULL("full", "this server holds its maximum number of streams; try again later", 5_000, 15_000),
        ADDRESS("address", "this client address holds its maximum number of streams; close one or try again later",
                5_000, 15_000),
        MEMORY("memory", "this server is short of memory for another stream; try again later", 5_000, 15_000),
        STOPPING("stopping", "this server is stopping; reconnect in a moment", 1_000, 5_000);

        private final String code;
        private final String message;
        private final long minRetryMillis;
        private final long maxRetryMillis;

        Reason(String code, String message, long minRetryMillis, long maxRetryMillis) {
            this.code = code;
            this.message = message;
            this.minRetryMillis = minRetryMillis;
            this.maxRetryMillis = maxRetryMillis;
        }

        /** The reason as the event's data names it: {@code full}, {@code address}, {@code memory}, {@code stopping}. */
        public String code() {
            return code;
        }

        /** A delay drawn at random from this reason's range. */
        long retryMillis() {
            return ThreadLocalRandom.current().nextLong(minRetryMillis, maxRetryMillis + 1);
        }
    }

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

    /** Answers the request with a refusal; the response must not be committed yet. */
    public static void send(HttpServletResponse resp, Reason reason) throws IOException {
        long retryMillis = reason.retryMillis();
        byte[] body = frame(reason, retryMillis);
        resp.setStatus(HttpServletResponse.SC_OK);
        SseStreamOpener.setStreamHeaders(resp);
        resp.setHeader("Retry-After", String.valueOf((retryMillis + 999) / 1000));
        resp.setContentLength(body.length);
        resp.getOutputStream().write(body);
    }
}
