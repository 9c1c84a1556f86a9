package org.ssechat.sse.container;

/**
 * The number of streams a node takes when {@code CHAT_MAX_CLIENTS} is not set: as many as half
 * the heap holds, at what one open stream costs in the container it runs in
 * ({@link ServletContainer#streamBytes()}). The container's own buffers are most of that cost,
 * and they differ by a factor of five (measured at 10,000 open streams; see
 * docs/deployment.md). The other half of the heap is for everything else: messages, history,
 * fan-out.
 */
public final class StreamBudget {

    /** The streams' share of the heap. */
    static final double HEAP_SHARE = 0.5;
    /** Never fewer than this, however small the heap. */
    static final int MIN_STREAMS = 100;

    private StreamBudget() {
    }

    /**
     * @param maxHeap     the JVM's maximum heap ({@code Runtime.maxMemory()})
     * @param streamBytes what one open stream costs ({@link ServletContainer#streamBytes()})
     */
    public static int defaultMaxStreams(long maxHeap, long streamBytes) {
        return (int) Math.max(MIN_STREAMS, Math.min(10_000_000, (long) (maxHeap * HEAP_SHARE) / streamBytes));
    }
}
