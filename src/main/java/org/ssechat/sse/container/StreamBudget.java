package org.ssechat.sse.container;

import java.util.Locale;

/**
 * The number of streams a node takes when {@code CHAT_MAX_CLIENTS} is not set: as many as half
 * the heap holds, at what one open stream costs in the container it runs in. The container's
 * own buffers are most of that cost, and they differ by a factor of five (measured at 10,000
 * open streams; see the README's deployment section): Jetty keeps about 14 kB per connection,
 * stock Tomcat about 100 kB (its socket, header and connector buffers, allocated up front).
 * The other half of the heap is for everything else: messages, history, fan-out.
 */
public final class StreamBudget {

    /** Heap one open stream costs in Jetty 12, with headroom (measured: about 14 kB). */
    static final long JETTY_STREAM_BYTES = 20 * 1024;
    /** Heap one open stream costs in stock Tomcat 10.1 and 11, with headroom (measured: about 95 kB). */
    static final long TOMCAT_STREAM_BYTES = 110 * 1024;
    /** The streams' share of the heap. */
    static final double HEAP_SHARE = 0.5;
    /** Never fewer than this, however small the heap. */
    static final int MIN_STREAMS = 100;

    private StreamBudget() {
    }

    /**
     * @param maxHeap    the JVM's maximum heap ({@code Runtime.maxMemory()})
     * @param serverInfo the container's {@code ServletContext.getServerInfo()}, such as
     *                   {@code Apache Tomcat/10.1.60} or {@code jetty/12.0.31}
     */
    public static int defaultMaxStreams(long maxHeap, String serverInfo) {
        long perStream = costPerStream(serverInfo);
        return (int) Math.max(MIN_STREAMS, Math.min(10_000_000, (long) (maxHeap * HEAP_SHARE) / perStream));
    }

    /** What one stream costs in this container; a container not known is counted like Tomcat. */
    static long costPerStream(String serverInfo) {
        String name = serverInfo == null ? "" : serverInfo.toLowerCase(Locale.ROOT);
        return name.startsWith("jetty") ? JETTY_STREAM_BYTES : TOMCAT_STREAM_BYTES;
    }
}
