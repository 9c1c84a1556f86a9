package org.ssechat.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.mockingDetails;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.ssechat.sse.container.FrameSink;
import org.ssechat.sse.container.PeerWatch;
import org.ssechat.testing.FakeOutput;

/** The client's queue and write discipline, against a container-like fake output stream. */
class SseClientTest {

    /** These streams have no request: nothing watches their connection. */
    private static final PeerWatch.Factory UNWATCHED = (async, onReadError) -> PeerWatch.NONE;

    private final FakeOutput out = new FakeOutput();
    private final AsyncContext async = mock(AsyncContext.class);
    private final AtomicInteger closes = new AtomicInteger();
    private final AtomicInteger slow = new AtomicInteger();
    private final AtomicInteger frames = new AtomicInteger();
    private final StreamStats stats = new StreamStats() {
        @Override
        public void framesWritten(int count) {
            frames.addAndGet(count);
        }

        @Override
        public void slowClientDisconnected() {
            slow.incrementAndGet();
        }
    };

    @BeforeEach
    void wireResponse() throws Exception {
        ServletResponse response = mock(ServletResponse.class);
        when(response.getOutputStream()).thenReturn(out);
        when(async.getResponse()).thenReturn(response);
    }

    private SseClient client(long maxQueuedBytes) throws Exception {
        SseClient client = new SseClient(async, List.of("room"), maxQueuedBytes, c -> closes.incrementAndGet(), stats,
                Runnable::run, FrameSink.ARRAY, UNWATCHED);
        client.start();
        return client;
    }

