package org.ssechat.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.Mockito.mock;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FanOutTest {

    private final List<FanOut> started = new ArrayList<>();

    private FanOut fanOut(int threads) {
        FanOut fanOut = new FanOut(threads);
        started.add(fanOut);
        return fanOut;
    }

    @AfterEach
    void stop() {
        started.forEach(FanOut::close);
    }

    private static List<SseClient> clients(int n) {
        List<SseClient> clients = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            clients.add(mock(SseClient.class));
        }
        return clients;
    }

    /** Runs one fan-out; returns, per client, the threads that served it. */
    private static Map<SseClient, List<Thread>> servedBy(FanOut fanOut, List<SseClient> clients) {
        Map<SseClient, List<Thread>> served = new ConcurrentHashMap<>();
        fanOut.forEach(clients.toArray(new SseClient[0]), client -> served.computeIfAbsent(client, c -> new ArrayList<>()).add(Thread.currentThread()));
        return served;
    }

    @Test
    void aBigRoomIsSharedByTheThreadsAndEveryClientIsServedOnceBeforeItReturns() {
        List<SseClient> clients = clients(1000);
        // Three slices (0, 333, 666): their first clients meet at a barrier, which only three
        // threads working at once can pass.
        Set<SseClient> firsts = Set.of(clients.get(0), clients.get(333), clients.get(666));
        CyclicBarrier together = new CyclicBarrier(3);
        Map<SseClient, List<Thread>> served = new ConcurrentHashMap<>();
        fanOut(3).forEach(clients.toArray(new SseClient[0]), client -> {
            if (firsts.contains(client)) {
                try {
                    together.await(5, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new AssertionError("the three slices did not run at the same time", e);
                }
            }
            served.computeIfAbsent(client, c -> new ArrayList<>()).add(Thread.currentThread());
        });

        assertEquals(1000, served.size(), "every client, when forEach returns");
        assertTrue(served.values().stream().allMatch(threads -> threads.size() == 1), "each client once");
        Set<Thread> threads = served.values().stream().map(list -> list.get(0)).collect(Collectors.toSet());
        assertEquals(3, threads.size(), threads.toString());
        assertTrue(threads.contains(Thread.currentThread()), "the caller takes a slice itself");
        assertTrue(threads.stream().filter(t -> t != Thread.currentThread())
                .allMatch(t -> t.getName().startsWith("sse-chat-fanout-") && t.isDaemon()), threads.toString());
    }

    @Test
    void aRoomTooSmallForTwoSlicesStaysOnTheCaller() {
        Map<SseClient, List<Thread>> served = servedBy(fanOut(4), clients(2 * FanOut.MIN_SLICE - 1));
        assertTrue(served.values().stream().allMatch(threads -> threads.equals(List.of(Thread.currentThread()))));
    }

    @Test
    void oneThreadNeverLeavesTheCaller() {
        Map<SseClient, List<Thread>> served = servedBy(fanOut(1), clients(1000));
        assertEquals(1000, served.size());
        assertTrue(served.values().stream().allMatch(threads -> threads.equals(List.of(Thread.currentThread()))));
    }

    @Test
    void aFailureInAHelpersSliceReachesTheCaller() {
        List<SseClient> clients = clients(1000);
        SseClient last = clients.get(999); // in the last slice, a helper's
        IllegalStateException failure = new IllegalStateException("boom");
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> fanOut(2).forEach(clients.toArray(new SseClient[0]), client -> {
            if (client == last) {
                throw failure;
            }
        }));
        assertSame(failure, thrown);
    }

    @Test
    void aFailureInTheCallersSliceStillWaitsForTheHelpers() {
        List<SseClient> clients = clients(1000);
        SseClient first = clients.get(0); // the caller's slice
        CountDownLatch failed = new CountDownLatch(1);
        Set<SseClient> served = ConcurrentHashMap.newKeySet();
        assertThrows(IllegalStateException.class, () -> fanOut(3).forEach(clients.toArray(new SseClient[0]), client -> {
            if (client == first) {
                failed.countDown();
                throw new IllegalStateException("boom");
            }
            if (client == clients.get(333) || client == clients.get(666)) { // each helper's first
                try {
                    failed.await(5, TimeUnit.SECONDS);
                    Thread.sleep(200); // the helpers finish well after the failure
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            }
            served.add(client);
        }));
        assertTrue(served.containsAll(clients.subList(333, 1000)), "forEach returned before the helpers' slices were done");
    }

    @Test
    void afterCloseTheHelpersAreGoneAndTheCallerServesEveryone() throws Exception {
        FanOut fanOut = fanOut(3);
        List<SseClient> clients = clients(1000);
        Set<Thread> helpers = servedBy(fanOut, clients).values().stream().map(list -> list.get(0))
                .filter(t -> t != Thread.currentThread()).collect(Collectors.toSet());
        assertFalse(helpers.isEmpty());

        fanOut.close();
        for (Thread helper : helpers) {
            helper.join(2000);
            assertFalse(helper.isAlive(), helper.getName() + " still runs after close()");
        }
        Map<SseClient, List<Thread>> served = servedBy(fanOut, clients);
        assertEquals(1000, served.size());
        assertTrue(served.values().stream().allMatch(threads -> threads.equals(List.of(Thread.currentThread()))));
    }

    @Test
    void anInterruptedCallerStillWaitsForTheHelpersAndKeepsItsInterrupt() {
        List<SseClient> clients = clients(1000);
        Map<SseClient, Integer> served = new ConcurrentHashMap<>();
        Thread.currentThread().interrupt();
        try {
            fanOut(2).forEach(clients.toArray(new SseClient[0]), client -> served.merge(client, 1, Integer::sum));
            assertEquals(1000, served.size(), "every slice done before forEach returns");
            assertTrue(Thread.currentThread().isInterrupted(), "the interrupt is kept for the caller");
        } finally {
            Thread.interrupted();
        }
    }
}
