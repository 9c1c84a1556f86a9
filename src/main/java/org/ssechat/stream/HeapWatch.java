package org.ssechat.stream;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;
import org.ssechat.metrics.ChatMetrics;

/**
 * How much heap is left after the collections: the JVM's garbage collectors report, after each
 * collection, what every memory pool holds, and what the heap pools hold then is what the node
 * really keeps (the heap in use at any other moment includes garbage not yet collected). While
 * that is above {@code maxUsedFraction} of the heap, new streams are refused ({@code memory}):
 * the streams already open keep their memory and every message, instead of the whole node
 * running out. Works the same for G1, Parallel and ZGC, which all send these notifications (ZGC's
 * pauses report nothing useful and are passed over; its cycles count).
 *
 * <p>The decision takes the highest of the last {@value #READINGS} readings: a collector's figure
 * moves with what was allocated while it ran (ZGC's cycles on a node being filled were seen to
 * read 81 % and then 66 %), and a node that let streams in on one low reading would flap between
 * refusing and taking them while its heap stayed full.
 *
 * <p>{@link #close()} unregisters from the collectors, so an undeployed application leaves
 * nothing behind in the JVM.
 */
public final class HeapWatch implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(HeapWatch.class.getName());

    private final long maxHeap;
    private final long maxUsed;
    private final List<NotificationEmitter> emitters = new ArrayList<>();
    private final Set<String> heapPools = new HashSet<>();
    private final NotificationListener listener = this::onCollection;
    static final int READINGS = 3;
    /** The heap in use after each of the latest collections, oldest overwritten first; -1 for none yet. */
    private final long[] readings = {-1, -1, -1};
    private int nextReading;
    /** The highest of the readings; -1 before the first collection. */
    private volatile long usedAfterCollection = -1;
    private volatile boolean short_;

    /** @param maxUsedFraction the share of the heap that may stay in use after a collection */
    public HeapWatch(double maxUsedFraction) {
        this.maxHeap = Runtime.getRuntime().maxMemory();
        this.maxUsed = (long) (maxHeap * maxUsedFraction);
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                heapPools.add(pool.getName());
            }
        }
        for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (collector instanceof NotificationEmitter emitter) {
                emitter.addNotificationListener(listener, null, null);
                emitters.add(emitter);
            }
        }
    }

    private void onCollection(Notification notification, Object handback) {
        if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
            return;
        }
        GarbageCollectionNotificationInfo info =
                GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
        // ZGC's and Shenandoah's pause beans ("end of GC pause") report an empty heap: only their
        // cycles (and G1's and Parallel's collections) say what a collection left.
        if (info.getGcAction().contains("pause")) {
            return;
        }
        long used = 0;
        // The map has every pool; only the heap's count (not metaspace, not the code cache).
        for (Map.Entry<String, MemoryUsage> pool : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
            if (heapPools.contains(pool.getKey())) {
                used += pool.getValue().getUsed();
            }
        }
        reading(used);
    }

    /** Takes one collection's figure: what the heap pools held after it. */
    synchronized void reading(long used) {
        readings[nextReading] = used;
        nextReading = (nextReading + 1) % READINGS;
        long highest = -1;
        for (long reading : readings) {
            highest = Math.max(highest, reading);
        }
        usedAfterCollection = highest;
        boolean wasShort = short_;
        short_ = highest > maxUsed;
        if (short_ != wasShort) {
            LOG.log(short_ ? Level.WARNING : Level.INFO, short_
                    ? "The heap is " + percent(used) + " % full after a collection: new streams are refused until it is not"
                    : "The heap is " + percent(used) + " % full after a collection: new streams are taken again");
        }
    }

    private long percent(long used) {
        return used * 100 / maxHeap;
    }

    /** Whether the heap held after the latest collections is above the limit. */
    public boolean isShort() {
        return short_;
    }

    /** The heap left after the latest collections (the least of it), in bytes; the whole heap before the first. */
    public long headroomBytes() {
        long used = usedAfterCollection;
        return used < 0 ? maxHeap : maxHeap - used;
    }

    @Override
    public void close() {
        for (NotificationEmitter emitter : emitters) {
            try {
                emitter.removeNotificationListener(listener);
            } catch (ListenerNotFoundException alreadyGone) {
                // nothing to undo
            }
        }
    }

    public void registerMetrics(ChatMetrics metrics) {
        metrics.gauge("sse_chat_heap_headroom_bytes", "Heap left after the newest garbage collection.",
                this::headroomBytes);
    }
}
