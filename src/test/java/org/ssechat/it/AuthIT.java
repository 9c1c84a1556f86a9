package org.ssechat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.ssechat.testing.Tokens;
import org.ssechat.testing.ChatHttp;
import org.ssechat.testing.JsonAssertions;
import org.ssechat.testing.Metrics;
import org.ssechat.testing.SseParser;
import org.ssechat.testing.SseStream;
import org.ssechat.testing.Teardown;
import org.ssechat.testing.WarServer;

/**
 * Signed tokens and private rooms, in both containers: who may read and post where, the three
 * places a token can come from, a post's sender taken from its token, a stream ended when its
 * token expires and resumed with a fresh one, and CORS for the allowed origins only.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(WarServer.Kind.class)
class AuthIT {

    private static final String SECRET = "an HS256 secret of 32 bytes or more!";
    private static final String ALLOWED_ORIGIN = "https://app.example.com";
    private static final Map<WarServer.Kind, WarServer> SERVERS = new ConcurrentHashMap<>();

    @Parameter
    WarServer.Kind kind;

    private URI base;

    @BeforeParameterizedClassInvocation
    static void start(WarServer.Kind kind) throws Exception {
        SERVERS.put(kind, kind.start("/sse-chat", Map.of("CHAT_JWT_SECRET", SECRET, "CHAT_JWT_CLOCK_SKEW_SECONDS", "0",
                "CHAT_RATE_LIMIT_PER_SECOND", "0", "CHAT_ALLOWED_ORIGINS", ALLOWED_ORIGIN + ",http://localhost:3000")));
    }

    @AfterParameterizedClassInvocation
    static void stop(WarServer.Kind kind) throws Exception {
        Teardown.close(SERVERS.remove(kind));
    }

    @BeforeEach
    void base() {
        base = SERVERS.get(kind).base();
    }

    /** A token for sub "u-ann", named "Ann", valid for {@code seconds}, reading {@code rooms}. */
    private static String token(long seconds, List<String> rooms, List<String> publish) throws Exception {
        return Tokens.hs256(SECRET, "u-ann", "Ann", seconds, rooms, publish);
    }

    private static String token(List<String> rooms) throws Exception {
        return token(3600, rooms, null);
    }

    private HttpResponse<String> get(String path, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10)).GET();
        headers.forEach(request::header);
        return ChatHttp.send(request.build());
    }

    private HttpResponse<String> post(String room, String user, String text, Map<String, String> headers) throws Exception {
        JsonObject json = new JsonObject();
        json.addProperty("room", room);
        json.addProperty("user", user);
        json.addProperty("text", text);
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve("chat")).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json.toString()));
        headers.forEach(request::header);
        return ChatHttp.send(request.build());
    }

    @Test
    void aPrivateRoomIsRefusedWithoutATokenAndWithOneForAnotherRoom() throws Exception {
        HttpResponse<String> none = get("sse?room=private-ann", Map.of());
        JsonAssertions.assertJsonError(none, 401);
        assertEquals("Bearer realm=\"sse-chat\"", none.headers().firstValue("WWW-Authenticate").orElse(null));
        HttpResponse<String> bad = get("sse?room=private-ann", Map.of("Authorization", "Bearer not.a.token"));
        JsonAssertions.assertJsonError(bad, 401);
        assertTrue(bad.headers().firstValue("WWW-Authenticate").orElse("").contains("error=\"invalid_token\""));
        JsonAssertions.assertJsonError(get("sse?room=private-ann",
                Map.of("Authorization", "Bearer " + token(List.of("private-bob")))), 403);
        JsonAssertions.assertJsonError(get("sse?room=private-ann",
                Map.of("Authorization", "Bearer " + token(-60, List.of("private-ann"), null))), 401);
        assertTrue(Metrics.value(base, "sse_chat_auth_refusals_total{reason=\"missing\"}") >= 1);
        assertTrue(Metrics.value(base, "sse_chat_auth_refusals_total{reason=\"forbidden\"}") >= 1);
        assertTrue(Metrics.value(base, "sse_chat_auth_refusals_total{reason=\"expired\"}") >= 1);
        assertEquals("private-rooms", ChatHttp.health(base).get("tokens").getAsString());
    }

    @Test
    void oneRoomOfManyThatTheTokenDoesNotAllowRefusesTheWholeStreamNamingIt() throws Exception {
        String bob = "Bearer " + token(List.of("general", "private-bob"));
        HttpResponse<String> refused = get("sse?room=general&room=private-bob&room=private-ann",
                Map.of("Authorization", bob));
        JsonAssertions.assertJsonError(refused, 403);
        assertTrue(refused.body().contains("private-ann"), refused.body());
        JsonAssertions.assertJsonError(get("sse?room=general&room=private-ann", Map.of()), 401);
        try (SseStream stream = SseStream.open(base.resolve("sse?room=general&room=private-bob&access_token="
                + token(List.of("general", "private-bob"))))) {
            assertEquals(200, stream.status());
        }
    }

    @Test
    void theRightTokenOpensTheRoomFromEachOfItsThreePlaces() throws Exception {
        String token = token(List.of("private-*"));
        List<SseStream> streams = List.of(
                SseStream.open(base.resolve("sse?room=private-three"), Map.of("Authorization", "Bearer " + token)),
                SseStream.open(base.resolve("sse?room=private-three"), Map.of("Cookie", "sse_chat_token=" + token)),
                SseStream.open(base.resolve("sse?room=private-three&access_token=" + token)));
        try {
            for (SseStream stream : streams) {
                assertEquals(200, stream.status());
                stream.awaitFirstLine();
            }
            HttpResponse<String> posted = post("private-three", "whoever", "for the three",
                    Map.of("Authorization", "Bearer " + token));
            assertEquals(202, posted.statusCode(), posted.body());
            for (SseStream stream : streams) {
                JsonObject message = JsonParser.parseString(stream.next().data()).getAsJsonObject();
                assertEquals("for the three", message.get("text").getAsString());
            }
        } finally {
            streams.forEach(SseStream::close);
        }
    }

    @Test
    void aPostCarriesTheTokensNameAndSubWhateverTheBodySays() throws Exception {
        String token = token(List.of("private-team"));
        try (SseStream stream = SseStream.open(base.resolve("sse?room=private-team"), Map.of("Cookie", "sse_chat_token=" + token))) {
            stream.awaitFirstLine();
            HttpResponse<String> posted = post("private-team", "Admin", "hello", Map.of("Cookie", "sse_chat_token=" + token));
            assertEquals(202, posted.statusCode(), posted.body());
            JsonObject answer = JsonParser.parseString(posted.body()).getAsJsonObject();
            assertEquals("Ann", answer.get("user").getAsString(), "the token's name, not the body's");
            assertEquals("u-ann", answer.get("userId").getAsString());
            JsonObject streamed = JsonParser.parseString(stream.next().data()).getAsJsonObject();
            assertEquals("Ann", streamed.get("user").getAsString());
            assertEquals("u-ann", streamed.get("userId").getAsString());
        }
        JsonAssertions.assertJsonError(post("private-team", "mallory", "no token", Map.of()), 401);
        JsonAssertions.assertJsonError(post("private-team", "ann", "reader only",
                Map.of("Authorization", "Bearer " + token(3600, List.of("private-team"), List.of()))), 403);
        // In an open room a post without a token works as before, and its user is the body's.
        JsonObject open = ChatHttp.publish(base, "lobby", "bob", "open as ever");
        assertEquals("bob", open.get("user").getAsString());
        assertNull(open.get("userId"), "no token: no userId");
    }

    @Test
    void anExpiredTokenEndsItsStreamAndAFreshOneResumesWithNothingLost() throws Exception {
        String shortLived = token(2, List.of("private-exp"), null);
        String firstId;
        try (SseStream stream = SseStream.open(base.resolve("sse?room=private-exp"), Map.of("Authorization", "Bearer " + shortLived))) {
            stream.awaitFirstLine();
            firstId = JsonParser.parseString(post("private-exp", "-", "before expiry",
                    Map.of("Authorization", "Bearer " + shortLived)).body()).getAsJsonObject().get("id").getAsString();
            assertEquals(firstId, stream.next().id());
            SseParser.Event expired = stream.next();
            assertEquals("expired", expired.event(), expired.data());
            assertTrue(expired.data().contains("\"expiredAt\""), expired.data());
            stream.awaitEnd(5000);
            assertTrue(stream.hasEnded(), "the stream ends after its expiry");
        }
        String fresh = token(List.of("private-exp"));
        String missedId = JsonParser.parseString(post("private-exp", "-", "while away",
                Map.of("Authorization", "Bearer " + fresh)).body()).getAsJsonObject().get("id").getAsString();
        try (SseStream resumed = SseStream.open(base.resolve("sse?room=private-exp"),
                Map.of("Authorization", "Bearer " + fresh, "Last-Event-ID", firstId))) {
            assertEquals(missedId, resumed.next().id(), "resumed after the last message it had");
        }
    }

    @Test
    void aBadTokenIsRefusedEvenInAnOpenRoomAndNoTokenIsFineThere() throws Exception {
        JsonAssertions.assertJsonError(get("sse?room=lobby&access_token=garbage", Map.of()), 401);
        try (SseStream open = SseStream.open(base.resolve("sse?room=lobby"))) {
            assertEquals(200, open.status());
        }
    }

    @Test
    void meTellsThePageWhoItIsAndWhatItMayDoWithoutCountingARefusal() throws Exception {
        long refusedBefore = Metrics.value(base, "sse_chat_auth_refusals_total{reason=\"missing\"}");
        JsonObject anonymous = JsonParser.parseString(get("me?room=private-x", Map.of()).body()).getAsJsonObject();
        assertEquals("private-rooms", anonymous.get("tokens").getAsString());
        assertTrue(anonymous.get("needsToken").getAsBoolean());
        assertEquals(false, anonymous.get("canRead").getAsBoolean());
        assertTrue(anonymous.get("user").isJsonNull());
        assertEquals(refusedBefore, Metrics.value(base, "sse_chat_auth_refusals_total{reason=\"missing\"}"));
        String token = token(3600, List.of("private-x"), List.of());
        JsonObject ann = JsonParser.parseString(get("me?room=private-x", Map.of("Cookie", "sse_chat_token=" + token)).body())
                .getAsJsonObject();
        assertTrue(ann.get("canRead").getAsBoolean());
        assertEquals(false, ann.get("canPost").getAsBoolean());
        assertEquals("Ann", ann.getAsJsonObject("user").get("name").getAsString());
        assertEquals("u-ann", ann.getAsJsonObject("user").get("id").getAsString());
        JsonObject open = JsonParser.parseString(get("me?room=lobby", Map.of()).body()).getAsJsonObject();
        assertTrue(open.get("canRead").getAsBoolean() && open.get("canPost").getAsBoolean());
        JsonAssertions.assertJsonError(get("me?room=lobby", Map.of("Cookie", "sse_chat_token=expired.or.bad")), 401);
    }

    /** CHAT_AUTH=required: every room needs a token, not only private- ones. */
    @Test
    void requiredMakesEveryRoomNeedAToken() throws Exception {
        try (WarServer required = kind.start("/sse-chat", Map.of("CHAT_JWT_SECRET", SECRET, "CHAT_AUTH", "required"))) {
            URI requiredBase = required.base();
            assertEquals("required", ChatHttp.health(requiredBase).get("tokens").getAsString());
            JsonAssertions.assertJsonError(ChatHttp.get(requiredBase, "sse?room=general"), 401);
            JsonAssertions.assertJsonError(ChatHttp.post(requiredBase, "application/json",
                    "{\"room\":\"general\",\"user\":\"x\",\"text\":\"y\"}"), 401);
            try (SseStream stream = SseStream.open(requiredBase.resolve("sse?room=general&access_token=" + token(List.of("general"))))) {
                assertEquals(200, stream.status());
            }
        }
    }

    /** With a token the rate limit is the user's: one user's burst does not spend another's from the same address. */
    @Test
    void theRateLimitCountsPerSubjectWhenATokenIsGiven() throws Exception {
        try (WarServer limited = kind.start("/sse-chat", Map.of("CHAT_JWT_SECRET", SECRET,
                "CHAT_RATE_LIMIT_PER_SECOND", "1", "CHAT_RATE_LIMIT_BURST", "1"))) {
            URI limitedBase = limited.base();
            String ann = token(List.of("*"));
            JWTClaimsSet bobClaims = new JWTClaimsSet.Builder().subject("u-bob").claim("rooms", List.of("*"))
                    .expirationTime(Date.from(Instant.now().plusSeconds(3600))).build();
            SignedJWT bobJwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), bobClaims);
            bobJwt.sign(new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)));
            String bob = bobJwt.serialize();
            URI saved = base;
            base = limitedBase;
            try {
                assertEquals(202, post("lobby", "-", "ann 1", Map.of("Authorization", "Bearer " + ann)).statusCode());
                assertEquals(429, post("lobby", "-", "ann 2", Map.of("Authorization", "Bearer " + ann)).statusCode(),
                        "ann's burst is spent");
                assertEquals(202, post("lobby", "-", "bob 1", Map.of("Authorization", "Bearer " + bob)).statusCode(),
                        "bob posts from the same address with his own limit");
                assertEquals(202, post("lobby", "carl", "no token", Map.of()).statusCode(),
                        "and the address's own limit is not spent by tokens");
            } finally {
                base = saved;
            }
        }
    }

    /** A browser sends the cookie with a form any site submits: such a post must not go out as the cookie's user. */
    @Test
    void aPostWithTheCookieFromAnotherSiteIsRefused() throws Exception {
        String cookie = "sse_chat_token=" + token(List.of("private-csrf"));
        HttpResponse<String> forged = post("private-csrf", "-", "forged", Map.of("Cookie", cookie,
                "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"));
        JsonAssertions.assertJsonError(forged, 403);
        JsonAssertions.assertJsonError(post("private-csrf", "-", "forged", Map.of("Cookie", cookie,
                "Origin", "https://evil.example")), 403);
        JsonAssertions.assertJsonError(post("private-csrf", "-", "sibling", Map.of("Cookie", cookie,
                "Origin", "https://other.example.com", "Sec-Fetch-Site", "same-site")), 403);
        assertEquals(202, post("private-csrf", "-", "from the page", Map.of("Cookie", cookie,
                "Origin", base.getScheme() + "://" + base.getAuthority(), "Sec-Fetch-Site", "same-origin")).statusCode());
        assertEquals(202, post("private-csrf", "-", "from the page, an older browser", Map.of("Cookie", cookie,
                "Origin", base.getScheme() + "://" + base.getAuthority())).statusCode());
        assertEquals(202, post("private-csrf", "-", "from the allowed origin", Map.of("Cookie", cookie,
                "Origin", ALLOWED_ORIGIN, "Sec-Fetch-Site", "cross-site")).statusCode());
        // A bearer header is not sent by a browser on its own: no origin check for it.
        assertEquals(202, post("private-csrf", "-", "with the header", Map.of("Authorization", "Bearer "
                + token(List.of("private-csrf")), "Origin", "https://elsewhere.example", "Sec-Fetch-Site", "cross-site"))
                .statusCode());
    }

    @Test
    void aTokenThatExpiresInAFarFutureStillStreams() throws Exception {
        for (long seconds : new long[] {100L * 365 * 24 * 3600, Long.MAX_VALUE / 1000 - Instant.now().getEpochSecond() - 1}) {
            try (SseStream stream = SseStream.open(base.resolve("sse?room=private-far"),
                    Map.of("Authorization", "Bearer " + token(seconds, List.of("private-far"), null)))) {
                assertEquals(200, stream.status(), "exp in " + seconds + " s");
                stream.awaitFirstLine();
                String id = JsonParser.parseString(post("private-far", "-", "far", Map.of("Authorization",
                        "Bearer " + token(List.of("private-far")))).body()).getAsJsonObject().get("id").getAsString();
                assertEquals(id, stream.next().id());
            }
        }
    }

    @Test
    void corsAnswersTheAllowedOriginsAndNoOther() throws Exception {
        HttpResponse<String> allowed = get("health", Map.of("Origin", ALLOWED_ORIGIN));
        assertEquals(ALLOWED_ORIGIN, allowed.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
        assertEquals("true", allowed.headers().firstValue("Access-Control-Allow-Credentials").orElse(null));
        assertTrue(allowed.headers().allValues("Vary").stream().anyMatch(v -> v.contains("Origin")), allowed.headers().map().toString());

        HttpResponse<String> preflight = ChatHttp.send(HttpRequest.newBuilder(base.resolve("chat"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).header("Origin", ALLOWED_ORIGIN)
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "content-type, authorization").build());
        assertEquals(204, preflight.statusCode());
        assertEquals(ALLOWED_ORIGIN, preflight.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
        assertTrue(preflight.headers().firstValue("Access-Control-Allow-Methods").orElse("").contains("POST"));
        String allowHeaders = preflight.headers().firstValue("Access-Control-Allow-Headers").orElse("");
        assertTrue(allowHeaders.contains("Content-Type") && allowHeaders.contains("Authorization")
                && allowHeaders.contains("Idempotency-Key"), "another origin's page may send a retry key: " + allowHeaders);
        assertTrue(preflight.headers().firstValue("Access-Control-Max-Age").isPresent());

        try (SseStream stream = SseStream.open(base.resolve("sse?room=lobby"), Map.of("Origin", ALLOWED_ORIGIN))) {
            assertEquals(ALLOWED_ORIGIN, stream.header("Access-Control-Allow-Origin"), "the stream too, for EventSource");
        }

        for (String other : List.of("https://evil.example.com", "null")) {
            HttpResponse<String> refused = get("health", Map.of("Origin", other));
            assertTrue(refused.headers().firstValue("Access-Control-Allow-Origin").isEmpty(), other);
            HttpResponse<String> otherPreflight = ChatHttp.send(HttpRequest.newBuilder(base.resolve("chat"))
                    .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).header("Origin", other)
                    .header("Access-Control-Request-Method", "POST").build());
            assertTrue(otherPreflight.headers().firstValue("Access-Control-Allow-Origin").isEmpty(), other);
        }
    }
}
