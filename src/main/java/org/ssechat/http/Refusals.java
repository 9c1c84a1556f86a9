package org.ssechat.http;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.ssechat.app.ChatApplication;
import org.ssechat.sse.StreamRefusal;

/** The one way a stream is refused: counted, then answered as {@link StreamRefusal} describes. */
public final class Refusals {

    private Refusals() {
    }

    public static void send(ChatApplication app, HttpServletRequest req, HttpServletResponse resp, StreamRefusal.Reason reason)
            throws IOException {
        app.metrics().streamRefused(reason);
        // HTTP/2 has no Connection header: there a refused stream costs no connection anyway.
        StreamRefusal.send(resp, reason, app.config().retryMillis(), req.getProtocol().startsWith("HTTP/1"));
    }
}
