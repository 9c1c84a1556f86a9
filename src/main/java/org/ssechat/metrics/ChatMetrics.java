package org.ssechat.metrics;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.ssechat.sse.StreamRefusal;
import org.ssechat.sse.StreamStats;

/**
 * Counters and gauges for operators, written at GET /metrics in the Prometheus text format.
 * Counting is a {@link LongAdder} increment: cheap enough for the fan-out path. Parts that keep
 * their own figures (the broker, the admission) register them as suppliers, read only when the
 * metrics are written out.
 */
public final class ChatMetrics implements StreamStats {

    private final AtomicInteger unfinishedStreams = new AtomicInteger();

    private final LongAdder published = new LongAdder();
    private final LongAdder publishFailures = new LongAdder();
    private final LongAdder bodyTimeouts = new LongAdder();
    private final LongAdder received = new LongAdder();
    private final LongAdder framesWritten = new LongAdder();
    private final LongAdder slowClients = new LongAdder();
    private final LongAdder vanishedClients = new LongAdder();
    private final Histogram fanOut = new Histogram("sse_chat_fanout_seconds",
            "Time of one fan-out pass on this node: to hand a message, or the messages that queued up and"
                    + " went out together, to every stream of their rooms.");
    private final Histogram publishToWrite = new Histogram("sse_chat_publish_to_write_seconds",
            "Time from a message's acceptance (its time, on the accepting node's clock) to the end of its fan-out here.");
    private final Histogram messagesPerWrite = Histogram.ofCounts("sse_chat_messages_per_write",
            "Chat messages each write to a stream's socket carried (a write and its flush; writes of heartbeats"
            + " and other events alone are not counted): above 1 when messages queued up for the stream, during a"
            + " fan-out or behind its full socket, and went out together.");
    private final LongAdder redisReconnects = new LongAdder();
    private final LongAdder replays = new LongAdder();
    private final Map<StreamRefusal.Reason, LongAdder> refused = new EnumMap<>(StreamRefusal.Reason.class);
    private final List<Sample> registered = new ArrayList<>();
    private final LongSupplier clients;
    private final LongSupplier clockClients;

    private record Sample(String name, String help, String type, LongSupplier value) {
    }

    /** A counter with one label, one series per value of it. */
    private record LabelledSample(String name, String help, String label, Map<String, LongSupplier> values) {
    }

    private final List<LabelledSample> labelled = new ArrayList<>();

    /** @param clients, clockClients the open chat and clock streams, read when written out */
    public ChatMetrics(LongSupplier clients, LongSupplier clockClients) {
        this.clients = clients;
        this.clockClients = clockClients;
        for (StreamRefusal.Reason reason : StreamRefusal.Reason.values()) {
            refused.put(reason, new LongAdder());
        }
    }

    /** Adds a gauge whose value is read when the metrics are written. Called while the node starts. */
    public synchronized void gauge(String name, String help, LongSupplier value) {
        registered.add(new Sample(name, help, "gauge", value));
    }

    /** Adds a counter kept elsewhere, read when the metrics are written. Called while the node starts. */
    public synchronized void counter(String name, String help, LongSupplier value) {
        registered.add(new Sample(name, help, "counter", value));
    }

    /**
     * Adds a counter kept elsewhere with one label ({@code name{label="value"}}), its series in
     * the order given. Called while the node starts.
     */
    public synchronized void counters(String name, String help, String label, Map<String, LongSupplier> values) {
        labelled.add(new LabelledSample(name, help, label, new LinkedHashMap<>(values)));
    }

    /** A POST /chat was published (202). */
    public void published() {
        published.increment();
    }

    /** A POST /chat could not be published (503). */
    public void publishFailed() {
        publishFailures.increment();
    }

    /** A POST /chat body did not arrive in time (408). */
    public void bodyTimedOut() {
        bodyTimeouts.increment();
    }

    /** The broker delivered a message to this node. */
    public void received(int messages) {
        received.add(messages);
    }

    /** The Redis subscription came back after an outage. */
    public void redisReconnected() {
        redisReconnects.increment();
    }

    /** A stream started with a replay of history (resume or ?history=N). */
    public void replayed() {
        replays.increment();
    }

    /** A stream was refused (see {@link StreamRefusal}). */
    public void streamRefused(StreamRefusal.Reason reason) {
        refused.get(reason).increment();
    }

