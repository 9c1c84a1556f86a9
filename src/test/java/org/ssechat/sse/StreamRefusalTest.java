package org.ssechat.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.ssechat.testing.SseParser;

class StreamRefusalTest {

    @ParameterizedTest
    @EnumSource(StreamRefusal.Reason.class)
    void aRefusalIsARetryLineAndOneRefusedEventWithoutAnId(StreamRefusal.Reason reason) {
        SseParser parser = SseParser.parse(new String(StreamRefusal.frame(reason, 7000), StandardCharsets.UTF_8));
        assertEquals(1, parser.events().size());
        SseParser.Event event = parser.events().get(0);
        assertEquals("refused", event.event());
        assertNull(event.id(), "a resuming client keeps its Last-Event-ID");
        assertEquals("7000", parser.retries().get(0));
        JsonObject data = JsonParser.parseString(event.data()).getAsJsonObject();
        assertEquals(reason.code(), data.get("reason").getAsString());
        assertEquals(7000, data.get("retryMillis").getAsLong());
        assertTrue(!data.get("error").getAsString().isBlank());
    }

    @Test
    void theRetryDelaysAreSpreadOverTheirRange() {
        Set<Long> delays = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            long delay = StreamRefusal.Reason.FULL.retryMillis(3000);
            assertTrue(delay >= 6000 && delay <= 15000, "delay " + delay);
            delays.add(delay);
        }
        assertTrue(delays.size() > 100, "refused clients do not all come back at once: " + delays.size() + " delays");
        long quick = StreamRefusal.Reason.FULL.retryMillis(0);
        assertTrue(quick >= 600, "even a node retried at once spreads its refused clients: " + quick);
        long stopping = StreamRefusal.Reason.STOPPING.retryMillis(3000);
        assertTrue(stopping >= 1000 && stopping <= 5000, "a stopping node's clients come back soon: " + stopping);
    }
}
