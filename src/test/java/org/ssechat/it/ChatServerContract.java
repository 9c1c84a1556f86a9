package org.ssechat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.ssechat.testing.ChatHttp;
import org.ssechat.testing.SseParser;
import org.ssechat.testing.SseStream;
import org.ssechat.testing.WarServer;

/**
 * What sse-chat does on one node, over real HTTP, against the built WAR under a non-root
 * context path. Each container runs it through a subclass.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ChatServerContract {

    private WarServer server;
    private URI base;

    abstract WarServer.Kind kind();

    @BeforeAll
    void start() throws Exception {
        server = kind().start("/sse-chat", Map.of(
                "CHAT_HEARTBEAT_SECONDS", "1",          // dead clients are noticed within a second or two
                "CHAT_RATE_LIMIT_PER_SECOND", "0"));    // these tests post in bursts
        base = server.base();
    }

    @AfterAll
    void stop() throws Exception {
        server.close();
    }

    private SseStream stream(String room) throws Exception {
        return SseStream.open(base.resolve("sse?room=" + room));
    }

    private static JsonObject data(SseParser.Event event) {
        return JsonParser.parseString(event.data()).getAsJsonObject();
    }

    @Test
    void aStreamIsAnEventStreamThatOpensWithItsRetryLineAtOnce() throws Exception {
        try (SseStream stream = stream("headers")) {
            assertEquals(200, stream.status());
            assertEquals("text/event-stream;charset=utf-8", stream.header("Content-Type").toLowerCase().replace(" ", ""));
            assertEquals("no-cache", stream.header("Cache-Control"));
            assertEquals("no", stream.header("X-Accel-Buffering"));
            stream.awaitFirstLine(); // before anything is posted
            assertEquals("retry: 3000", stream.lines().get(0));
        }
    }

    @Test
    void eachStreamGetsEveryMessageOfItsRoomOnceInOrderAndNoOtherRoomsMessages() throws Exception {
        try (SseStream a1 = stream("alpha"); SseStream a2 = stream("alpha"); SseStream b = stream("beta")) {
            awaitClients(3);
            List<String> alphaIds = new ArrayList<>();
            List<String> betaIds = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                alphaIds.add(ChatHttp.publish(base, "alpha", "ann", "a" + i).get("id").getAsString());
                HttpResponse<String> form = ChatHttp.post(base, "application/x-www-form-urlencoded",
                        "user=bob&room=beta&text=b" + i);
                assertEquals(202, form.statusCode(), form.body());
                betaIds.add(JsonParser.parseString(form.body()).getAsJsonObject().get("id").getAsString());
            }
            for (SseStream alpha : List.of(a1, a2)) {
                for (int i = 0; i < 5; i++) {
                    SseParser.Event event = alpha.next();
                    assertEquals("message", event.event());
                    assertEquals(alphaIds.get(i), event.id());
                    JsonObject message = data(event);
                    assertEquals(event.id(), message.get("id").getAsString());
                    assertEquals("alpha", message.get("room").getAsString());
                    assertEquals("ann", message.get("user").getAsString());
                    assertEquals("a" + i, message.get("text").getAsString());
                    Instant.parse(message.get("time").getAsString());
                }
            }
            for (int i = 0; i < 5; i++) {
                SseParser.Event event = b.next();
                assertEquals(betaIds.get(i), event.id());
                assertEquals("b" + i, data(event).get("text").getAsString());
            }
            assertNull(a1.poll(300), "nothing more, in particular nothing from beta");
            assertNull(b.poll(10), "nothing more, in particular nothing from alpha");
        }
    }

    @Test
    void multiLineAndNonAsciiTextArrivesIntact() throws Exception {
        try (SseStream stream = stream("unicode")) {
            stream.awaitFirstLine();
            ChatHttp.publish(base, "unicode", "zoë", "line one\r\nline two é 😀 <b>bold</b>");
            SseParser.Event event = stream.next();
            assertEquals(1, event.data().split("\n").length, "the JSON is one data line");
            JsonObject message = data(event);
            assertEquals("line one\nline two é 😀 <b>bold</b>", message.get("text").getAsString());
            assertEquals("zoë", message.get("user").getAsString());
        }
    }

    @Test
    void theClockSendsTheTimeAtOnceThenTicksEverySecond() throws Exception {
        try (SseStream clock = SseStream.open(base.resolve("time"))) {
            List<Instant> times = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                times.add(Instant.parse(clock.next().data()));
            }
            for (int i = 1; i < times.size(); i++) {
                assertTrue(times.get(i).isAfter(times.get(i - 1)), "the time goes forward: " + times);
            }
            for (int i = 2; i < times.size(); i++) {
                long gap = times.get(i).toEpochMilli() - times.get(i - 1).toEpochMilli();
                assertTrue(gap > 500 && gap < 1500, "ticks are about a second apart: " + times);
            }
        }
    }

    @Test
    void streamsClosedByTheirClientsLeaveTheRegistry() throws Exception {
        awaitClients(0);
        List<SseStream> streams = new ArrayList<>();
        for (String room : List.of("gone1", "gone1", "gone2")) {
            streams.add(stream(room));
        }
        awaitClients(3);
        streams.forEach(SseStream::close);
        awaitClients(0);
    }

    @Test
    void aStreamOutlivesTheContainersDefaultAsyncTimeout() throws Exception {
        try (SseStream stream = stream("patient")) {
            Thread.sleep(WarServer.ASYNC_TIMEOUT_MILLIS * 5 / 2);
            assertTrue(!stream.hasEnded(), "the stream ended after the container's async timeout");
            ChatHttp.publish(base, "patient", "ann", "still here");
            assertEquals("still here", data(stream.next()).get("text").getAsString());
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        missing text           | application/json                  | {"user":"ann"}                             | 400
        blank text             | application/json                  | {"user":"ann","text":"  "}                 | 400
        text too long          | application/json                  | {"user":"ann","text":"TOO_LONG"}          | 400
        missing user           | application/json                  | {"text":"hi"}                              | 400
        user too long          | application/json                  | {"user":"abcdefghijabcdefghijabcdefghijabc","text":"hi"} | 400
        control char in user   | application/json                  | {"user":"a\\u0007","text":"hi"}            | 400
        malformed JSON         | application/json                  | {"user":"ann",                             | 400
        JSON array             | application/json                  | ["ann","hi"]                               | 400
        text not a string      | application/json                  | {"user":"ann","text":42}                   | 400
        bad room               | application/json                  | {"user":"ann","text":"hi","room":"a b"}    | 400
        bad form escape        | application/x-www-form-urlencoded | user=ann&text=%ZZ                          | 400
        body too large         | application/json                  | HUGE                                       | 413
        plain text             | text/plain                        | hello                                      | 415
        no content type        | NONE                              | {"user":"ann","text":"hi"}                 | 415
        """)
    void everyBadMessageGetsItsStatusAndAJsonError(String what, String contentType, String body, int status)
            throws Exception {
        String payload = body.equals("HUGE") ? "{\"user\":\"ann\",\"text\":\"" + "x".repeat(20_000) + "\"}"
                : body.replace("TOO_LONG", "x".repeat(2001));
        HttpResponse<String> response = ChatHttp.post(base, contentType.equals("NONE") ? null : contentType, payload);
        assertError(response, status);
    }

    @ParameterizedTest
    @CsvSource({"PUT", "DELETE", "PATCH"})
    void otherMethodsGetA405(String method) throws Exception {
        HttpResponse<String> response = ChatHttp.send(HttpRequest.newBuilder(base.resolve("chat"))
                .method(method, HttpRequest.BodyPublishers.ofString("{}")).build());
        assertError(response, 405);
    }

    @Test
    void aBadRoomIsRefusedBeforeTheStreamStarts() throws Exception {
        assertError(ChatHttp.get(base, "sse?room=a%20b"), 400);
        assertError(ChatHttp.get(base, "sse?history=-1"), 400);
    }

    @Test
    void browsersLandingOnChatAreSentToThePage() throws Exception {
        HttpResponse<String> response = ChatHttp.get(base, "chat");
        assertTrue(response.statusCode() / 100 == 3, "status " + response.statusCode());
        assertTrue(response.headers().firstValue("Location").orElseThrow().endsWith("/sse-chat/"));
    }

    @Test
    void thePageAndItsFilesAreServed() throws Exception {
        HttpResponse<String> page = ChatHttp.get(base, "");
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("<script src=\"app.js\""), page.body());
        assertTrue(page.headers().firstValue("Content-Security-Policy").orElse("").contains("script-src 'self'"),
                "the page allows only its own scripts");
        assertEquals(200, ChatHttp.get(base, "app.js").statusCode());
        assertEquals(200, ChatHttp.get(base, "style.css").statusCode());
    }

    @Test
    void healthSaysUpWithTheInProcessBroker() throws Exception {
        HttpResponse<String> response = ChatHttp.get(base, "health");
        assertEquals(200, response.statusCode());
        JsonObject health = JsonParser.parseString(response.body()).getAsJsonObject();
        assertEquals("UP", health.get("status").getAsString());
        assertEquals("memory", health.get("broker").getAsString());
        assertTrue(health.get("clients").getAsInt() >= 0);
    }

    @Test
    void metricsCountWhatHappenedInThePrometheusFormat() throws Exception {
        ChatHttp.publish(base, "counted", "ann", "count me");
        HttpResponse<String> response = ChatHttp.get(base, "metrics");
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").replace(" ", "").startsWith("text/plain;version=0.0.4"));
        String text = response.body();
        for (String name : List.of("sse_chat_clients", "sse_chat_messages_published_total",
                "sse_chat_messages_received_total", "sse_chat_frames_written_total",
                "sse_chat_slow_clients_disconnected_total", "sse_chat_redis_reconnects_total",
                "sse_chat_history_replays_total")) {
            assertTrue(text.contains("# TYPE " + name + " "), name + " in\n" + text);
        }
        long published = text.lines().filter(line -> line.startsWith("sse_chat_messages_published_total "))
                .mapToLong(line -> Long.parseLong(line.split(" ")[1])).findFirst().orElseThrow();
        assertTrue(published >= 1, text);
    }

    private static void assertError(HttpResponse<String> response, int status) {
        assertEquals(status, response.statusCode(), response.body());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"),
                "content type " + response.headers().firstValue("Content-Type"));
        JsonObject json = JsonParser.parseString(response.body()).getAsJsonObject();
        assertTrue(!json.get("error").getAsString().isBlank());
    }

    private void awaitClients(int expected) throws Exception {
        awaitTrue("/health counts " + expected + " clients", () -> {
            try {
                return ChatHttp.health(base).get("clients").getAsInt() == expected ? 1 : 0;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    static void awaitTrue(String what, IntSupplier condition) throws InterruptedException {
        long deadline = System.currentTimeMillis() + SseStream.WAIT_MILLIS;
        while (condition.getAsInt() == 0) {
            if (System.currentTimeMillis() > deadline) {
                fail("timed out waiting until " + what);
            }
            Thread.sleep(50);
        }
    }
}
