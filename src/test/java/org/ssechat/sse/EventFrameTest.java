package org.ssechat.sse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class EventFrameTest {

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Test
    void aFrameWithAnIdIsCutAfterItOnceForEveryManyRoomStream() {
        byte[] whole = SseEvent.builder().id("17-2").event("message").data("{\"t\":\"é\"}").encode();
        EventFrame frame = EventFrame.withId(whole);
        assertTrue(frame.idText() != null);
        assertSame(whole, frame.whole());
        assertEquals("event: message\ndata: {\"t\":\"é\"}\n\n", text(frame.afterId()));
        assertSame(frame.afterId(), frame.afterId(), "cut once, shared by every stream");
        assertEquals("17-2", text(frame.idText()));
        assertSame(frame.idText(), frame.idText());
    }

    @Test
    void aFrameWithoutAnIdIsSentWholeByEveryStream() {
        byte[] whole = SseEvent.builder().event("reset").data("{}").encode();
        for (EventFrame frame : new EventFrame[] {EventFrame.of(whole), EventFrame.withId(whole)}) {
            assertFalse(frame.idText() != null);
            assertArrayEquals(whole, frame.afterId());
            assertNull(frame.idText());
        }
    }
}
