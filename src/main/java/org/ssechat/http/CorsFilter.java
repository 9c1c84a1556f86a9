package org.ssechat.http;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.Locale;

/**
 * Cross-origin use from browsers, for the origins in {@code CHAT_ALLOWED_ORIGINS} only: the
 * response names the request's origin (never {@code *}, which browsers refuse with credentials),
 * allows credentials (the token cookie), and a preflight {@code OPTIONS} for {@code POST /chat}
 * is answered here. Any other origin gets no CORS header, so its page cannot read the answers.
 */
public final class CorsFilter extends HttpFilter {

    static final String MAX_AGE_SECONDS = "600";

    private final List<String> allowed;

    /** @param allowed the origins of {@code CHAT_ALLOWED_ORIGINS}, lower case */
    public CorsFilter(List<String> allowed) {
        this.allowed = List.copyOf(allowed);
    }

    @Override
    protected void doFilter(HttpServletRequest req, HttpServletResponse resp, FilterChain chain)
            throws IOException, ServletException {
        if (allowed.isEmpty()) {
            chain.doFilter(req, resp);
            return;
        }
        resp.addHeader("Vary", "Origin"); // the answer depends on it: caches must keep one per origin
        String origin = req.getHeader("Origin");
        if (origin != null && allowed.contains(origin.toLowerCase(Locale.ROOT))) {
            resp.setHeader("Access-Control-Allow-Origin", origin);
            resp.setHeader("Access-Control-Allow-Credentials", "true");
            if ("OPTIONS".equals(req.getMethod()) && req.getHeader("Access-Control-Request-Method") != null) {
                resp.setHeader("Access-Control-Allow-Methods", "GET, POST");
                resp.setHeader("Access-Control-Allow-Headers", "Content-Type, Authorization, Last-Event-ID, Idempotency-Key");
                resp.setHeader("Access-Control-Max-Age", MAX_AGE_SECONDS);
                resp.setStatus(HttpServletResponse.SC_NO_CONTENT);
                return;
            }
            resp.setHeader("Access-Control-Expose-Headers", "Retry-After, Idempotent-Replayed");
        }
        chain.doFilter(req, resp);
    }
}
