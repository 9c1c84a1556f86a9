package org.ssechat.clock;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.ssechat.sse.ClientRegistry;
import org.ssechat.sse.SseEvent;

/**
 * The classic SSE demo behind GET /time: once a second, on the second, one event whose data is
 * the server's time in ISO-8601 UTC, encoded once and sent to every clock stream.
 */
public final class ClockTicker implements Runnable {

    /** Clock streams are all in this one pseudo-room of their own registry. */
    public static final String ROOM = "clock";

    private final ClientRegistry registry;
    private final Clock clock;

    public ClockTicker(ClientRegistry registry, Clock clock) {
        this.registry = registry;
        this.clock = clock;
    }

    @Override
    public void run() {
        registry.broadcast(ROOM, frame(clock.instant()));
    }

    /**
     * {@code data: 2026-11-24T15:40:00.002Z}: an unnamed event, so {@code onmessage} receives it.
     * Milliseconds are kept: a stream's first frame (sent on connect) and the tick after it are
     * then never the same text.
     */
    public static byte[] frame(Instant now) {
        return SseEvent.builder().data(now.truncatedTo(ChronoUnit.MILLIS).toString()).encode();
    }

    /** Milliseconds from {@code now} to the next whole second, where ticks are scheduled. */
    public static long millisToNextSecond(Instant now) {
        return 1000 - now.toEpochMilli() % 1000;
    }
}
