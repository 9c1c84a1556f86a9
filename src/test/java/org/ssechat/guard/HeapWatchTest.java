package org.ssechat.guard;

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
}
