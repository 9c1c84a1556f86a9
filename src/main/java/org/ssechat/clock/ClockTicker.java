package org.ssechat.clock;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.ssechat.sse.ClientRegistry;
import org.ssechat.sse.SseEvent;

/**
 * The classic SSE demo behind GET /time: once a second, on the second, one event whose data is
 * the server's time in ISO-8601 UTC to the second ({@code 2026-11-24T15:40:00Z}), encoded once
 * and sent to every clock stream.
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

    /** A tick runs a few milliseconds after the second it is scheduled for: it shows that second. */
    @Override
    public void run() {
        registry.broadcast(ROOM, frame(clock.instant().plusMillis(500)));
    }

    /**
     * {@code data: 2026-11-24T15:40:00Z}: an unnamed event, so {@code onmessage} receives it. The
     * time is cut to the second, so every event has the same form (Instant.toString() would add
     * a fraction only when there is one).
     */
    public static byte[] frame(Instant now) {
        return SseEvent.builder().data(now.truncatedTo(ChronoUnit.SECONDS).toString()).encode();
    }

    /** Milliseconds from {@code now} to the next whole second, where ticks are scheduled. */
    public static long millisToNextSecond(Instant now) {
        return 1000 - now.toEpochMilli() % 1000;
    }
}
