package org.ssechat.clock;

import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.ssechat.app.ChatApplication;
import org.ssechat.http.Refusals;
import org.ssechat.sse.SseStreamOpener;
import org.ssechat.stream.ChatStreamServlet;
import org.ssechat.stream.StreamAdmission;

/** GET /time: the server's time, once a second, starting with the current time right away. */
@WebServlet(name = "time-stream", urlPatterns = "/time", asyncSupported = true)
public final class TimeServlet extends HttpServlet {

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        ChatApplication app = ChatApplication.from(getServletContext());
        StreamAdmission.Decision admission = app.admitStream(req);
        if (!admission.admitted()) {
            Refusals.send(app, req, resp, admission.refusal());
            return;
        }
        try {
            app.streamOpener().open(req, resp, ClockTicker.ROOM, app.clockClients(), false,
                    admission.ticket()::release, ClockTicker.frame(app.clock().instant()));
        } catch (IOException | RuntimeException e) {
            admission.ticket().release();
            throw e;
        }
    }

    /** The headers a GET would answer with, and no stream (see {@link ChatStreamServlet#doHead}). */
    @Override
    protected void doHead(HttpServletRequest req, HttpServletResponse resp) {
        resp.setStatus(HttpServletResponse.SC_OK);
        SseStreamOpener.setStreamHeaders(resp);
    }
}
