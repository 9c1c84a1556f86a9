package org.ssechat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ssechat.testing.JsonAssertions.assertJsonError;

import java.io.IOException;
import java.net.InetAddress;
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
import org.ssechat.testing.RawHttp;
import org.ssechat.testing.Refusals;
import org.ssechat.testing.SseStream;
import org.ssechat.testing.Teardown;
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
        Teardown.close(server);
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

        // Refused attempts spend nothing: asking until a token has come back is allowed.
        Await.until("a message is accepted again once the bucket refills",
                () -> post("Bearer " + TOKEN, null, message("hi")).statusCode() == 202);
    }

    @Test
    void aFullNodeRefusesAStreamInAFormEventSourceRetriesAndTakesStreamsAgainOnceOneCloses() throws Exception {
        try (SseStream first = SseStream.open(base.resolve("sse")); SseStream second = SseStream.open(base.resolve("sse"))) {
            first.awaitFirstLine();
            second.awaitFirstLine();
            try (SseStream refused = SseStream.open(base.resolve("sse"))) {
                Refusals.assertRefused(refused, "full");
                assertTrue(Long.parseLong(refused.header("Retry-After")) > 0, "Retry-After for scripts");
            }
        }
        Await.until("a stream can be opened again", () -> {
            try (SseStream again = SseStream.open(base.resolve("sse"))) {
                return again.status() == 200;
            }
        });
    }

    @Test
    void aChunkedBodyOverTheLimitIsCutOffWithA413() throws Exception {
        // From an address of its own: the other tests spent this node's tokens for 127.0.0.1.
        try (RawHttp request = RawHttp.connect(base.resolve("chat"), InetAddress.getByName("127.0.0.4"))) {
            request.send("POST", Map.of("Authorization", "Bearer " + TOKEN, "Content-Type", "application/json",
                    "Transfer-Encoding", "chunked"));
            // An endless body (50 MB if anyone read it all): the server answers and closes, never reads it whole.
            Thread sender = new Thread(() -> {
                byte[] chunk = ("{\"user\":\"ann\",\"text\":\"" + "x".repeat(8000)).getBytes(StandardCharsets.UTF_8);
                byte[] head = (Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
                try {
                    for (int i = 0; i < 6000; i++) {
                        request.write(head);
                        request.write(chunk);
                        request.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                    }
                } catch (IOException closedByTheServer) {
                    // what is expected
                }
            }, "endless-body");
            sender.setDaemon(true);
            sender.start();
            RawHttp.Head head = request.readHead(10_000);
            assertJsonError(head.status(), head.header("Content-Type"), request.readBody(head), 413);
            assertEquals("close", head.header("Connection"), "the rest of the body is not waited for");
        }
    }
}
