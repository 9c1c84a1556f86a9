package org.ssechat.web;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.ssechat.app.ChatApplication;
import org.ssechat.sse.StreamRefusal;

/** The one way a stream is refused: counted, then answered as {@link StreamRefusal} describes. */
final class Refusals {

    private Refusals() {
    }

    static void send(ChatApplication app, HttpServletResponse resp, StreamRefusal.Reason reason) throws IOException {
        app.metrics().streamRefused(reason);
        StreamRefusal.send(resp, reason, app.config().retryMillis());
    }
}
