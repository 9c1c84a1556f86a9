package org.ssechat.http;

import com.google.gson.JsonObject;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** Writes JSON answers; every error a client gets is {@code {"error": "..."}}. */
public final class JsonResponses {

    private JsonResponses() {
    }

    public static void send(HttpServletResponse resp, int status, String json) throws IOException {
        if (status == HttpServletResponse.SC_NO_CONTENT) {
            resp.setStatus(status); // no body, so no type or length either
            return;
        }
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        resp.setStatus(status);
        resp.setContentType("application/json;charset=UTF-8");
        resp.setHeader("Cache-Control", "no-store");
        resp.setContentLength(body.length);
        // Bytes, not print(String): Tomcat's print throws for characters above U+00FF.
        resp.getOutputStream().write(body);
    }

    public static void error(HttpServletResponse resp, int status, String message) throws IOException {
        send(resp, status, errorJson(message));
    }

    /** {@code {"error": message}} */
    public static String errorJson(String message) {
        JsonObject json = new JsonObject();
        json.addProperty("error", message);
        return json.toString();
    }
}
