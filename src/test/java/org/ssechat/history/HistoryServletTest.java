package org.ssechat.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.ssechat.testing.Tokens;
import org.ssechat.auth.RoomAccess;
import org.ssechat.auth.TokenKeys;
import org.ssechat.auth.TokenVerifier;
import org.ssechat.broker.Broker;
import org.ssechat.broker.BrokerUnavailableException;
import org.ssechat.broker.InMemoryBroker;
import org.ssechat.chat.ChatMessage;
import org.ssechat.chat.MessageJson;
import org.ssechat.testing.JsonAssertions;

/** GET /history's answers, from a real in-process broker, with the request and response mocked. */
class HistoryServletTest {

    private static final String SECRET = "0123456789abcdef0123456789abcdef";

    private final InMemoryBroker broker = new InMemoryBroker(1000, 1L << 30, Clock.systemUTC());
    private final RoomAccess access = new RoomAccess(new TokenVerifier(TokenKeys.from(Optional.of(SECRET),
            Optional.empty()).orElseThrow(), Duration.ofSeconds(30), name -> null, Clock.systemUTC()), false);

    /** What the servlet answered. */
    private record Answer(int status, Map<String, String> headers, String contentType, String body) {
        JsonObject json() {
            return JsonParser.parseString(body).getAsJsonObject();
        }

        /** The ids of the page's messages, in the order given. */
        List<String> ids() {
            List<String> ids = new ArrayList<>();
            json().getAsJsonArray("messages").forEach(m -> ids.add(m.getAsJsonObject().get("id").getAsString()));
            return ids;
        }

        void assertError(int expected) {
            JsonAssertions.assertJsonError(status, contentType, body, expected);
        }
    }

    private Answer get(Broker from, String query, String bearer) throws Exception {
        HttpServletRequest req = mock(HttpServletRequest.class);
        when(req.getMethod()).thenReturn("GET");
        when(req.getQueryString()).thenReturn(query);
        if (bearer != null) {
            when(req.getHeader("Authorization")).thenReturn("Bearer " + bearer);
        }
        HttpServletResponse resp = mock(HttpServletResponse.class);
        int[] status = {200};
        Map<String, String> headers = new HashMap<>();
        String[] contentType = {""};
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        doAnswer(call -> status[0] = call.getArgument(0)).when(resp).setStatus(anyInt());
        doAnswer(call -> headers.put(call.getArgument(0), call.getArgument(1))).when(resp)
                .setHeader(anyString(), anyString());
        doAnswer(call -> contentType[0] = call.getArgument(0)).when(resp).setContentType(anyString());
        when(resp.getOutputStream()).thenReturn(new ServletOutputStream() {
            @Override
            public void write(int b) {
                body.write(b);
            }

            @Override
            public boolean isReady() {
                return true;
            }

            @Override
            public void setWriteListener(WriteListener listener) {
            }
        });
        new HistoryServlet(access, from).doGet(req, resp);
        return new Answer(status[0], headers, contentType[0], body.toString(StandardCharsets.UTF_8));
    }

    private Answer get(String query) throws Exception {
        return get(broker, query, null);
    }

    private List<String> publish(String room, int count) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ids.add(broker.publish(new ChatMessage(null, room, "ann", "m" + i, Instant.EPOCH)).id().toString());
        }
        return ids;
    }

    private static String token(List<String> rooms) throws Exception {
        return Tokens.forRooms(SECRET, rooms);
    }

    @Test
    void withoutBeforeTheNewestFiftyComeOldestFirstEachAsItsStreamEventsJson() throws Exception {
        List<String> ids = publish("dev", 120);
        Answer answer = get("room=dev");
        assertEquals(200, answer.status());
        assertTrue(answer.contentType().startsWith("application/json"), answer.contentType());
        assertEquals("dev", answer.json().get("room").getAsString());
        assertEquals(ids.subList(70, 120), answer.ids());
        assertTrue(answer.json().get("more").getAsBoolean());
        JsonArray messages = answer.json().getAsJsonArray("messages");
        ChatMessage newest = broker.history("dev", null, 1).messages().get(0);
        assertEquals(JsonParser.parseString(MessageJson.toJson(newest)), messages.get(49));
    }

    @Test
    void pagingBackWithTheOldestIdReachesTheFirstMessageWithNoGapAndNoDouble() throws Exception {
        List<String> ids = publish("dev", 250);
        List<String> seen = new ArrayList<>();
        String query = "room=dev&limit=100";
        boolean more = true;
        int pages = 0;
        while (more) {
            Answer page = get(query);
            seen.addAll(0, page.ids());
            more = page.json().get("more").getAsBoolean();
            query = "room=dev&limit=100&before=" + page.ids().get(0);
            pages++;
        }
        assertEquals(3, pages);
        assertEquals(ids, seen);
    }

    @Test
    void aPageThatEndsExactlyAtTheFirstMessageSaysNoMore() throws Exception {
        List<String> ids = publish("dev", 10);
        Answer answer = get("room=dev&before=" + ids.get(5) + "&limit=5");
        assertEquals(ids.subList(0, 5), answer.ids());
        assertFalse(answer.json().get("more").getAsBoolean());
        Answer nothingOlder = get("room=dev&before=" + ids.get(0));
        assertEquals(List.of(), nothingOlder.ids());
        assertFalse(nothingOlder.json().get("more").getAsBoolean());
    }

    @Test
    void aRoomWithNoHistoryIsAnEmptyPageAndNoRoomMeansGeneral() throws Exception {
        Answer answer = get(null);
        assertEquals(200, answer.status());
        assertEquals("{\"room\":\"general\",\"messages\":[],\"more\":false}", answer.body());
        assertEquals(List.of(), get("room=quiet&before=0-0").ids());
    }

    @Test
    void badQueriesAreJson400s() throws Exception {
        for (String query : List.of("room=a%20b", "room=%E2%82", "before=abc", "before=", "before=5",
                "before=-1-0", "before=1-0-0", "limit=0", "limit=101", "limit=-5", "limit=+5", "limit=1.5",
                "limit=", "limit=abc", "limit=99999999999")) {
            Answer answer = get(query);
            answer.assertError(400);
        }
        assertEquals(200, get("limit=100&before=18446744073709551615-18446744073709551615").status());
        assertEquals(200, get("limit=1").status());
    }

    @Test
    void theTokenRulesAreTheStreams() throws Exception {
        publish("private-ann", 3);
        Answer noToken = get(broker, "room=private-ann", null);
        noToken.assertError(401);
        assertTrue(noToken.headers().get("WWW-Authenticate").startsWith("Bearer"), noToken.headers().toString());
        get(broker, "room=private-ann", token(List.of("private-bob"))).assertError(403);
        get(broker, "room=private-ann", "not.a.token").assertError(401);
        Answer allowed = get(broker, "room=private-ann", token(List.of("private-ann")));
        assertEquals(200, allowed.status());
        assertEquals(3, allowed.ids().size());
        assertEquals(200, get(broker, "room=general", null).status(), "an open room needs no token");
    }

    @Test
    void aBrokerThatCannotReadIsA503ThatSaysWhenToComeBack() throws Exception {
        Broker down = mock(Broker.class);
        when(down.historyBefore(anyString(), any(), anyInt()))
                .thenThrow(new BrokerUnavailableException("Redis is down", null));
        Answer answer = get(down, "room=dev", null);
        answer.assertError(503);
        assertEquals(HistoryServlet.RETRY_AFTER_SECONDS, answer.headers().get("Retry-After"));
    }
}
