package org.ssechat.http;

import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.util.List;
import java.util.Locale;

/**
 * Whether a browser request comes from this site's own pages or an allowed origin: what a post
 * that carries the token cookie must show, since a browser attaches the cookie to a form any other
 * site submits (cross-site request forgery). Browsers say where a request comes from in
 * {@code Sec-Fetch-Site} (all current ones) and {@code Origin} (on every POST); a request with
 * neither is not a browser's, and a cookie in it was put there by its sender.
 */
public final class CrossSiteRequests {

    private CrossSiteRequests() {
    }

    public static boolean fromThisSiteOrAllowed(HttpServletRequest req, List<String> allowedOrigins) {
        String origin = req.getHeader("Origin");
        if (origin != null && allowedOrigins.contains(origin.toLowerCase(Locale.ROOT))) {
            return true;
        }
        String site = req.getHeader("Sec-Fetch-Site");
        if (site != null) {
            return site.equals("same-origin") || site.equals("none"); // none: typed or bookmarked by the user
        }
        if (origin == null) {
            return true; // not a browser: curl, a backend
        }
        return sameHost(origin, req.getHeader("Host"));
    }

    /** The origin's host and port against the Host the request was sent to (the default ports left out). */
    private static boolean sameHost(String origin, String host) {
        if (host == null || origin.equals("null")) {
            return false;
        }
        try {
            URI uri = URI.create(origin);
            int port = uri.getPort();
            String authority = uri.getHost() + (port < 0 || port == 80 && "http".equals(uri.getScheme())
                    || port == 443 && "https".equals(uri.getScheme()) ? "" : ":" + port);
            String expected = host.toLowerCase(Locale.ROOT).replaceFirst(":(80|443)$", "");
            return authority.toLowerCase(Locale.ROOT).equals(expected);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
