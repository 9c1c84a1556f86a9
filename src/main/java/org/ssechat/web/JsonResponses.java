package org.ssechat.web;

import com.google.gson.JsonObject;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** Writes JSON answers; every error a client gets is {@code {"error": "..."}}. */
final class JsonResponses {

    /** Seconds a client is asked to wait when the node is full. */
    private static final String RETRY_AFTER_FULL_SECONDS = "10";

    private JsonResponses() {
    }

    static void send(HttpServletResponse resp, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        resp.setStatus(status);
        resp.setContentType("application/json;charset=UTF-8");
        resp.setHeader("Cache-Control", "no-store");
        resp.setContentLength(body.length);
        // Bytes, not print(String): Tomcat's print throws for characters above U+00FF.
        resp.getOutputStream().write(body);
    }

    /** The node holds its maximum number of streams: 503 with the time to wait. */
    static void full(HttpServletResponse resp) throws IOException {
        resp.setHeader("Retry-After", RETRY_AFTER_FULL_SECONDS);
        error(resp, HttpServletResponse.SC_SERVICE_UNAVAILABLE,
                "this server holds its maximum number of streams; try again later");
    }

    static void error(HttpServletResponse resp, int status, String message) throws IOException {
        JsonObject json = new JsonObject();
        json.addProperty("error", message);
        send(resp, status, json.toString());
    }
}
