package org.ssechat.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.http.HttpResponse;

/** What every refusal of sse-chat looks like: its status, a JSON content type and {@code {"error": "..."}}. */
public final class JsonAssertions {

    private JsonAssertions() {
    }

    /** Fails unless the response has the status and a JSON body with a non-blank {@code error}; returns the body. */
    public static JsonObject assertJsonError(HttpResponse<String> response, int status) {
        return assertJsonError(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""),
                response.body(), status);
    }

    /** The same for a response read some other way (a raw socket, say). */
    public static JsonObject assertJsonError(int actualStatus, String contentType, String body, int status) {
        assertEquals(status, actualStatus, body);
        assertTrue(contentType.startsWith("application/json"), "content type '" + contentType + "' of " + body);
        JsonObject json = JsonParser.parseString(body).getAsJsonObject();
        assertTrue(json.has("error"), body);
        assertFalse(json.get("error").getAsString().isBlank(), body);
        return json;
    }

    /** Fails unless the response is some 4xx with a JSON {@code error}: for fuzzed requests, where any refusal will do. */
    public static JsonObject assertClientError(HttpResponse<String> response, String what) {
        int status = response.statusCode();
        assertTrue(status >= 400 && status < 500, what + " answered " + status + ": " + response.body());
        return assertJsonError(response, status);
    }
}
