package org.ssechat.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/** What a stream the node cannot take looks like to its client. */
public final class Refusals {

    private Refusals() {
    }

    /**
     * The refusal EventSource retries: 200 {@code text/event-stream}, a {@code retry:} that says
     * when, one {@code refused} event with the reason, and the end of the response. Returns the
     * event's data.
     */
    public static JsonObject assertRefused(SseStream refused, String reason) throws InterruptedException {
        assertEquals(200, refused.status(), "EventSource gives up for good on any other status");
        assertTrue(refused.header("Content-Type").startsWith("text/event-stream"), refused.header("Content-Type"));
        assertEquals("close", refused.header("Connection"), "a refused client's connection takes no place meanwhile");
        SseParser.Event event = refused.next();
        assertEquals("refused", event.event(), "the refusal says what it is: " + refused.lines());
        assertNull(event.id(), "no id: the client keeps the Last-Event-ID it had");
        JsonObject data = JsonParser.parseString(event.data()).getAsJsonObject();
        assertEquals(reason, data.get("reason").getAsString(), event.data());
        refused.awaitEnd(5000);
        assertTrue(refused.hasEndedCleanly(), "the refusal ends its response: " + refused.failure());
        long retry = refused.lines().stream().filter(line -> line.startsWith("retry:"))
                .mapToLong(line -> Long.parseLong(line.substring(6).trim())).findFirst().orElse(-1);
        assertTrue(retry >= 1000, "a retry line spreads the reconnects: " + refused.lines());
        return data;
    }
}
