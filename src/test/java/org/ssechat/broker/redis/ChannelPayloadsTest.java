package org.ssechat.broker.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.ssechat.chat.ChatMessage;
import org.ssechat.sse.EventId;
import org.ssechat.chat.MessageValidator;

class ChannelPayloadsTest {

    private static final Instant NOW = Instant.parse("2026-11-24T12:00:00Z");
    private final ChannelPayloads payloads = new ChannelPayloads(new MessageValidator(100, 10), 1000);

    @Test
    void aNodesOwnMessageKeepsEveryField() throws Exception {
        ChatMessage message = payloads.decode("{\"id\":\"17-3\",\"room\":\"dev\",\"user\":\"ann\",\"text\":\"hi\","
                + "\"time\":\"2026-11-24T10:00:00.120Z\"}", NOW);
        assertEquals(new ChatMessage(new EventId(17, 3), "dev", "ann", "hi", Instant.parse("2026-11-24T10:00:00.120Z")), message);
    }

    @Test
    void missingFieldsGetDefaults() throws Exception {
        assertEquals(new ChatMessage(null, "general", "system", "hi", NOW), payloads.decode("{\"text\":\"hi\"}", NOW));
        assertEquals(NOW, payloads.decode("{\"text\":\"hi\",\"time\":\"yesterday\"}", NOW).time());
    }

    @Test
    void anythingElseIsPlainText() throws Exception {
        assertEquals("{\"no\":\"text\"}", payloads.decode("{\"no\":\"text\"}", NOW).text());
        assertEquals("{broken", payloads.decode("{broken", NOW).text());
        assertEquals("[1,2]", payloads.decode("[1,2]", NOW).text());
    }

    @Test
    void onlyStreamIdsAreTrusted() throws Exception {
        assertNull(payloads.decode("{\"id\":\"1\\n\\nevent: x\",\"text\":\"hi\"}", NOW).id());
        assertNull(payloads.decode("{\"id\":\"abc\",\"text\":\"hi\"}", NOW).id());
    }

    @Test
    void invalidOrOversizedPayloadsAreRefusedWithAReason() {
        assertEquals("payload of 1001 characters is over the limit of 1000",
                assertThrows(ChannelPayloads.RefusedPayload.class, () -> payloads.decode("x".repeat(1001), NOW))
                        .getMessage());
        assertThrows(ChannelPayloads.RefusedPayload.class, () -> payloads.decode("   ", NOW));
        assertThrows(ChannelPayloads.RefusedPayload.class, () -> payloads.decode("{\"text\":\"\\u0000\"}", NOW));
        assertThrows(ChannelPayloads.RefusedPayload.class,
                () -> payloads.decode("{\"text\":\"hi\",\"user\":\"a-very-long-name\"}", NOW));
    }
}
