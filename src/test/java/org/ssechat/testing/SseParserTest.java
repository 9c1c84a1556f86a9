package org.ssechat.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The test client's parser follows the WHATWG rules, so what the tests see is what a browser sees. */
class SseParserTest {

    @Test
    void dataLinesAreJoinedWithLineFeedsAndAnEmptyLineDispatches() {
        SseParser parser = SseParser.parse("data: one\ndata:two\ndata:  three\n\ndata: next\n\n");
        assertEquals(List.of(new SseParser.Event(null, "message", "one\ntwo\n three"),
                new SseParser.Event(null, "message", "next")), parser.events());
    }

    @Test
    void everyLineEndCountsCrLfCrAndLf() {
        SseParser parser = SseParser.parse("id: 1\r\nevent: a\rdata: x\n\r\n");
        assertEquals(List.of(new SseParser.Event("1", "a", "x")), parser.events());
    }

    @Test
    void anEventWithoutDataIsNotDispatchedAndAnEmptyTypeIsMessage() {
        SseParser parser = SseParser.parse("event: nothing\n\nevent:\ndata\n\n");
        assertEquals(List.of(new SseParser.Event(null, "message", "")), parser.events());
    }

    @Test
    void commentsRetriesAndUnknownFieldsAreKeptApartOrIgnored() {
        SseParser parser = SseParser.parse(": keep-alive\nretry: 3000\nfoo: bar\ndata: x\n\n");
        assertEquals(List.of("keep-alive"), parser.comments());
        assertEquals(List.of("3000"), parser.retries());
        assertEquals(List.of(new SseParser.Event(null, "message", "x")), parser.events());
    }

    @Test
    void theLastEventIdCarriesOverAndAnIdWithNulIsIgnored() {
        SseParser parser = SseParser.parse("id: 7\ndata: a\n\ndata: b\n\nid: 8\0\ndata: c\n\n");
        assertEquals("7", parser.events().get(0).id());
        assertEquals(null, parser.events().get(1).id(), "the event itself set none");
        assertEquals(null, parser.events().get(2).id());
        assertEquals("7", parser.lastEventId(), "what a browser would send as Last-Event-ID");
    }

    @Test
    void anEventWithOnlyAnIdMovesTheResumeIdAndACutOffEventDoesNot() {
        SseParser parser = SseParser.parse("id: 7\ndata: a\n\nid: 8\n\nid: 9\ndata: b");
        assertEquals(1, parser.events().size(), "an event without data is not dispatched");
        assertEquals("9", parser.lastEventId(), "the buffer");
        assertEquals("8", parser.resumeId(), "what a browser sends back: the event with 9 never ended");
    }

    @Test
    void oneLeadingByteOrderMarkIsIgnored() {
        SseParser parser = SseParser.parse("\uFEFFdata: x\n\n");
        assertEquals(List.of(new SseParser.Event(null, "message", "x")), parser.events());
    }
}
