package org.ssechat.sse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SseEventTest {

    private static String wire(SseEvent.Builder builder) {
        return new String(builder.encode(), StandardCharsets.UTF_8);
    }

    @Test
    void fieldsAreWrittenInOrderAndTheBlankLineEndsTheEvent() {
        assertEquals("id: 7\nevent: message\ndata: hello\n\n",
                wire(SseEvent.builder().id("7").event("message").data("hello")));
    }

    @Test
    void eachLineOfDataBecomesItsOwnDataLineWhateverTheLineEnd() {
        assertEquals("data: a\ndata: b\ndata: c\ndata: d\n\n",
                wire(SseEvent.builder().data("a\nb\r\nc\rd")));
    }

    @Test
    void crLfCountsAsOneLineEndNotTwo() {
        assertEquals("data: a\ndata: b\n\n", wire(SseEvent.builder().data("a\r\nb")));
    }

    @Test
    void leadingAndTrailingLineEndsKeepTheirEmptyLines() {
        // The parser turns "data: " lines back into empty lines, so "\nx\n" round-trips exactly.
        assertEquals("data: \ndata: x\ndata: \n\n", wire(SseEvent.builder().data("\nx\n")));
    }

    @Test
    void emptyDataIsOneEmptyDataLine() {
        assertEquals("data: \n\n", wire(SseEvent.builder().data("")));
    }

    @Test
    void nulInDataIsDataNotAFieldBreak() {
        assertEquals("data: a\0b\n\n", wire(SseEvent.builder().data("a\0b")));
    }

    @Test
    void nonAsciiIsEncodedAsUtf8() {
        byte[] frame = SseEvent.builder().data("é😀").encode();
        assertArrayEquals("data: é😀\n\n".getBytes(StandardCharsets.UTF_8), frame);
        assertEquals(6 + 2 + 4 + 2, frame.length);
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\nb", "a\rb", "a\r\nb", "a\0b"})
    void anIdThatCouldBreakItsFieldIsRefused(String id) {
        assertThrows(IllegalArgumentException.class, () -> SseEvent.builder().id(id));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\nb", "a\rb", "message\n\ndata: forged"})
    void anEventTypeThatCouldBreakItsFieldIsRefused(String event) {
        assertThrows(IllegalArgumentException.class, () -> SseEvent.builder().event(event));
    }

    @Test
    void commentsAreSplitIntoCommentLinesSoTheyCannotForgeFields() {
        assertEquals(": one\n: data: forged\n\n", wire(SseEvent.builder().comment("one\ndata: forged")));
    }

    @Test
    void retryIsAPlainNumberAndNeverNegative() {
        assertEquals("retry: 3000\n\n", wire(SseEvent.builder().retry(3000)));
        assertThrows(IllegalArgumentException.class, () -> SseEvent.builder().retry(-1));
    }

    @Test
    void theHeartbeatIsACommentThatDispatchesNothing() {
        assertEquals(": keep-alive\n\n", new String(SseEvent.heartbeat(), StandardCharsets.UTF_8));
    }
}
