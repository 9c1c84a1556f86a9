package org.ssechat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.ssechat.testing.Await;
import org.ssechat.testing.ChatHttp;
import org.ssechat.testing.SseStream;
import org.ssechat.testing.WarServer;

/** The publish token, the rate limit and the body limit, on a node configured for them. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GuardsIT {

    private static final String TOKEN = "s3cret-token";
    private WarServer server;
    private URI base;

    @BeforeAll
    void start() throws Exception {
        server = WarServer.Kind.TOMCAT.start("/sse-chat", Map.of(
                "CHAT_PUBLISH_TOKEN", TOKEN,
                "CHAT_RATE_LIMIT_PER_SECOND", "1",
                "CHAT_RATE_LIMIT_BURST", "3",
                "CHAT_MAX_BODY_BYTES", "1024",
                "CHAT_MAX_CLIENTS", "2",
                "CHAT_HEARTBEAT_SECONDS", "1")); // a closed stream is noticed at the next write
        base = server.base();
    }

    @AfterAll
    void stop() throws Exception {
        server.close();
    }

    private HttpResponse<String> post(String authorization, String forwardedFor, HttpRequest.BodyPublisher body)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve("chat"))
                .header("Content-Type", "application/json").POST(body);
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        if (forwardedFor != null) {
            request.header("X-Forwarded-For", forwardedFor);
        }
        return ChatHttp.send(request.build());
    }

    private static HttpRequest.BodyPublisher message(String text) {
        return HttpRequest.BodyPublishers.ofString("{\"user\":\"ann\",\"text\":\"" + text + "\"}");
    }

    private static void assertJsonError(HttpResponse<String> response, int status) {
        assertEquals(status, response.statusCode(), response.body());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        assertTrue(JsonParser.parseString(response.body()).getAsJsonObject().has("error"), response.body());
    }

    @Test
    void publishingNeedsTheBearerTokenAndTheRateLimitAnswers429WithRetryAfter() throws Exception {
        HttpResponse<String> anonymous = post(null, null, message("hi"));
        assertJsonError(anonymous, 401);
        assertTrue(anonymous.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"));
        assertJsonError(post("Bearer wrong", null, message("hi")), 401);

        // The burst is 3 and rejected attempts count too, so one more goes through and then none...
        assertEquals(202, post("Bearer " + TOKEN, null, message("hi")).statusCode());
        HttpResponse<String> limited = post("Bearer " + TOKEN, null, message("hi"));
        assertJsonError(limited, 429);
        long retryAfter = Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow());
        assertTrue(retryAfter >= 1, "Retry-After " + retryAfter);
        // ...and a made-up X-Forwarded-For does not help: it is not trusted by default.
        assertJsonError(post("Bearer " + TOKEN, "203.0.113.7", message("hi")), 429);

        Thread.sleep(retryAfter * 1000 + 100);
        assertEquals(202, post("Bearer " + TOKEN, null, message("hi")).statusCode());
    }

    @Test
    void aFullNodeAnswers503WithRetryAfterAndTakesStreamsAgainOnceOneCloses() throws Exception {
        try (SseStream first = SseStream.open(base.resolve("sse")); SseStream second = SseStream.open(base.resolve("sse"))) {
            first.awaitFirstLine();
            second.awaitFirstLine();
            HttpResponse<String> refused = ChatHttp.get(base, "sse");
            assertJsonError(refused, 503);
            assertTrue(Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow()) > 0);
        }
        Await.until("a stream can be opened again", () -> {
            try (SseStream again = SseStream.open(base.resolve("sse"))) {
                return again.status() == 200;
            }
        });
    }

    @Test
    void aChunkedBodyOverTheLimitIsCutOffWithA413() throws Exception {
        Thread.sleep(3100); // a full bucket again after the other test
        byte[] head = "{\"user\":\"ann\",\"text\":\"".getBytes(StandardCharsets.UTF_8);
        InputStream endless = new SequenceInputStream(new ByteArrayInputStream(head), new InputStream() {
            private long served;

            @Override
            public int read() {
                return served++ < 50_000_000 ? 'x' : -1; // 50 MB if anyone read it all
            }
        });
        // An InputStream publisher has no length: the client sends it chunked.
        HttpResponse<String> response = post("Bearer " + TOKEN, null, HttpRequest.BodyPublishers.ofInputStream(() -> endless));
        assertJsonError(response, 413);
    }
}
