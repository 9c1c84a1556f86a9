package org.ssechat.sse;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Keeps idle streams alive through proxies, and finds clients that went away while no message
 * flows. A client that vanished is noticed only on a write, and the first write to a closed
 * connection succeeds: it is what draws the peer's reset. So each beat comes in two parts, as
 * Jetty's EventSourceServlet does, but a moment apart: the keep-alive comment, then, once a
 * reset has had time to come back over any network, a two-byte probe ({@code :\n}, an empty
 * comment), whose write fails for every client that is gone. Vanished clients are so found
 * within a heartbeat and a second, on the timer's thread, not on a message's fan-out.
 */
public final class Heartbeat implements Runnable {

    /** How long after the keep-alive the probe goes: more than a reset takes to come back. */
    static final long PROBE_DELAY_MILLIS = 1000;

    private final ClientRegistry clients;
    private final ScheduledExecutorService scheduler;
    private final long probeDelayMillis;
    /** The frames every stream gets, made once (a frame is never modified once made). */
    private final byte[] keepAlive = SseEvent.heartbeat();
    /** An empty comment line: EventSource ignores it. */
    private final byte[] probe = {':', '\n'};

    /** @param periodMillis the time between beats; the probe comes at most halfway to the next */
    public Heartbeat(ClientRegistry clients, ScheduledExecutorService scheduler, long periodMillis) {
        this.clients = clients;
        this.scheduler = scheduler;
        this.probeDelayMillis = Math.min(PROBE_DELAY_MILLIS, periodMillis / 2);
    }

    @Override
    public void run() {
        clients.broadcastAll(keepAlive);
        scheduler.schedule(() -> clients.broadcastAll(probe), probeDelayMillis, TimeUnit.MILLISECONDS);
    }
}
