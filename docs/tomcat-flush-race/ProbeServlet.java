package repro;

import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.*;
import java.io.*;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

/** GET|POST /probe: plain synchronous answer "begin", flush, 2000 x '.', "end". GET /probe?stats: counters. */
@WebServlet("/probe")
public class ProbeServlet extends HttpServlet {
    static final AtomicLong FLUSH_FAILURES = new AtomicLong();

    @Override protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if (req.getParameter("stats") != null) {
            resp.setContentType("text/plain");
            resp.getWriter().printf("probeFlushFailures=%d sseIoErrors=%d sseOtherErrors=%d freshSseOnError=%d%n",
                    FLUSH_FAILURES.get(), SseServlet.IO_ERRORS.get(), SseServlet.OTHER_ERRORS.get(), SseServlet.FRESH_ON_ERROR.get());
            return;
        }
        answer(req, resp);
    }
    @Override protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        req.getInputStream().readAllBytes();
        answer(req, resp);
    }
    private void answer(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.setContentType("text/plain");
        OutputStream out = resp.getOutputStream();
        out.write("begin\n".getBytes(StandardCharsets.US_ASCII));
        try {
            out.flush();
        } catch (IOException e) {   // this fresh connection's client is alive: the exception belongs to another connection
            if (FLUSH_FAILURES.incrementAndGet() <= 5) log("PROBE " + req.getMethod() + " from port " + req.getRemotePort() + ": flush failed: " + e);
            throw e;
        }
        out.write(".".repeat(2000).getBytes(StandardCharsets.US_ASCII));
        out.write("\nend\n".getBytes(StandardCharsets.US_ASCII));
    }
}
