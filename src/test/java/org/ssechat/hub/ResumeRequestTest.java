package org.ssechat.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.ssechat.chat.ChatRequestException;
import org.ssechat.http.QueryParameters;
import org.ssechat.sse.EventId;

class ResumeRequestTest {

    /** A request's Last-Event-ID header and query parameters, as the stream servlet reads them. */
    private record Request(String header, QueryParameters query) {
    }

    private static Request request(String header, String lastEventId, String history) throws ChatRequestException {
        StringBuilder query = new StringBuilder();
        if (lastEventId != null) {
            query.append("lastEventId=").append(URLEncoder.encode(lastEventId, StandardCharsets.UTF_8)).append('&');
        }
        if (history != null) {
            query.append("history=").append(URLEncoder.encode(history, StandardCharsets.UTF_8));
        }
        return new Request(header, QueryParameters.parse(query.toString()));
    }

    private static ResumeRequest from(Request request, int maxHistory) throws ChatRequestException {
        return ResumeRequest.from(request.header(), request.query(), maxHistory);
    }

    @Test
    void theHeaderWinsOverTheQueryParameterAndBothWinOverHistory() throws Exception {
        assertEquals(new ResumeRequest("5-0", 20), from(request("5-0", "4-0", "20"), 100));
        assertEquals(new ResumeRequest.After(new EventId(5, 0)),
                from(request("5-0", "4-0", "20"), 100).startsOf(List.of("dev")).get(0));
        assertEquals(new ResumeRequest("4-0", 20), from(request(null, "4-0", "20"), 100));
        assertEquals(new ResumeRequest("4-0", 0), from(request("", "4-0", null), 100));
        assertEquals(new ResumeRequest(null, 20), from(request(null, null, "20"), 100));
        assertEquals(ResumeRequest.NONE, from(request(null, null, null), 100));
        assertEquals(ResumeRequest.NONE, from(request(null, "", ""), 100));
    }

    @Test
    void moreHistoryThanIsKeptIsCutToIt() throws Exception {
        assertEquals(100, from(request(null, null, "5000"), 100).history());
        assertEquals(0, from(request(null, null, "0"), 100).history());
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "abc", "1e3", "1.5", " 5", "9999999999"})
    void aHistoryThatIsNotAWholeNumberIsA400EvenWhenResuming(String history) {
        assertEquals(400, assertThrows(ChatRequestException.class,
                () -> from(request("5-0", null, history), 100)).status());
    }

    @Test
    void aLastEventIdThatDoesNotParseIsStillPassedOnNotRefused() throws Exception {
        assertEquals("garbage\u0000", from(request("garbage\u0000", null, null), 100).lastEventId());
    }

    @Test
    void aManyRoomIdResumesTheRoomsItNamesAndStartsTheOthersAsNew() throws Exception {
        ResumeRequest resume = from(request("dev:5-0,ops:0-0", null, "20"), 100);
        assertEquals(List.of(new ResumeRequest.After(new EventId(5, 0)), new ResumeRequest.After(EventId.ZERO),
                new ResumeRequest.Newest(20)), resume.startsOf(List.of("dev", "ops", "new")));
        // A one-room stream takes its room's position from a many-room id (a page that left the others).
        assertEquals(List.of(new ResumeRequest.After(new EventId(5, 0))), resume.startsOf(List.of("dev")));
        assertEquals(List.of(new ResumeRequest.Newest(20)), resume.startsOf(List.of("new")));
    }

    @Test
    void anIdOfNeitherFormIsUnknownInEveryRoom() throws Exception {
        assertEquals(List.of(new ResumeRequest.Unknown(), new ResumeRequest.Unknown()),
                from(request("5-0", null, null), 100).startsOf(List.of("dev", "ops")));
        for (String bad : new String[] {"dev:5-0,", "dev:5-0,dev:6-0", "dev:x", "d v:5-0", ":5-0", "dev:5-0;ops:1-0",
                "dev", "dev:5-0\nops:1-0"}) {
            assertEquals(List.of(new ResumeRequest.Unknown(), new ResumeRequest.Unknown()),
                    new ResumeRequest(bad, 0).startsOf(List.of("dev", "ops")), bad);
            assertEquals(List.of(new ResumeRequest.Unknown()), new ResumeRequest(bad, 0).startsOf(List.of("dev")), bad);
        }
        assertEquals(List.of(new ResumeRequest.Newest(0)), ResumeRequest.NONE.startsOf(List.of("dev")));
    }
}
