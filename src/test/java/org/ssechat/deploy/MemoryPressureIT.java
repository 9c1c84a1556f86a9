package org.ssechat.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonObject;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.ssechat.testing.ChatHttp;
import org.ssechat.testing.SseParser;
import org.ssechat.testing.SseStream;
import org.ssechat.testing.WarServer;

/**
 * A node whose heap fills up refuses new streams ({@code memory}) instead of failing: the
 * streams already open keep getting every message and /health stays prompt. Here the heap is
 * filled on purpose, in a stock container with a small heap (-Xmx96m), by a history allowed
 * more bytes than the heap has.
 */
@Execution(ExecutionMode.SAME_THREAD)
class MemoryPressureIT {

    /** 20,000 characters of three UTF-8 bytes: 40 KB in the heap a message. */
    private static final String BIG = "€".repeat(20_000);

    @ParameterizedTest(name = "{0} with {1}")
    @CsvSource({"JETTY_12, -XX:+UseG1GC", "TOMCAT_10, -XX:+UseG1GC", "JETTY_12, -XX:+UseZGC"})
    void aNodeShortOfHeapRefusesNewStreamsAndServesTheOpenOnes(StockContainer.Kind kind, String collector)
            throws Exception {
        try (StockContainer container = kind.create()) {
            container.jvmOptions("-Xmx96m", collector);
            container.deploy(WarServer.war(), "ROOT.war");
            container.start(Map.of(), Map.of("CHAT_MAX_CLIENTS", "100000", "CHAT_HISTORY_MAX_BYTES", "1099511627776",
                    "CHAT_HISTORY_SIZE", "1000000", "CHAT_RATE_LIMIT_PER_SECOND", "0", "CHAT_MAX_TEXT_LENGTH", "20000",
                    "CHAT_MAX_BODY_BYTES", "262144"));
            container.awaitStatus("/", "health", 200, 60_000);
            URI base = container.base("/");
            try (SseStream kept = SseStream.open(base.resolve("sse?room=kept"))) {
                kept.awaitFirstLine();
                int posted = 0;
                while (!ChatHttp.health(base).get("full").getAsBoolean()) {
                    for (int i = 0; i < 10; i++, posted++) {
                        ChatHttp.publish(base, "fill-" + posted % 50, "ann", BIG);
                    }
                    if (posted > 3000) {
                        fail("the heap did not fill after " + posted + " messages of 40 KB: " + ChatHttp.health(base));
                    }
                }
                assertTrue(refusedForMemory(base), "a new stream is refused for the heap");
                long start = System.nanoTime();
                HttpResponse<String> health = ChatHttp.get(base, "health");
                long healthMillis = (System.nanoTime() - start) / 1_000_000;
                assertEquals(200, health.statusCode());
                JsonObject json = ChatHttp.health(base);
                assertTrue(json.get("full").getAsBoolean(), "/health says the node takes no more: " + json);
                JsonObject published = ChatHttp.publish(base, "kept", "bob", "still here");
                SseParser.Event event = kept.next();
                assertEquals(published.get("id").getAsString(), event.id(), "the open stream gets every message");
                assertFalse(container.log().text().contains("OutOfMemoryError"), "no OutOfMemoryError:\n"
                        + container.log().text());
                System.out.printf("[memory] %s -Xmx96m " + collector + ": new streams refused (memory) after %d messages of 40 KB;"
                        + " heap headroom %d kB; /health in %d ms; the open stream got every message%n", kind, posted,
                        json.get("heapHeadroomBytes").getAsLong() / 1024, healthMillis);
            }
        }
    }

    private static boolean refusedForMemory(URI base) throws Exception {
        try (SseStream probe = SseStream.open(base.resolve("sse?room=probe"))) {
            SseParser.Event first = probe.poll(2000);
            return first != null && "refused".equals(first.event()) && first.data().contains("\"reason\":\"memory\"");
        }
    }
}
