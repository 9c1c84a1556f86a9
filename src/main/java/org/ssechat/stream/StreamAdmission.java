package org.ssechat.stream;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.logging.Logger;
import org.ssechat.http.ClientAddress;
import org.ssechat.metrics.ChatMetrics;
import org.ssechat.sse.StreamRefusal;

/**
 * Decides whether a new stream ({@code /sse} or {@code /time}) may open, before anything is
 * held for it: not while the node is stopping or short of heap; the node holds at most
 * {@code maxStreams}, and one client address at most {@code maxPerAddress} (so one address
 * cannot take every slot). An admitted stream gets a
 * {@link Ticket}, which gives its place back when the stream ends.
 *
 * <p>The per-address table holds only addresses with open streams, so it is never larger than
 * the number of streams.
 */
public final class StreamAdmission {

    /** The outcome of asking: a ticket, or the reason for a refusal. */
    public record Decision(Ticket ticket, StreamRefusal.Reason refusal) {
        public boolean admitted() {
            return ticket != null;
        }
    }

    private final int maxStreams;
    private final int maxPerAddress;
    private final BooleanSupplier memoryShort;
    private final AtomicInteger open = new AtomicInteger();
    private final ConcurrentMap<String, AtomicInteger> perAddress = new ConcurrentHashMap<>();
    private volatile boolean stopping;
    /** Set while the cap is reached, so that reaching it is logged once, not once per refusal. */
    private final AtomicBoolean full = new AtomicBoolean();
    private static final Logger LOG = Logger.getLogger(StreamAdmission.class.getName());

    /**
     * @param maxStreams    streams the node holds at most
     * @param maxPerAddress streams one client address holds at most; 0 for no limit
     */
    public StreamAdmission(int maxStreams, int maxPerAddress) {
        this(maxStreams, maxPerAddress, () -> false);
    }

    /** @param memoryShort whether the heap is too full for another stream now (see {@link HeapWatch}) */
    public StreamAdmission(int maxStreams, int maxPerAddress, BooleanSupplier memoryShort) {
        this.maxStreams = maxStreams;
        this.maxPerAddress = maxPerAddress;
        this.memoryShort = memoryShort;
    }

    /** Asks for a stream of the client at {@code address} (a key from {@link ClientAddress}). */
    public Decision admit(String address) {
        String key = address == null ? "" : address;
        if (stopping) {
            return refused(StreamRefusal.Reason.STOPPING);
        }
        if (memoryShort.getAsBoolean()) {
            return refused(StreamRefusal.Reason.MEMORY);
        }
        if (open.incrementAndGet() > maxStreams) {
            open.decrementAndGet();
            if (full.compareAndSet(false, true)) {
                LOG.warning("This node holds its " + maxStreams + " streams (CHAT_MAX_CLIENTS, or derived from the"
                        + " heap): new streams are refused until some end");
            }
            return refused(StreamRefusal.Reason.FULL);
        }
        if (maxPerAddress > 0 && !takeAddressSlot(key)) {
            open.decrementAndGet();
            return refused(StreamRefusal.Reason.ADDRESS);
        }
        return new Decision(new Ticket(key), null);
    }

    private static Decision refused(StreamRefusal.Reason reason) {
        return new Decision(null, reason);
    }

    private boolean takeAddressSlot(String address) {
        boolean[] taken = {false};
        // compute() is atomic per key: the count and the entry's removal at zero never race.
        perAddress.compute(address, (key, count) -> {
            AtomicInteger current = count != null ? count : new AtomicInteger();
            if (current.get() < maxPerAddress) {
                current.incrementAndGet();
                taken[0] = true;
            }
            return current.get() == 0 ? null : current;
        });
        return taken[0];
    }

    private void giveBack(String address) {
        if (open.decrementAndGet() < maxStreams * 9L / 10 && full.compareAndSet(true, false)) {
            LOG.info("This node takes streams again: " + open.get() + " of " + maxStreams + " open");
        }
        if (maxPerAddress > 0) {
            perAddress.computeIfPresent(address, (key, count) -> count.decrementAndGet() == 0 ? null : count);
        }
    }

    /** From now on every stream is refused as {@code stopping}: the application is shutting down. */
    public void stop() {
        stopping = true;
    }

    /** Streams admitted and not yet ended. */
    public int open() {
        return open.get();
    }

    /** Client addresses with open streams. */
    public int addresses() {
        return perAddress.size();
    }

    /** Streams the node holds at most. */
    public int maxStreams() {
        return maxStreams;
    }

    /** Whether the node holds as many streams as it may. */
    public boolean isFull() {
        return open.get() >= maxStreams;
    }

    /** One admitted stream's place; {@link #release()} gives it back, once, however often called. */
    public final class Ticket {
        private final String address;
        private final AtomicBoolean released = new AtomicBoolean();

        private Ticket(String address) {
            this.address = address;
        }

        public void release() {
            if (released.compareAndSet(false, true)) {
                giveBack(address);
            }
        }
    }

    /** Its gauges: the addresses with streams, and the cap. */
    public void registerMetrics(ChatMetrics metrics) {
        metrics.gauge("sse_chat_stream_addresses", "Client addresses with open streams.", this::addresses);
        metrics.gauge("sse_chat_max_streams", "Streams this node takes at most (CHAT_MAX_CLIENTS, or derived from the"
                + " heap).", this::maxStreams);
    }
}
