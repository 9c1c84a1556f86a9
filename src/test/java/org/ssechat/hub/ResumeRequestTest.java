package org.ssechat.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import jakarta.servlet.http.HttpServletRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.ssechat.chat.ChatRequestException;

class ResumeRequestTest {

    private static HttpServletRequest request(String header, String lastEventId, String history) {
        HttpServletRequest req = mock(HttpServletRequest.class);
        when(req.getHeader("Last-Event-ID")).thenReturn(header);
        when(req.getParameter("lastEventId")).thenReturn(lastEventId);
        when(req.getParameter("history")).thenReturn(history);
        return req;
    }

    @Test
    void theHeaderWinsOverTheQueryParameterAndBothWinOverHistory() throws Exception {
        assertEquals(new ResumeRequest("5-0", 0), ResumeRequest.from(request("5-0", "4-0", "20"), 100));
        assertEquals(new ResumeRequest("4-0", 0), ResumeRequest.from(request(null, "4-0", "20"), 100));
        assertEquals(new ResumeRequest("4-0", 0), ResumeRequest.from(request("", "4-0", null), 100));
        assertEquals(new ResumeRequest(null, 20), ResumeRequest.from(request(null, null, "20"), 100));
        assertEquals(ResumeRequest.NONE, ResumeRequest.from(request(null, null, null), 100));
        assertEquals(ResumeRequest.NONE, ResumeRequest.from(request(null, "", ""), 100));
    }

    @Test
    void moreHistoryThanIsKeptIsCutToIt() throws Exception {
        assertEquals(100, ResumeRequest.from(request(null, null, "5000"), 100).history());
        assertEquals(0, ResumeRequest.from(request(null, null, "0"), 100).history());
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "abc", "1e3", "1.5", " 5", "9999999999"})
    void aHistoryThatIsNotAWholeNumberIsA400EvenWhenResuming(String history) {
        assertEquals(400, assertThrows(ChatRequestException.class,
                () -> ResumeRequest.from(request("5-0", null, history), 100)).status());
    }

    @Test
    void aLastEventIdThatDoesNotParseIsStillPassedOnNotRefused() throws Exception {
        assertEquals("garbage\u0000", ResumeRequest.from(request("garbage\u0000", null, null), 100).lastEventId());
    }
}