    private static byte[] frame(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void framesWaitForTheContainersFirstWritePossibleThenGoOutWithAFlush() throws Exception {
        SseClient client = client(1024);
        client.send(frame("a"));
        client.send(frame("b"));
        assertEquals("", out.text(), "nothing may be written before the container says so");

        out.becomeReady();
        assertEquals("ab", out.text());
        assertEquals(1, out.flushes, "queued frames go out in one burst and one flush");
        assertEquals(2, frames.get(), "two frames written, and counted");
    }

    @Test
    void aClientThatKeepsUpGetsEachFrameAtOnceWithItsOwnFlush() throws Exception {
        SseClient client = client(1024);
        out.becomeReady();
        client.send(frame("a"));
        assertEquals("a", out.text());
        assertEquals(1, out.flushes);
        client.send(frame("b"));
        assertEquals("ab", out.text());
        assertEquals(2, out.flushes, "a live event must not wait for the next one");
        assertEquals(2, frames.get());
        assertFalse(out.misused);
    }

    @Test
    void aFrameForAFullSocketIsParkedEvenWhenNothingElseWaits() throws Exception {
        SseClient client = client(4);
        out.becomeReady();
        out.blockWrites();
        assertTrue(client.send(frame("abc")));
        assertFalse(client.send(frame("de")), "parked bytes count against the limit: 5 > 4");
        assertFalse(out.misused, "never write while isReady() is false");
    }

    @Test
    void aFullSocketParksFramesUntilTheContainerCallsBack() throws Exception {
        SseClient client = client(1024);
        out.becomeReady();
        out.blockWrites();
        client.send(frame("x"));
        client.send(frame("y"));
        assertEquals("", out.text());
        assertFalse(out.misused, "never write while isReady() is false");

        out.becomeReady();
        assertEquals("xy", out.text());
        assertTrue(client.isOpen());
    }

    @Test
    void aClientWhoseQueueOverflowsIsCutOffOnce() throws Exception {
        SseClient client = client(10);
        out.becomeReady();
        out.blockWrites();
        assertTrue(client.send(frame("123456")));
        assertFalse(client.send(frame("123456")), "16 bytes do not fit in 10");
        assertFalse(client.isOpen());
        assertEquals(1, closes.get());
        assertEquals(1, slow.get(), "the slow client is counted");
        verify(async).complete();
        assertFalse(client.send(frame("z")), "a closed client takes nothing");
        assertEquals(1, slow.get(), "and counted once");
    }

    @Test
    void aFailedWriteClosesTheClientInsteadOfThrowing() throws Exception {
        SseClient client = client(1024);
        out.becomeReady();
        out.failWrites();
        client.send(frame("x"));
        assertFalse(client.isOpen());
        assertEquals(1, closes.get());
    }

    @Test
    void closingIsIdempotentAndAContainerCompletionIsNotCompletedAgain() throws Exception {
        SseClient client = client(1024);
        client.onComplete(null);
        client.close("again");
        client.onTimeout(null);
        assertEquals(1, closes.get());
        verify(async, times(0)).complete();
    }

    @Test
    void aTimeoutWhileTheClientIsClosingStillCompletesTheRequest() throws Exception {
        // Tomcat times out the open requests of an application it stops; that can land inside
        // close(), after the client was released and before it completed the request. Here the
        // timeout comes from the release's own callback, at exactly that moment.
        AtomicInteger completedDuringTimeout = new AtomicInteger();
        SseClient[] self = new SseClient[1];
        self[0] = new SseClient(async, List.of("room"), 1024, c -> {
            self[0].onTimeout(null);
            completedDuringTimeout.set((int) mockingDetails(async).getInvocations().stream()
                    .filter(call -> call.getMethod().getName().equals("complete")).count());
        }, stats, Runnable::run, FrameSink.ARRAY, UNWATCHED);
        self[0].start();
        self[0].close("the application is stopping");
        assertEquals(1, completedDuringTimeout.get(), "onTimeout completed the request itself");
    }

    @Test
    void concurrentSendersNeverShareTheStreamAndLoseNothing() throws Exception {
        SseClient client = client(Long.MAX_VALUE);
        out.becomeReady();
        int threads = 8;
        int perThread = 2000;
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> senders = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            String tag = "t" + t + ":";
            Thread sender = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < perThread; i++) {
                    client.send(frame(tag + i + "\n"));
                    if (i % 100 == 0) {
                        out.fillUpSoon(); // the socket fills up now and then...
                    }
                }
            });
            senders.add(sender);
            sender.start();
        }
        Thread container = new Thread(() -> {
            try {
                start.await();
                for (int i = 0; i < 2000; i++) {
                    out.becomeReadyIfBlocked(); // ...and the container reports it writable again
                    Thread.sleep(0, 100_000);
                }
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        container.start();
        start.countDown();
        for (Thread sender : senders) {
            sender.join();
        }
        container.join();
        out.becomeReady();

        assertFalse(out.misused, "two threads wrote at once, or one wrote while not ready");
        String[] lines = out.text().split("\n");
        assertEquals(threads * perThread, lines.length);
        int[] next = new int[threads];
        for (String line : lines) {
            int t = Integer.parseInt(line.substring(1, line.indexOf(':')));
            assertEquals(next[t]++, Integer.parseInt(line.substring(line.indexOf(':') + 1)),
                    "each sender's frames arrive in the order sent");
        }
    }

    /** Review item 7: a write that fails while held events go out must not break the loop that sends them. */
    @Test
    void aWriteThatFailsWhileHeldEventsAreReleasedClosesTheClientOnce() throws Exception {
        SseClient client = client(1 << 20);
        client.holdLiveEvents();
        out.becomeReady();
        client.sendEvent("room", new EventId(1, 0), EventFrame.of(frame("a")));
        client.sendEvent("room", new EventId(2, 0), EventFrame.of(frame("b")));
        client.sendEvent("room", new EventId(3, 0), EventFrame.of(frame("c")));
        out.failWrites();
        client.releaseHeldEvents();
        assertFalse(client.isOpen());
        assertEquals(1, closes.get());
    }

    @Test
    void aStreamOfManyRoomsWritesItsPositionThenTheSharedFrameAndDropsWhatEachRoomHasSeen() throws Exception {
        SseClient client = new SseClient(async, List.of("a", "b"), 1 << 20, c -> closes.incrementAndGet(), stats,
                Runnable::run, FrameSink.ARRAY, UNWATCHED);
        client.start();
        out.becomeReady();
        EventFrame a5 = EventFrame.withId(SseEvent.builder().id("5-0").event("message").data("a5").encode());
        EventFrame b3 = EventFrame.withId(SseEvent.builder().id("3-0").event("message").data("b3").encode());
        client.sendEvent("a", new EventId(5, 0), a5);
        client.sendEvent("b", new EventId(3, 0), b3);
        client.sendEvent("a", new EventId(5, 0), a5); // a catch-up's repeat: dropped
        client.sendEvent("c", new EventId(9, 0), a5); // not its room: dropped
        assertEquals("id: a:5-0\nevent: message\ndata: a5\n\n"
                + "id: a:5-0,b:3-0\nevent: message\ndata: b3\n\n", out.text());
        assertEquals(new EventId(3, 0), client.cursor("b"));
        assertEquals(null, client.cursor("c"));
        assertEquals(2, out.flushes, "a position and its frame go out together, with one flush");
    }

    @Test
    void heldEventsOfManyRoomsGoOutAfterTheReplayEachWithThePositionThen() throws Exception {
        SseClient client = new SseClient(async, List.of("a", "b"), 1 << 20, c -> closes.incrementAndGet(), stats,
                Runnable::run, FrameSink.ARRAY, UNWATCHED);
        client.holdLiveEvents();
        client.start();
        out.becomeReady();
        client.sendEvent("b", new EventId(4, 0), EventFrame.withId(SseEvent.builder().id("4-0").data("b4").encode()));
        client.sendEvent("a", new EventId(2, 0), EventFrame.withId(SseEvent.builder().id("2-0").data("a2").encode()));
        client.startAt("a", new EventId(2, 0)); // the replay had a2 already
        client.replay("b", new EventId(3, 0), EventFrame.withId(SseEvent.builder().id("3-0").data("b3").encode()));
        client.sendPosition();
        client.releaseHeldEvents();
        assertEquals("id: a:2-0,b:3-0\ndata: b3\n\n" + "id: a:2-0,b:3-0\n\n" + "id: a:2-0,b:4-0\ndata: b4\n\n",
                out.text());
    }

    @Test
    void aPositionThatFillsTheSocketLeavesItsFrameForTheNextWritePossibleAheadOfTheRest() throws Exception {
        SseClient client = new SseClient(async, List.of("a", "b"), 1 << 20, c -> closes.incrementAndGet(), stats,
                Runnable::run, FrameSink.ARRAY, UNWATCHED);
        client.start();
        out.becomeReady();
        out.fillUpSoon(); // the id line fills the socket: the frame may not be written now
        client.sendEvent("a", new EventId(1, 0), EventFrame.withId(SseEvent.builder().id("1-0").data("a1").encode()));
        client.send(": keep-alive\n\n".getBytes(StandardCharsets.UTF_8));
        assertEquals("id: a:1-0\n", out.text());
        out.becomeReady();
        assertEquals("id: a:1-0\ndata: a1\n\n: keep-alive\n\n", out.text(), "nothing comes between a position and its frame");
        assertFalse(out.misused);
        assertTrue(client.isOpen());
    }
}
