package org.ssechat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.ssechat.testing.Await;
import org.ssechat.testing.ChatHttp;
import org.ssechat.testing.EventSourceClient;
import org.ssechat.testing.Metrics;
import org.ssechat.testing.SseParser;
import org.ssechat.testing.SseStream;
import org.ssechat.testing.WarServer;

/**
 * A full node refuses a stream in the form EventSource retries, says it is full, counts the
 * refusal, and the refused client comes back by itself once there is room.
 */
class AdmissionIT {

    @ParameterizedTest
    @EnumSource(WarServer.Kind.class)
    void aRefusedEventSourceComesBackByItselfOnceThereIsRoom(WarServer.Kind kind) throws Exception {
        try (WarServer server = kind.start("/sse-chat", Map.of("CHAT_MAX_CLIENTS", "2", "CHAT_RETRY_MILLIS", "400",
                "CHAT_HEARTBEAT_SECONDS", "1", "CHAT_RATE_LIMIT_PER_SECOND", "0"))) {
            URI base = server.base();
            SseStream first = SseStream.open(base.resolve("sse?room=lobby"));
            first.awaitFirstLine();
            try (SseStream second = SseStream.open(base.resolve("sse?room=lobby"));
                    EventSourceClient page = EventSourceClient.open(base.resolve("sse?room=lobby"))) {
                second.awaitFirstLine();
                SseParser.Event refused = page.next(10_000);
                assertEquals("refused", refused.event(), refused.data());
                assertTrue(refused.data().contains("\"reason\":\"full\""), refused.data());
                JsonObject health = ChatHttp.health(base);
                assertTrue(health.get("full").getAsBoolean(), "/health says the node is full: " + health);
                assertTrue(Metrics.value(base, "sse_chat_streams_refused_total{reason=\"full\"}") >= 1);
                // It keeps trying, at the pace the refusal set, and never gives up as it would on a 503.
                Await.until("the refused client tried again", () -> Metrics.value(base,
                        "sse_chat_streams_refused_total{reason=\"full\"}") >= 2);
                assertNull(page.failedWith(), "EventSource gave up");

                first.close(); // a place comes free (noticed by the next heartbeat)
                // Counted, not seen in /health's clients: the refused client may take the place
                // between two looks, and the count never shows 1.
                Await.until("the closed stream left", () -> Metrics.value(base, "sse_chat_clients_vanished_total") >= 1);
                Await.until("the refused client is in", () -> ChatHttp.health(base).get("clients").getAsInt() == 2);
                JsonObject published = ChatHttp.publish(base, "lobby", "ann", "welcome in");
                SseParser.Event event = page.next(10_000);
                while (!"message".equals(event.event())) {
                    event = page.next(10_000); // refusals that came before it got in
                }
                assertEquals(published.get("id").getAsString(), event.id());
                assertEquals(published.get("id").getAsString(), second.next().id(), "the stream already open lost nothing");
            }
        }
    }
}
