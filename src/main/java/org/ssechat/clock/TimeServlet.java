package org.ssechat.clock;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Clock;
import java.util.List;
import org.ssechat.sse.ClientRegistry;
import org.ssechat.stream.StreamGate;
import org.ssechat.sse.SseStreamOpener;
import org.ssechat.stream.ChatStreamServlet;
import org.ssechat.stream.StreamAdmission;

/** GET /time: the server's time, once a second, starting with the current time right away. */
public final class TimeServlet extends HttpServlet {

    private final transient StreamGate gate;
    private final transient SseStreamOpener opener;
    private final transient ClientRegistry clients;
    private final transient Clock clock;

    /** @param clients the registry of clock streams, which the {@link ClockTicker} writes to */
    public TimeServlet(StreamGate gate, SseStreamOpener opener, ClientRegistry clients, Clock clock) {
        this.gate = gate;
        this.opener = opener;
        this.clients = clients;
        this.clock = clock;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        StreamAdmission.Ticket ticket = gate.admit(req, resp);
        if (ticket == null) {
            return;
        }
        try {
            opener.open(req, resp, List.of(ClockTicker.ROOM), clients, false, ticket::release,
                    ClockTicker.frame(clock.instant()));
        } catch (IOException | RuntimeException e) {
            ticket.release();
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
