package org.ssechat.testing;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Plain HTTP calls a test makes to a running sse-chat. */
public final class ChatHttp {

    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();

    private ChatHttp() {
    }

    /** POST /chat with a body of the given content type (null: no Content-Type header). */
    public static HttpResponse<String> post(URI base, String contentType, String body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve("chat"))
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** POSTs a JSON message and returns the published message; fails unless the answer is 202. */
    public static JsonObject publish(URI base, String room, String user, String text) throws IOException, InterruptedException {
        JsonObject json = new JsonObject();
        json.addProperty("room", room);
        json.addProperty("user", user);
        json.addProperty("text", text);
        HttpResponse<String> response = post(base, "application/json", json.toString());
        if (response.statusCode() != 202) {
            throw new AssertionError("POST /chat answered " + response.statusCode() + ": " + response.body());
        }
        return JsonParser.parseString(response.body()).getAsJsonObject();
    }

    public static HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
    }

    public static HttpResponse<String> get(URI base, String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10)).GET().build());
    }

    /** GET /health as JSON. */
    public static JsonObject health(URI base) throws IOException, InterruptedException {
        return JsonParser.parseString(get(base, "health").body()).getAsJsonObject();
    }
}
