package org.ssechat.testing;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * A servlet the embedded containers run beside the WAR, in a context of its own, that answers
 * the async timeout a fresh {@link AsyncContext} gets from its container: the default a stream
 * lives with unless it sets its own. Tests read it to prove the short default is really in
 * effect, so "the stream outlived the default" is never true merely because the default is 30 s.
 */
final class AsyncTimeoutProbe extends HttpServlet {

    static final String CONTEXT_PATH = "/container-probe";
    static final String SERVLET_PATH = "/async-timeout";

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        AsyncContext async = req.startAsync();
        byte[] body = String.valueOf(async.getTimeout()).getBytes(StandardCharsets.US_ASCII);
        resp.setContentType("text/plain;charset=US-ASCII");
        resp.setContentLength(body.length);
        resp.getOutputStream().write(body);
        async.complete();
    }
}
