package org.ssechat.stream;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.ssechat.http.ClientAddress;
import org.ssechat.metrics.ChatMetrics;
import org.ssechat.sse.StreamRefusal;

/**
 * The door every stream ({@code /sse}, {@code /time}) comes through: admitted for its client
 * address (see {@link StreamAdmission}), or refused, counted, in the form EventSource retries.
 */
public final class StreamGate {

    private final StreamAdmission admission;
    private final ClientAddress addresses;
    private final ChatMetrics metrics;
    private final long retryMillis;

    public StreamGate(StreamAdmission admission, ClientAddress addresses, ChatMetrics metrics, long retryMillis) {
        this.admission = admission;
        this.addresses = addresses;
        this.metrics = metrics;
        this.retryMillis = retryMillis;
    }

    /** The stream's ticket, to release when it ends; or null, after answering the refusal. */
    public StreamAdmission.Ticket admit(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        StreamAdmission.Decision decision = admission.admit(addresses.of(req));
        if (decision.admitted()) {
            return decision.ticket();
        }
        metrics.streamRefused(decision.refusal());
        // HTTP/2 has no Connection header: there a refused stream costs no connection anyway.
        StreamRefusal.send(resp, decision.refusal(), retryMillis, req.getProtocol().startsWith("HTTP/1"));
        return null;
    }
}
