package org.ssechat.metrics;

import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;
import org.ssechat.sse.StreamStats;

/**
 * Counters for operators, written at GET /metrics in the Prometheus text format. Counting is a
 * {@link LongAdder} increment: cheap enough for the fan-out path.
 */
public final class ChatMetrics implements StreamStats {

    private final LongAdder published = new LongAdder();
    private final LongAdder publishFailures = new LongAdder();
    private final LongAdder received = new LongAdder();
    private final LongAdder framesWritten = new LongAdder();
    private final LongAdder slowClients = new LongAdder();
    private final LongAdder redisReconnects = new LongAdder();
    private final LongAdder replays = new LongAdder();
    private final IntSupplier clients;
    private final IntSupplier clockClients;

    /** @param clients, clockClients the open chat and clock streams, read when written out */
    public ChatMetrics(IntSupplier clients, IntSupplier clockClients) {
        this.clients = clients;
        this.clockClients = clockClients;
    }

    /** A POST /chat was published (202). */
    public void published() {
        published.increment();
    }

    /** A POST /chat could not be published (503). */
    public void publishFailed() {
        publishFailures.increment();
    }

    /** The broker delivered a message to this node. */
    public void received() {
        received.increment();
    }

    /** The Redis subscription came back after an outage. */
    public void redisReconnected() {
        redisReconnects.increment();
    }

    /** A stream started with a replay of history (resume or ?history=N). */
    public void replayed() {
        replays.increment();
    }

    @Override
    public void framesWritten(int frames) {
        framesWritten.add(frames);
    }

    @Override
    public void slowClientDisconnected() {
        slowClients.increment();
    }

    /** The Prometheus text exposition format, version 0.0.4. */
    public String text() {
        StringBuilder out = new StringBuilder(1024);
        gauge(out, "sse_chat_clients", "Open chat streams on this node.", clients.getAsInt());
        gauge(out, "sse_chat_clock_clients", "Open /time streams on this node.", clockClients.getAsInt());
        counter(out, "sse_chat_messages_published_total", "Messages accepted by POST /chat on this node.", published);
        counter(out, "sse_chat_publish_failures_total", "POST /chat answered 503: the broker could not publish.", publishFailures);
        counter(out, "sse_chat_messages_received_total", "Messages the broker delivered to this node.", received);
        counter(out, "sse_chat_frames_written_total", "Events and comments written to client sockets.", framesWritten);
        counter(out, "sse_chat_slow_clients_disconnected_total", "Clients cut off because their buffer overflowed.", slowClients);
        counter(out, "sse_chat_redis_reconnects_total", "Times the Redis subscription came back after an outage.", redisReconnects);
        counter(out, "sse_chat_history_replays_total", "Streams that started with a replay of history.", replays);
        return out.toString();
    }

    private static void gauge(StringBuilder out, String name, String help, long value) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n')
                .append("# TYPE ").append(name).append(" gauge\n")
                .append(name).append(' ').append(value).append('\n');
    }

    private static void counter(StringBuilder out, String name, String help, LongAdder value) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n')
                .append("# TYPE ").append(name).append(" counter\n")
                .append(name).append(' ').append(value.sum()).append('\n');
    }
}
