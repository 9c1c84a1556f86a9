package org.ssechat.deploy;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.ssechat.testing.Await;
import org.ssechat.testing.ChatHttp;
import org.ssechat.testing.SseStream;
import org.ssechat.testing.WarServer;

/**
 * Clients that leave stock Jetty 12 leave nothing behind in its buffer pool. Each open stream
 * holds one buffer of the connector's pool (its response's aggregation buffer, in jetty-home's
 * {@code ArrayByteBufferPool}) and gives it back when the stream ends: into the pool when the
 * stream's last write went out, dropped when it failed. jetty-home's pool keeps every buffer given
 * back, in lists that each acquire scans (its buckets are unbounded; Jetty issue 9311), so buffers
 * kept from a wave of N departed streams are taken by the next N streams and held for their lives,
 * and every write then scans them. Here two waves of 5,000 streams close at once with no message
 * and no heartbeat due, so the connection watch alone finds them gone: the first wave over
 * HTTP/1.1, whose completion writes a last chunk, the second over HTTP/1.0 (nginx's way to an
 * upstream unless told otherwise), whose completion writes nothing.
 */
@Execution(ExecutionMode.SAME_THREAD) // 5,000 connections at a time, not beside other tests' own
class JettyBufferPoolIT {

    private static final int STREAMS_PER_WAVE = 5_000;
    /** One per entry of Jetty's pool, idle or in use: the buffer the entry holds. */
    private static final String POOLED_BUFFER = "org.eclipse.jetty.io.ArrayByteBufferPool$Buffer";
    /** One per HTTP/1 connection Jetty still holds. */
    private static final String HTTP1_CONNECTION = "org.eclipse.jetty.server.internal.HttpConnection";
    /**
     * More pooled buffers than before the waves that still count as nothing left: the pool keeps
     * what the requests it served at once needed (a handful); a departed stream that left its
     * buffer adds one each, thousands here.
     */
    private static final long POOL_GROWTH_ALLOWED = 100;
    /** Connections Jetty may still hold once a wave is gone: the test's own, to /health. */
    private static final long OTHER_CONNECTIONS = 20;
    private static final long START_MILLIS = 60_000;

    @Test
    void tenThousandClientsWhoLeftLeaveNothingInJettysBufferPool() throws Exception {
        try (StockContainer container = StockContainer.Kind.JETTY_12.create()) {
            container.deploy(WarServer.war(), "ROOT.war");
            container.start(Map.of("CHAT_HEARTBEAT_SECONDS", "3600", // no write finds the departed streams
                    "CHAT_MAX_CLIENTS", String.valueOf(2 * STREAMS_PER_WAVE),
                    "CHAT_MAX_STREAMS_PER_ADDRESS", "0", // every stream comes from this one test
                    "CHAT_RATE_LIMIT_PER_SECOND", "0"), Map.of());
            container.awaitStatus("/", "health", 200, START_MILLIS);
            URI base = container.base("/");
            URI stream = base.resolve("sse?room=wave");
            HeapHistogram before = container.heapHistogram();
            Map<String, Long> pooledAfter = new LinkedHashMap<>();
            pooledAfter.put("HTTP/1.1", pooledAfterAWave(container, before, () -> SseStream.open(stream)));
            pooledAfter.put("HTTP/1.0", pooledAfterAWave(container, before, () -> SseStream.openHttp10(stream)));
            long baseline = before.instances(POOLED_BUFFER);
            System.out.printf("[buffer pool] stock Jetty: %d buffers pooled before, %s after each wave of %d streams"
                    + " that left%n", baseline, pooledAfter, STREAMS_PER_WAVE);
            assertTrue(pooledAfter.values().stream().allMatch(pooled -> pooled <= baseline + POOL_GROWTH_ALLOWED),
                    "Jetty's pool held " + baseline + " buffers before and " + pooledAfter + " after each wave of "
                            + STREAMS_PER_WAVE + " streams whose clients left");
        }
    }

    /** Opens a wave of streams, closes them all at once, and counts Jetty's pooled buffers once it let go of them. */
    private static long pooledAfterAWave(StockContainer container, HeapHistogram before, SseStream.Opener opener)
            throws Exception {
        URI base = container.base("/");
        List<SseStream> streams = new ArrayList<>();
        try {
            SseStream.openEach(STREAMS_PER_WAVE, streams, opener);
            Await.until("/health counts the wave's " + STREAMS_PER_WAVE + " clients",
                    () -> ChatHttp.health(base).get("clients").getAsInt(), n -> n == STREAMS_PER_WAVE);
        } finally {
            streams.forEach(SseStream::close);
        }
        Await.until("the wave's clients left the node", Duration.ofSeconds(30),
                () -> ChatHttp.health(base).get("clients").getAsInt(), n -> n == 0);
        HeapHistogram after = Await.until("Jetty let go of the wave's connections", Duration.ofSeconds(30),
                container::heapHistogram,
                heap -> heap.instances(HTTP1_CONNECTION) <= before.instances(HTTP1_CONNECTION) + OTHER_CONNECTIONS);
        return after.instances(POOLED_BUFFER);
    }
}
