package org.ssechat.web;

import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.ssechat.app.ChatApplication;
import org.ssechat.clock.ClockTicker;

/** GET /time: the server's time, once a second, starting with the current time right away. */
@WebServlet(name = "time-stream", urlPatterns = "/time", asyncSupported = true)
public final class TimeServlet extends HttpServlet {

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        ChatApplication app = ChatApplication.from(getServletContext());
        if (app.clockClients().isFull()) {
            JsonResponses.full(resp);
            return;
        }
        app.streamOpener().open(req, resp, ClockTicker.ROOM, app.clockClients(), false,
                ClockTicker.frame(app.clock().instant()));
    }
}
