package org.ssechat.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** What the failover tests (Sentinel, Cluster) do after killing a primary under two nodes. */
public final class Failover {

    private static final Duration BACK_WITHIN = Duration.ofSeconds(40);
    private static final long QUICK_REFUSAL_MILLIS = 5000;

    private Failover() {
    }

    /** One POST /chat: the id when it was answered 202, null for a 503 (the caller fails on anything else). */
    @FunctionalInterface
    public interface Post {
        String tryPublish(URI node, String text) throws Exception;
    }

    /**
     * Posts to the two nodes in turn until each has taken one again, each refusal coming
     * quickly; fails after 40 s.
     *
     * @return the ids taken, in the order they were answered
     */
    public static List<String> postUntilBothTake(URI first, URI second, Post post) throws Exception {
        List<String> taken = new ArrayList<>();
        boolean firstBack = false;
        boolean secondBack = false;
        long deadline = System.nanoTime() + BACK_WITHIN.toNanos();
        int attempt = 0;
        while (!(firstBack && secondBack)) {
            assertTrue(System.nanoTime() < deadline, "both nodes take posts again within " + BACK_WITHIN);
            boolean atFirst = attempt++ % 2 == 0;
            long start = System.nanoTime();
            String id = post.tryPublish(atFirst ? first : second, "after " + attempt);
            assertTrue(Duration.ofNanos(System.nanoTime() - start).toMillis() < QUICK_REFUSAL_MILLIS,
                    "a refusal comes quickly");
            if (id != null) {
                taken.add(id);
                firstBack |= atFirst;
                secondBack |= !atFirst;
            } else {
                Thread.sleep(100);
            }
        }
        return taken;
    }

    /**
     * Reads a stream until the last owed message and checks that every owed message came, once
     * and in order. A message the old primary acknowledged just before it died may be gone with
     * it, so others may come or not, but nothing twice, and nothing after.
     */
    public static void assertOwedOnceInOrder(SseStream stream, List<String> owed) throws Exception {
        List<String> got = new ArrayList<>();
        while (!got.contains(owed.get(owed.size() - 1))) {
            SseParser.Event event = stream.next();
            if ("message".equals(event.event())) {
                got.add(event.id());
            }
        }
        assertEquals(owed, got.stream().filter(owed::contains).toList(), "every message owed, once, in order");
        assertEquals(got.size(), got.stream().distinct().count(), "nothing twice: " + got);
        assertNull(stream.poll(300), "nothing after");
    }
}
