package org.ssechat.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.ssechat.sse.EventId;

class MessageJsonTest {

    private static final EventId ID = new EventId(1700000000000L, 3);

    @Test
    void aHistoryEntryIsReadBackAsTheMessageThatWasWrittenWithTheEntrysId() {
        ChatMessage posted = new ChatMessage(null, "dev", "ann", "two\nlines \"quoted\" é",
                Instant.parse("2026-11-24T10:15:30.120Z"));
        ChatMessage signed = posted.from("Ann", "user-7");

        assertEquals(posted.withId(ID), MessageJson.fromJson(ID, MessageJson.toJson(posted)));
        assertEquals(signed.withId(ID), MessageJson.fromJson(ID, MessageJson.toJson(signed)));
    }

    @Test
    void anEntryThatIsNotAMessageOfOursIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> MessageJson.fromJson(ID, "plain text"));
        assertThrows(IllegalArgumentException.class, () -> MessageJson.fromJson(ID, "[1]"));
        assertThrows(IllegalArgumentException.class,
                () -> MessageJson.fromJson(ID, "{\"room\":\"r\",\"user\":\"ann\",\"time\":\"2026-11-24T10:15:30Z\"}"));
        assertThrows(IllegalArgumentException.class,
                () -> MessageJson.fromJson(ID, "{\"room\":\"r\",\"user\":\"ann\",\"text\":\"hi\",\"time\":\"yesterday\"}"));
        assertThrows(IllegalArgumentException.class,
                () -> MessageJson.fromJson(ID, "{\"room\":\"r\",\"user\":1,\"text\":\"hi\",\"time\":\"2026-11-24T10:15:30Z\"}"));
    }
}
