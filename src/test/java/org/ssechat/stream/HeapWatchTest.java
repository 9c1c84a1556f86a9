package org.ssechat.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.ssechat.testing.Await;

/** The heap after a collection, as the collectors report it. */
class HeapWatchTest {

    @Test
    void aCollectionTellsWhatTheHeapHoldsAfterIt() throws Exception {
        try (HeapWatch strict = new HeapWatch(0.0); HeapWatch lenient = new HeapWatch(1.0)) {
            long max = Runtime.getRuntime().maxMemory();
            assertFalse(strict.isShort(), "nothing is known before the first collection");
            System.gc();
            Await.until("the collection was reported to both", () -> strict.isShort() && lenient.headroomBytes() < max);
            assertFalse(lenient.isShort(), "nothing is over the whole heap");
            assertTrue(lenient.headroomBytes() > 0, "headroom " + lenient.headroomBytes());
        }
    }

    @Test
    void oneLowReadingDoesNotLetStreamsInWhileTheHeapStaysFull() {
        try (HeapWatch watch = new HeapWatch(0.8)) {
            long max = Runtime.getRuntime().maxMemory();
            watch.reading(max * 81 / 100);
            assertTrue(watch.isShort());
            watch.reading(max * 66 / 100); // ZGC, read while the node was being filled
            assertTrue(watch.isShort(), "one low reading among high ones");
            assertEquals(max - max * 81 / 100, watch.headroomBytes(), "the headroom of the fullest reading");
            watch.reading(max * 60 / 100);
            assertTrue(watch.isShort(), "two");
            watch.reading(max * 50 / 100);
            assertFalse(watch.isShort(), "three lows in a row: the heap is no longer full");
            assertEquals(max - max * 66 / 100, watch.headroomBytes());
        }
    }
}
