package org.ssechat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ssechat.testing.JsonAssertions.assertJsonError;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.ssechat.testing.ChatHttp;
import org.ssechat.testing.JsonAssertions;
import org.ssechat.testing.RawHttp;
import org.ssechat.testing.SseParser;
import org.ssechat.testing.SseStream;
import org.ssechat.testing.Teardown;
import org.ssechat.testing.WarServer;

/**
 * What sse-chat does on one node, over real HTTP, against the built WAR under a non-root
 * context path. Each container runs it through a subclass.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ChatServerContract {

    /** Limits set as context parameters, so the answers at and past them show the settings arrive. */
    private static final int MAX_TEXT = 300;
    private static final int MAX_USER = 32;
    private static final int MAX_BODY = 2048;
    private static final String JSON = "application/json";
    private static final String FORM = "application/x-www-form-urlencoded";

    private WarServer server;
    private URI base;

    abstract WarServer.Kind kind();

    @BeforeAll
    void start() throws Exception {
        server = kind().start("/sse-chat", Map.of(
                "CHAT_MAX_TEXT_LENGTH", String.valueOf(MAX_TEXT),
                "CHAT_MAX_USER_LENGTH", String.valueOf(MAX_USER),
                "CHAT_MAX_BODY_BYTES", String.valueOf(MAX_BODY),
                "CHAT_RATE_LIMIT_PER_SECOND", "0"));    // these tests post in bursts
        base = server.base();
    }

    @AfterAll
    void stop() throws Exception {
        Teardown.close(server);
    }

    // --- the stream -------------------------------------------------------------------------

    @Test
    void aStreamIsAnEventStreamThatOpensWithItsRetryLineAtOnce() throws Exception {
        // curl's Accept header, not EventSource's: any Accept must do
        try (SseStream stream = SseStream.open(base.resolve("sse?room=headers"), Map.of("Accept", "*/*"))) {
            assertEquals(200, stream.status());
            assertEquals("text/event-stream;charset=utf-8",
                    stream.header("Content-Type").toLowerCase(Locale.ROOT).replace(" ", ""));
            assertEquals("no-cache", stream.header("Cache-Control"));
            assertEquals("no", stream.header("X-Accel-Buffering"));
            // Nothing has been posted to this room: only an immediately committed stream sends a line.
            assertEquals("retry: 3000", stream.awaitFirstLine());
        }
    }

    @Test
    void eachStreamGetsEveryMessageOfItsRoomOnceInOrderAndNoOtherRoomsMessages() throws Exception {
        try (SseStream a1 = stream("alpha"); SseStream a2 = stream("alpha"); SseStream b = stream("beta")) {
            List<JsonObject> alpha = new ArrayList<>();
            List<JsonObject> beta = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                // Both encodings in both rooms, interleaved.
                alpha.add(publish(i % 2 == 0 ? JSON : FORM, "alpha", "ann", "a" + i));
                beta.add(publish(i % 2 == 0 ? FORM : JSON, "beta", "bob", "b" + i));
            }
            for (SseStream stream : List.of(a1, a2)) {
                for (JsonObject published : alpha) {
                    assertIsEvent(published, stream.next());
                }
            }
            for (JsonObject published : beta) {
                assertIsEvent(published, b.next());
            }
            assertNull(a1.poll(300), "nothing more, in particular nothing from beta");
            assertNull(a2.poll(10), "nothing more, in particular nothing from beta");
            assertNull(b.poll(10), "nothing more, in particular nothing from alpha");
        }
    }

    @ParameterizedTest(name = "posted as {0}")
    @ValueSource(strings = {JSON, FORM})
    void multiLineAndNonAsciiTextArrivesIntact(String contentType) throws Exception {
        try (SseStream stream = stream("unicode")) {
            JsonObject published = publish(contentType, "unicode", "zoë 😀", "line one\r\nline two\nzoë é ü 😀 <b>&amp;</b>");
            SseParser.Event event = stream.next();
            assertFalse(event.data().contains("\n"), "the JSON is one data line: " + event.data());
            assertIsEvent(published, event);
            JsonObject message = data(event);
            assertEquals("line one\nline two\nzoë é ü 😀 <b>&amp;</b>", message.get("text").getAsString());
            assertEquals("zoë 😀", message.get("user").getAsString());
        }
    }

    @Test
    void theClockSendsTheServersTimeAndTicksForward() throws Exception {
        try (SseStream clock = SseStream.open(base.resolve("time"))) {
            assertEquals(200, clock.status());
            List<Instant> times = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                SseParser.Event tick = clock.next();
                assertEquals("message", tick.event(), "an unnamed event, for onmessage");
                assertTrue(tick.data().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ"),
                        "every tick in one format, to the second: " + tick.data());
                Instant time = Instant.parse(tick.data());
                assertTrue(Duration.between(time, Instant.now()).abs().getSeconds() < 60,
                        "the server's present time, not some other: " + time);
                times.add(time);
            }
            for (int i = 1; i < times.size(); i++) {
                assertTrue(times.get(i).isAfter(times.get(i - 1)), "the time goes forward: " + times);
            }
        }
    }

    @Test
    void aChatStreamAskedForTheClockStartsWithTheServersTimeThenItsMessages() throws Exception {
        Instant before = Instant.now();
        try (SseStream stream = SseStream.open(base.resolve("sse?room=clocked&clock=1"))) {
            SseParser.Event time = stream.next();
            assertEquals("time", time.event(), "a named event: it reaches no onmessage handler");
            assertTrue(time.data().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"),
                    "to the millisecond, always in one form: " + time.data());
            Instant at = Instant.parse(time.data());
            assertTrue(!at.isBefore(before.minusSeconds(2)) && !at.isAfter(Instant.now().plusSeconds(2)),
                    "the server's time now: " + at + ", the test's " + before);
            JsonObject published = publish(JSON, "clocked", "ann", "after the time");
            assertIsEvent(published, stream.next());
        }
        try (SseStream plain = SseStream.open(base.resolve("sse?room=clocked&clock=0"))) {
            JsonObject published = publish(JSON, "clocked", "ann", "no time first");
            assertIsEvent(published, plain.next());
        }
        assertJsonError(ChatHttp.get(base, "sse?room=clocked&clock=yes"), 400);
    }

    @Test
    void aStreamOutlivesTheContainersDefaultAsyncTimeout() throws Exception {
        assertEquals(WarServer.ASYNC_TIMEOUT_MILLIS, server.defaultAsyncTimeoutMillis(),
                server.name() + "'s default async timeout in this test: otherwise outliving it proves nothing");
        try (SseStream stream = stream("patient")) {
            // A real wait: the thing under test is what happens once the default has passed.
            Thread.sleep(WarServer.ASYNC_TIMEOUT_MILLIS * 5 / 2);
            assertFalse(stream.hasEnded(), "the stream ended after the container's default async timeout: " + stream.lines());
            JsonObject published = ChatHttp.publish(base, "patient", "ann", "still here");
            assertIsEvent(published, stream.next());
        }
    }

    // --- POST /chat -------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        missing text           | application/json                  | {"user":"ann"}                             | 400
        blank text             | application/json                  | {"user":"ann","text":" \\n\\t "}           | 400
        text too long          | application/json                  | {"user":"ann","text":"TOO_LONG_TEXT"}      | 400
        control char in text   | application/json                  | {"user":"ann","text":"a\\u0000b"}          | 400
        missing user           | application/json                  | {"text":"hi"}                              | 400
        blank user             | application/json                  | {"user":"  ","text":"hi"}                  | 400
        user too long          | application/json                  | {"user":"TOO_LONG_USER","text":"hi"}       | 400
        control char in user   | application/json                  | {"user":"a\\u0007","text":"hi"}            | 400
        newline in user        | application/json                  | {"user":"a\\nb","text":"hi"}               | 400
        bidi override in user  | application/json                  | {"user":"\\u202Eadmin\\u200B","text":"hi"} | 400
        zero-width in user     | application/json                  | {"user":"ad\\u200Bmin","text":"hi"}       | 400
        user named system      | application/json                  | {"user":"system","text":"hi"}              | 400
        user named System      | application/json                  | {"user":" System ","text":"hi"}            | 400
        system in a form       | application/x-www-form-urlencoded | user=SYSTEM&text=hi                        | 400
        malformed JSON         | application/json                  | {"user":"ann",                             | 400
        JSON array             | application/json                  | ["ann","hi"]                               | 400
        JSON string            | application/json                  | "hi"                                       | 400
        text not a string      | application/json                  | {"user":"ann","text":42}                   | 400
        user not a string      | application/json                  | {"user":{"name":"ann"},"text":"hi"}        | 400
        bad room               | application/json                  | {"user":"ann","text":"hi","room":"a b"}    | 400
        bad room in a form     | application/x-www-form-urlencoded | user=ann&text=hi&room=a%2Fb                | 400
        missing text in a form | application/x-www-form-urlencoded | user=ann                                   | 400
        bad form escape        | application/x-www-form-urlencoded | user=ann&text=%ZZ                          | 400
        body too large         | application/json                  | TOO_LARGE                                  | 413
        plain text             | text/plain                        | {"user":"ann","text":"hi"}                 | 415
        other charset          | application/json;charset=latin1   | {"user":"ann","text":"hi"}                 | 415
        no content type        | NONE                              | {"user":"ann","text":"hi"}                 | 415
        """)
    void everyBadMessageGetsItsStatusAndAJsonError(String what, String contentType, String body, int status)
            throws Exception {
        String payload = switch (body) {
            case "TOO_LARGE" -> jsonOfSize(MAX_BODY + 1);
            default -> body.replace("TOO_LONG_TEXT", "x".repeat(MAX_TEXT + 1)).replace("TOO_LONG_USER", "u".repeat(MAX_USER + 1));
        };
        assertJsonError(ChatHttp.post(base, contentType.equals("NONE") ? null : contentType, payload), status);
    }

    @Test
    void messagesAtEveryLimitAreAccepted() throws Exception {
        // Code points, not UTF-16 units: an emoji counts as one character.
        String longest = "😀".repeat(MAX_TEXT);
        JsonObject published = publish(JSON, "limits", "u".repeat(MAX_USER), longest);
        assertEquals(longest, published.get("text").getAsString());
        HttpResponse<String> largest = ChatHttp.post(base, JSON, jsonOfSize(MAX_BODY));
        assertEquals(202, largest.statusCode(), largest.body());
    }

    @ParameterizedTest
    @CsvSource({"PUT", "DELETE", "PATCH"})
    void otherMethodsGetA405(String method) throws Exception {
        HttpResponse<String> response = ChatHttp.send(HttpRequest.newBuilder(base.resolve("chat"))
                .method(method, HttpRequest.BodyPublishers.ofString("{}")).build());
        assertJsonError(response, 405);
        assertTrue(response.headers().firstValue("Allow").orElse("").contains("POST"), "Allow names POST");
    }

    // --- the other endpoints ----------------------------------------------------------------

    @Test
    void aBadRoomIsRefusedBeforeTheStreamStarts() throws Exception {
        assertJsonError(ChatHttp.get(base, "sse?room=bad%20room"), 400);
        assertJsonError(ChatHttp.get(base, "sse?room=" + "r".repeat(65)), 400);
        assertJsonError(ChatHttp.get(base, "sse?history=-1"), 400);
        // A malformed %-escape: Tomcat drops such a parameter, which must not make it room "general".
        for (String target : List.of("sse?room=a%", "sse?room=%zz", "sse?room=ok&history=%")) {
            try (RawHttp request = RawHttp.connect(base, null)) {
                request.send("GET", base.getRawPath() + target, Map.of());
                RawHttp.Head head = request.readHead(5000);
                JsonAssertions.assertJsonError(head.status(), head.header("Content-Type"), request.readBody(head), 400);
            }
        }
    }

    @Test
    void browsersLandingOnChatAreSentToThePage() throws Exception {
        HttpResponse<String> response = ChatHttp.get(base, "chat");
        assertEquals(3, response.statusCode() / 100, "status " + response.statusCode());
        URI location = base.resolve(response.headers().firstValue("Location").orElseThrow());
        assertEquals(base, location, "the page under the context path");
    }

    @Test
    void thePageAndItsFilesAreServed() throws Exception {
        HttpResponse<String> page = ChatHttp.get(base, "");
        assertEquals(200, page.statusCode());
        assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/html"),
                "content type " + page.headers().firstValue("Content-Type"));
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
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        JsonObject health = JsonParser.parseString(response.body()).getAsJsonObject();
        assertEquals("UP", health.get("status").getAsString());
        assertEquals("memory", health.get("broker").getAsString());
        try (SseStream open = stream("health")) {
            assertTrue(ChatHttp.health(base).get("clients").getAsInt() >= 1, "the open stream is counted");
        }
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

    // --- helpers ----------------------------------------------------------------------------

    /**
     * A chat stream that is open and registered: its retry line has arrived. (The stream servlet
     * registers the client before it returns, and both containers make the first
     * {@code onWritePossible} call, which writes that line, only after it has returned.)
     */
    private SseStream stream(String room) throws Exception {
        SseStream stream = SseStream.open(base.resolve("sse?room=" + room));
        assertEquals(200, stream.status());
        assertEquals("retry: 3000", stream.awaitFirstLine());
        return stream;
    }

    /** POSTs a message in the given encoding; returns the published message the 202 carries. */
    private JsonObject publish(String contentType, String room, String user, String text) throws Exception {
        String body;
        if (contentType.equals(JSON)) {
            JsonObject json = new JsonObject();
            json.addProperty("room", room);
            json.addProperty("user", user);
            json.addProperty("text", text);
            body = json.toString();
        } else {
            body = "room=" + URLEncoder.encode(room, StandardCharsets.UTF_8)
                    + "&user=" + URLEncoder.encode(user, StandardCharsets.UTF_8)
                    + "&text=" + URLEncoder.encode(text, StandardCharsets.UTF_8);
        }
        HttpResponse<String> response = ChatHttp.post(base, contentType, body);
        assertEquals(202, response.statusCode(), response.body());
        JsonObject published = JsonParser.parseString(response.body()).getAsJsonObject();
        assertEquals(room, published.get("room").getAsString());
        return published;
    }

    /** The event carries exactly the message the POST answered with, as a chat message event. */
    private static void assertIsEvent(JsonObject published, SseParser.Event event) {
        assertEquals("message", event.event());
        assertEquals(published.get("id").getAsString(), event.id(), "the event's id is the message's");
        JsonObject message = data(event);
        assertEquals(published, message, "the event's data is the message as published");
        assertEquals(Set.of("id", "room", "user", "text", "time"), message.keySet());
        Instant.parse(message.get("time").getAsString()); // ISO-8601
    }

    private static JsonObject data(SseParser.Event event) {
        return JsonParser.parseString(event.data()).getAsJsonObject();
    }

    /** A valid message whose JSON is exactly {@code bytes} long, padded in a member the server ignores. */
    private static String jsonOfSize(int bytes) {
        String head = "{\"user\":\"ann\",\"text\":\"hi\",\"room\":\"limits\",\"pad\":\"";
        String tail = "\"}";
        return head + "p".repeat(bytes - head.length() - tail.length()) + tail;
    }
}
