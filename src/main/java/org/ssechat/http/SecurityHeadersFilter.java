package org.ssechat.http;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * Headers that keep the page safe even if some text slipped into it as markup: scripts, styles
 * and connections from the application itself only, no inline script, no framing. Not on the
 * event streams, where they mean nothing (EventSource reads only {@code text/event-stream}) and
 * cost on every write: Jetty looks the response's headers through for each write of a stream.
 */
public final class SecurityHeadersFilter extends HttpFilter {

    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "connect-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

    @Override
    protected void doFilter(HttpServletRequest req, HttpServletResponse resp, FilterChain chain)
            throws IOException, ServletException {
        String path = req.getServletPath();
        if ("/sse".equals(path) || "/time".equals(path)) {
            chain.doFilter(req, resp);
            return;
        }
        resp.setHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        resp.setHeader("X-Content-Type-Options", "nosniff");
        resp.setHeader("Referrer-Policy", "no-referrer");
        chain.doFilter(req, resp);
    }
}
