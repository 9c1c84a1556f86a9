package org.ssechat.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.ssechat.sse.EventId;

class ChatEventsTest {

    @Test
    void aMessageIsOneEventWithItsIdAndOneLineOfJson() {
        ChatMessage message = new ChatMessage(new EventId(17, 0), "general", "ann", "two\nlines \"quoted\" </script> é",
                Instant.parse("2026-11-24T10:15:30.120Z"));
        assertEquals("id: 17-0\nevent: message\n"
                + "data: {\"id\":\"17-0\",\"room\":\"general\",\"user\":\"ann\","
                + "\"text\":\"two\\nlines \\\"quoted\\\" </script> é\",\"time\":\"2026-11-24T10:15:30.120Z\"}\n\n",
                new String(ChatEvents.message(message), StandardCharsets.UTF_8));
    }

    @Test
    void textThatTriesToForgeAnEventStaysInsideTheJsonString() {
        ChatMessage message = new ChatMessage(new EventId(1, 0), "r", "eve", "x\r\n\r\nevent: admin\ndata: forged",
                Instant.EPOCH);
        String wire = new String(ChatEvents.message(message), StandardCharsets.UTF_8);
        assertEquals(4, wire.split("\n", -1).length - 1, "id, event, data and the blank line: nothing else");
    }

    @Test
    void aMessageWithoutAnIdHasNoIdLine() {
        String wire = new String(ChatEvents.message(new ChatMessage(null, "r", "system", "hi", Instant.EPOCH)),
                StandardCharsets.UTF_8);
        assertEquals("event: message\ndata: {\"room\":\"r\",\"user\":\"system\",\"text\":\"hi\","
                + "\"time\":\"1970-01-01T00:00:00Z\"}\n\n", wire);
    }

    @Test
    void aResetSaysWhyAndEchoesTheIdSafely() {
        String wire = new String(ChatEvents.reset("too old", "1-0\ndata: x", "dev"), StandardCharsets.UTF_8);
        assertEquals("event: reset\ndata: {\"reason\":\"too old\",\"lastEventId\":\"1-0\\ndata: x\",\"room\":\"dev\"}\n\n", wire);
    }

    @Test
    void theTimeEventIsToTheMillisecondInOneFormEvenOnAWholeSecond() {
        assertEquals("event: time\ndata: 2026-12-01T13:40:00.000Z\n\n",
                new String(ChatEvents.time(Instant.parse("2026-12-01T13:40:00Z")), StandardCharsets.UTF_8));
        assertEquals("event: time\ndata: 2026-12-01T13:40:00.120Z\n\n",
                new String(ChatEvents.time(Instant.parse("2026-12-01T13:40:00.120456Z")), StandardCharsets.UTF_8));
    }
}
