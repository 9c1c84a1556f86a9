package org.ssechat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.ssechat.testing.ChatHttp;
import org.ssechat.testing.JsonAssertions;
import org.ssechat.testing.RawHttp;
import org.ssechat.testing.SseParser;
import org.ssechat.testing.SseStream;
import org.ssechat.testing.WarServer;

/**
 * Seeded fuzzing of POST /chat and GET /sse on the running WAR: mutated JSON, form bodies,
 * content types, query strings and raw bytes. Every answer is 2xx, or 4xx with a JSON error;
 * the server stays up; and the streams open meanwhile receive exactly the accepted messages,
 * intact.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FuzzIT {

    private static final int REQUESTS = 10_000;
    private static final List<String> ROOMS = List.of("general", "fuzz");
    private final List<WarServer> servers = new ArrayList<>();

    @BeforeAll
    void start() {
        // each test starts its own node
    }

    @AfterAll
    void stop() throws Exception {
        for (WarServer server : servers) {
            server.close();
        }
    }

    @ParameterizedTest
    @EnumSource(WarServer.Kind.class)
    void tenThousandHostileRequestsGetClearAnswersAndHarmNobody(WarServer.Kind kind) throws Exception {
        // Tomcat's stock connector, processors recycled for the next connection: the fuzzer's
        // streams vanish all the time, and a stream touched after its completion once cut a
        // POST's answer here ("POST #3451 got no answer"; see StreamOrder).
        WarServer server = kind.start("/sse-chat", Map.of("CHAT_RATE_LIMIT_PER_SECOND", "0"));
        servers.add(server);
        URI base = server.base();
        Random random = new Random(20261124L + kind.ordinal());
        Map<String, SseStream> listeners = Map.of(
                "general", SseStream.open(base.resolve("sse?room=general")),
                "fuzz", SseStream.open(base.resolve("sse?room=fuzz")));
        Map<String, List<JsonObject>> accepted = Map.of("general", new ArrayList<>(), "fuzz", new ArrayList<>());
        int[] statuses = new int[600];

        for (int i = 0; i < REQUESTS; i++) {
            if (random.nextInt(10) == 0) {
                statuses[streamRequest(base, random)]++;
                continue;
            }
            Post post = postRequest(base, random);
            Answer response;
            try {
                response = post.sendOnItsOwnConnection(base);
            } catch (java.io.IOException e) {
                throw new AssertionError("POST #" + i + " got no answer: " + post.headers() + ", "
                        + post.body().length + " bytes", e);
            }
            int status = response.status();
            statuses[status]++;
            if (status == 202) {
                JsonObject message = JsonParser.parseString(response.body()).getAsJsonObject();
                List<JsonObject> room = accepted.get(message.get("room").getAsString());
                if (room != null) {
                    room.add(message);
                }
            } else {
                assertTrue(status >= 400 && status < 500, "POST #" + i + " answered " + status + ": " + response.body());
                JsonAssertions.assertJsonError(status, response.contentType(), response.body(), status);
            }
        }

        assertEquals(200, ChatHttp.get(base, "health").statusCode(), "the server is still up");
        for (String room : ROOMS) {
            SseStream listener = listeners.get(room);
            for (JsonObject expected : accepted.get(room)) {
                SseParser.Event event = listener.next();
                assertEquals(expected.get("id").getAsString(), event.id());
                assertEquals(expected, JsonParser.parseString(event.data()).getAsJsonObject(), "delivered intact");
            }
            assertEquals(null, listener.poll(300), "nothing but the accepted messages in room " + room);
            listener.close();
        }
        assertTrue(accepted.get("fuzz").size() > 100, "the fuzzer also made valid messages");
        System.out.println(kind + " fuzz statuses: " + summary(statuses));
    }

    /**
     * One fuzzed POST. Each is sent on a connection of its own, closed after the answer: over a
     * pooled keep-alive connection the JDK's client now and then sent a request on a connection
     * Tomcat was closing, and got no answer at all (one run in four, also before this test
     * changed), which says nothing about how the server treats hostile requests.
     */
    private record Post(Map<String, String> headers, byte[] body) {

        Answer sendOnItsOwnConnection(URI base) throws java.io.IOException {
            try (RawHttp http = RawHttp.connect(base, null)) {
                Map<String, String> head = new java.util.LinkedHashMap<>(headers);
                head.put("Content-Length", String.valueOf(body.length));
                head.put("Connection", "close");
                http.send("POST", base.resolve("chat").getRawPath(), head);
                http.write(body);
                RawHttp.Head answer = http.readHead(10_000);
                String contentType = answer.header("Content-Type");
                return new Answer(answer.status(), contentType == null ? "" : contentType, http.readBody(answer));
            }
        }
    }

    private record Answer(int status, String contentType, String body) {
    }

    /** A POST /chat built from a valid message and then mutated, or not valid to begin with. */
    private static Post postRequest(URI base, Random random) {
        JsonObject message = new JsonObject();
        message.addProperty("user", random.nextInt(4) == 0 ? randomText(random, 1 + random.nextInt(40))
                : "user" + random.nextInt(1000));
        message.addProperty("text", randomText(random, random.nextInt(10) == 0 ? 2500 : 1 + random.nextInt(80)));
        if (random.nextBoolean()) {
            message.addProperty("room", random.nextInt(20) == 0 ? randomText(random, 5) : ROOMS.get(random.nextInt(2)));
        }
        String contentType;
        byte[] body;
        switch (random.nextInt(6)) {
            case 0, 1 -> {
                contentType = "application/json";
                body = message.toString().getBytes(StandardCharsets.UTF_8);
            }
            case 2 -> {
                contentType = "application/json; charset=utf-8";
                body = mutate(random, message.toString().getBytes(StandardCharsets.UTF_8));
            }
            case 3 -> {
                contentType = "application/x-www-form-urlencoded";
                String form = "user=" + URLEncoder.encode(message.get("user").getAsString(), StandardCharsets.UTF_8)
                        + "&text=" + URLEncoder.encode(message.get("text").getAsString(), StandardCharsets.UTF_8)
                        + (message.has("room") ? "&room=" + URLEncoder.encode(message.get("room").getAsString(), StandardCharsets.UTF_8) : "");
                body = random.nextBoolean() ? form.getBytes(StandardCharsets.UTF_8) : mutate(random, form.getBytes(StandardCharsets.UTF_8));
            }
            case 4 -> {
                contentType = List.of("text/plain", "application/xml", "application/json;charset=latin1",
                        "multipart/form-data; boundary=x", "application/json\u0000", "", "*/*").get(random.nextInt(7));
                body = message.toString().getBytes(StandardCharsets.UTF_8);
            }
            default -> {
                contentType = random.nextBoolean() ? "application/json" : "application/x-www-form-urlencoded";
                body = new byte[random.nextInt(random.nextInt(10) == 0 ? 40_000 : 200)];
                random.nextBytes(body);
            }
        }
        Map<String, String> headers = new java.util.LinkedHashMap<>();
        if (!contentType.isEmpty() && contentType.chars().noneMatch(c -> c < 0x20)) {
            headers.put("Content-Type", contentType);
        }
        if (random.nextInt(20) == 0) {
            headers.put("Authorization", "Bearer " + randomText(random, 10).replaceAll("[^A-Za-z0-9]", "x"));
        }
        return new Post(headers, body);
    }

    /** Opens GET /sse with fuzzed parameters; returns its status after checking the answer. */
    private static int streamRequest(URI base, Random random) throws Exception {
        String[] rooms = {"general", "fuzz", "", "a b", "%00", "x".repeat(70), "r\r\ninjected", "😀"};
        String[] numbers = {"0", "10", "-1", "abc", "99999999999", "1e3", ""};
        String query = "room=" + URLEncoder.encode(rooms[random.nextInt(rooms.length)], StandardCharsets.UTF_8)
                + (random.nextBoolean() ? "&history=" + numbers[random.nextInt(numbers.length)] : "")
                + (random.nextBoolean() ? "&lastEventId=" + URLEncoder.encode(randomText(random, 8), StandardCharsets.UTF_8) : "");
        try (SseStream stream = SseStream.open(base.resolve("sse?" + query))) {
            int status = stream.status();
            if (status != 200) {
                assertTrue(status >= 400 && status < 500, "GET /sse?" + query + " answered " + status);
                assertTrue(stream.header("Content-Type").startsWith("application/json"), query);
            }
            return status;
        }
    }

    /** Random text from a mix that includes line ends, control characters, quotes and emoji. */
    private static String randomText(Random random, int length) {
        String[] pieces = {"a", "b", "Z", " ", "é", "😀", "\n", "\r\n", "\r", "\t", "\"", "\\", "<", "&",
                "\u0000", "\u0007", "\u001b", "\u2028", "data: x", "id: 1", "event: y", ":"};
        StringBuilder text = new StringBuilder();
        while (text.length() < length) {
            text.append(random.nextInt(3) == 0 ? pieces[random.nextInt(pieces.length)] : "w");
        }
        return text.toString();
    }

    /** Flips, inserts, deletes or duplicates bytes; sometimes cuts the body short. */
    private static byte[] mutate(Random random, byte[] bytes) {
        List<Byte> out = new ArrayList<>();
        for (byte b : bytes) {
            out.add(b);
        }
        for (int n = 1 + random.nextInt(4); n > 0 && !out.isEmpty(); n--) {
            int at = random.nextInt(out.size());
            switch (random.nextInt(5)) {
                case 0 -> out.set(at, (byte) random.nextInt(256));
                case 1 -> out.add(at, (byte) random.nextInt(256));
                case 2 -> out.remove(at);
                case 3 -> out.addAll(at, out.subList(at, Math.min(out.size(), at + 8)));
                default -> out.subList(at, out.size()).clear();
            }
        }
        byte[] result = new byte[out.size()];
        for (int i = 0; i < result.length; i++) {
            result[i] = out.get(i);
        }
        return result;
    }

    private static String summary(int[] statuses) {
        StringBuilder text = new StringBuilder();
        for (int status = 0; status < statuses.length; status++) {
            if (statuses[status] > 0) {
                text.append(status).append('=').append(statuses[status]).append(' ');
            }
        }
        return text.toString().trim();
    }
}