    @Override
    public void framesWritten(int frames) {
        framesWritten.add(frames);
    }

    @Override
    public void messagesFlushed(int messages) {
        messagesPerWrite.record(messages);
    }

    @Override
    public void slowClientDisconnected() {
        slowClients.increment();
    }

    @Override
    public void clientVanished() {
        vanishedClients.increment();
    }

    @Override
    public void streamStarted() {
        unfinishedStreams.incrementAndGet();
    }

    @Override
    public void streamFinished() {
        unfinishedStreams.decrementAndGet();
    }

    /** Streams whose request the container has not finished yet (open, or completing). */
    public int unfinishedStreams() {
        return unfinishedStreams.get();
    }

    /**
     * One fan-out pass ended: a message, or the messages that queued up and went out together.
     *
     * @param nanos how long the pass took
     */
    public void fannedOut(long nanos) {
        fanOut.record(nanos);
    }

    /**
     * A message's fan-out ended.
     *
     * @param sinceAccepted how long since the message was accepted, in nanoseconds
     */
    public void reachedStreams(long sinceAccepted) {
        publishToWrite.record(Math.max(0, sinceAccepted));
    }

    /** The Prometheus text exposition format, version 0.0.4. */
    public String text() {
        StringBuilder out = new StringBuilder(2048);
        List<Sample> samples;
        List<LabelledSample> labelledSamples;
        synchronized (this) {
            samples = List.copyOf(registered);
            labelledSamples = List.copyOf(labelled);
        }
        sample(out, "sse_chat_clients", "Open chat streams on this node.", "gauge", clients.getAsLong());
        sample(out, "sse_chat_clock_clients", "Open /time streams on this node.", "gauge", clockClients.getAsLong());
        counter(out, "sse_chat_messages_published_total", "Messages accepted by POST /chat on this node.", published);
        counter(out, "sse_chat_publish_failures_total", "POST /chat answered 503: the broker could not publish.", publishFailures);
        counter(out, "sse_chat_publish_body_timeouts_total",
                "POST /chat answered 408: the body did not arrive within CHAT_BODY_TIMEOUT_SECONDS.", bodyTimeouts);
        counter(out, "sse_chat_messages_received_total", "Messages the broker delivered to this node.", received);
        counter(out, "sse_chat_frames_written_total", "Events and comments written to client sockets.", framesWritten);
        counter(out, "sse_chat_slow_clients_disconnected_total", "Clients cut off because their buffer overflowed.", slowClients);
        counter(out, "sse_chat_clients_vanished_total",
                "Streams whose client was found gone: its connection closed, or a write to it failed.", vanishedClients);
        counter(out, "sse_chat_redis_reconnects_total", "Times the Redis subscription came back after an outage.", redisReconnects);
        counter(out, "sse_chat_history_replays_total", "Streams that started with a replay of history.", replays);
        head(out, "sse_chat_streams_refused_total", "Streams refused, by reason (full, address, memory, stopping).", "counter");
        for (Map.Entry<StreamRefusal.Reason, LongAdder> entry : refused.entrySet()) {
            out.append("sse_chat_streams_refused_total{reason=\"").append(entry.getKey().code()).append("\"} ")
                    .append(entry.getValue().sum()).append('\n');
        }
        for (Sample sample : samples) {
            sample(out, sample.name(), sample.help(), sample.type(), sample.value().getAsLong());
        }
        for (LabelledSample sample : labelledSamples) {
            head(out, sample.name(), sample.help(), "counter");
            sample.values().forEach((value, count) -> out.append(sample.name()).append('{').append(sample.label())
                    .append("=\"").append(value).append("\"} ").append(count.getAsLong()).append('\n'));
        }
        fanOut.writeTo(out);
        publishToWrite.writeTo(out);
        messagesPerWrite.writeTo(out);
        JvmMetrics.writeTo(out);
        return out.toString();
    }

    private static void head(StringBuilder out, String name, String help, String type) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n')
                .append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void sample(StringBuilder out, String name, String help, String type, long value) {
        head(out, name, help, type);
        out.append(name).append(' ').append(value).append('\n');
    }

    private static void counter(StringBuilder out, String name, String help, LongAdder value) {
        sample(out, name, help, "counter", value.sum());
    }
}
