package org.ssechat.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ChatFanoutTest {

    @Test
    void aMessageIsOneEventWithItsIdAndOneLineOfJson() {
        ChatMessage message = new ChatMessage("17-0", "general", "ann", "two\nlines \"quoted\" </script> é",
                Instant.parse("2026-11-24T10:15:30.120Z"));
        assertEquals("id: 17-0\nevent: message\n"
                + "data: {\"id\":\"17-0\",\"room\":\"general\",\"user\":\"ann\","
                + "\"text\":\"two\\nlines \\\"quoted\\\" </script> é\",\"time\":\"2026-11-24T10:15:30.120Z\"}\n\n",
                new String(ChatFanout.encode(message), StandardCharsets.UTF_8));
    }

    @Test
    void textThatTriesToForgeAnEventStaysInsideTheJsonString() {
        ChatMessage message = new ChatMessage("1-0", "r", "eve", "x\r\n\r\nevent: admin\ndata: forged",
                Instant.EPOCH);
        String wire = new String(ChatFanout.encode(message), StandardCharsets.UTF_8);
        assertEquals(4, wire.split("\n", -1).length - 1, "id, event, data and the blank line: nothing else");
    }
}
