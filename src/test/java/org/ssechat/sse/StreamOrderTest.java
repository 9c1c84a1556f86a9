package org.ssechat.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.ssechat.sse.container.FrameSink;
import org.ssechat.sse.container.ServletContainer;
import org.ssechat.testing.Await;
import org.ssechat.testing.FakeOutput;

/**
 * A stream's one order (Servlet 6.0 §2.3.3.4, §5.8), forced interleaving by interleaving: a
 * writer is held inside the write of a large frame while the stream ends in each way it can.
 * The ending waits until the writer is out, the frame arrives whole, nothing touches the response
 * once the container has it back (the fake output counts any touch after {@code complete()} as a
 * misuse, as Tomcat would hand it to the next connection), and a container callback returns
 * only once no other thread is inside.
 */
class StreamOrderTest {

    /** Larger than the stream's response buffer, as the frames of the races in Tomcat were. */
    private static final String LARGE = "data: " + "<secret#1>".repeat(3000) + "\n\n";
    private static final long LIMIT = 1 << 20;

    /** Each way a stream ends while another thread may be writing to it. */
    enum Ending {
        /** The application closes it: shutdown's closeAll, or a client whose send threw. */
        CLOSED_BY_THE_APPLICATION(true, false, f -> f.client.close("the application is stopping")),
        /** The sweep saw its connection closed (or another write failed): completed by the completer. */
        FOUND_GONE(true, true, f -> f.client.vanished("its connection was closed")),
        /** More than its limit waits: the fan-out cuts it off, completed by the completer. */
        OVERFLOWED(true, true, f -> f.client.send(new byte[(int) LIMIT + 1])),
        /** The container's async timeout (Tomcat's when an application stops). */
        TIMED_OUT(true, false, f -> f.client.onTimeout(f.event(null))),
        /** The container's async error. */
        ASYNC_ERROR(true, false, f -> f.client.onError(f.event(new IOException("Connection reset by peer")))),
        /** The container's write listener error (Jetty's failed write, Tomcat's failed flush). */
        WRITE_ERROR(true, false, f -> f.out.reportWriteError(new IOException("Broken pipe"))),
        /** The container's read listener error on the request body the watch follows. */
        READ_ERROR(true, false, f -> f.readListener.get().onError(new IOException("Connection reset"))),
        /** The container completed the request itself: it must not be completed again. */
        COMPLETED_BY_THE_CONTAINER(false, false, f -> f.client.onComplete(f.event(null)));

        final boolean completesTheContext;
        /** Whether the ending hands the completion to the completer and returns at once. */
        final boolean handsOff;
        final Step step;

        Ending(boolean completesTheContext, boolean handsOff, Step step) {
            this.completesTheContext = completesTheContext;
            this.handsOff = handsOff;
            this.step = step;
        }
    }

    interface Step {
        void run(StreamOrderTest fixture) throws Exception;
    }

    private final FakeOutput out = new FakeOutput();
    private final AsyncContext async = mock(AsyncContext.class);
    private final ServletRequest request = mock(ServletRequest.class);
    private final ServletInputStream body = mock(ServletInputStream.class);
    private final AtomicReference<ReadListener> readListener = new AtomicReference<>();
    private final AtomicInteger completions = new AtomicInteger();
    /** The threads that end the stream: the container's, and the completer's. */
    private final List<Thread> enders = new CopyOnWriteArrayList<>();
    /** The container's thread: callbacks run here. */
    private final ExecutorService container = Executors.newSingleThreadExecutor(this::ender);
    /** Where the stream's completions found on a fan-out or sweep run. */
    private final ExecutorService completer = Executors.newSingleThreadExecutor(this::ender);
    private final ExecutorService writers = Executors.newSingleThreadExecutor();
    private final CountDownLatch writerInside = new CountDownLatch(1);
    private final CountDownLatch releaseWriter = new CountDownLatch(1);
    private SseClient client;

    private Thread ender(Runnable runnable) {
        Thread thread = new Thread(runnable, "stream-ender-" + enders.size());
        thread.setDaemon(true);
        enders.add(thread);
        return thread;
    }

    private AsyncEvent event(Throwable error) {
        return new AsyncEvent(async, error);
    }

    @BeforeEach
    void openAStream() throws Exception {
        ServletResponse response = mock(ServletResponse.class);
        when(response.getOutputStream()).thenReturn(out);
        when(async.getResponse()).thenReturn(response);
        when(async.getRequest()).thenReturn(request);
        when(request.getInputStream()).thenReturn(body);
        doAnswer(call -> {
            readListener.set(call.getArgument(0));
            return null;
        }).when(body).setReadListener(any());
        doAnswer(call -> {
            completions.incrementAndGet();
            out.recycle(); // the container has the response back: another connection may get it now
            return null;
        }).when(async).complete();
        client = new SseClient(async, List.of("secret"), LIMIT, closed -> { }, StreamStats.NONE, completer, FrameSink.ARRAY,
                ServletContainer.of(ServletContainer.Kind.TOMCAT)::watch);
        client.start();
        out.becomeReady();
        // The first write of the large frame waits inside the output until the test lets it go.
        AtomicInteger writes = new AtomicInteger();
        out.onWrite(() -> {
            if (writes.getAndIncrement() == 0) {
                writerInside.countDown();
                await(releaseWriter);
            }
        });
    }

    @AfterEach
    void stopThreads() {
        releaseWriter.countDown();
        container.shutdownNow();
        completer.shutdownNow();
        writers.shutdownNow();
    }

    @ParameterizedTest
    @EnumSource(Ending.class)
    void aStreamEndingWhileAWriterIsInsideWaitsForItAndNothingTouchesTheResponseAfter(Ending ending) throws Exception {
        Future<?> writer = writers.submit(() -> client.send(bytes(LARGE)));
        assertTrue(writerInside.await(10, TimeUnit.SECONDS), "the writer got inside the write");

        Future<?> end = container.submit(() -> {
            ending.step.run(this);
            return null;
        });
        Await.until("the ending waits for the writer, or went on", () -> anEnderWaitsInTheStream()
                || completions.get() > 0 || (end.isDone() && !ending.handsOff));
        assertEquals(0, completions.get(), "not completed while a writer is inside");
        if (!ending.handsOff) {
            assertFalse(end.isDone(), "the ending does not return while a writer is inside");
        }

        releaseWriter.countDown();
        writer.get(10, TimeUnit.SECONDS);
        end.get(10, TimeUnit.SECONDS);
        Await.until("the stream is completed", () -> completions.get() == (ending.completesTheContext ? 1 : 0)
                && !client.isOpen());
        if (!ending.completesTheContext) {
            out.recycle(); // the container recycles the response once onComplete returns
        }

        assertFalse(client.send(bytes("data: after the end\n\n")), "an ended stream takes nothing");
        assertFalse(client.peerClosed(), "nor is its connection looked at");
        completer.submit(() -> { }).get(10, TimeUnit.SECONDS); // anything the completer had is done
        assertEquals(ending.completesTheContext ? 1 : 0, completions.get(), "completed once at most");
        assertEquals(LARGE, out.text(), "the held frame arrived whole, and nothing after the end");
        assertFalse(out.misused, "nothing touched the response once it was completed, or two threads at once");
    }

    @Test
    void theSweepDoesNotLookAtAConnectionWhileAWriterIsInside() throws Exception {
        when(body.available()).thenReturn(1); // the client has closed: a look would see it
        ClientRegistry registry = new ClientRegistry();
        registry.add(client);
        Future<?> writer = writers.submit(() -> client.send(bytes(LARGE)));
        assertTrue(writerInside.await(10, TimeUnit.SECONDS));

        assertEquals(0, registry.closeGone(), "a stream being written is looked at next time");
        verify(body, never()).available();

        releaseWriter.countDown();
        writer.get(10, TimeUnit.SECONDS);
        assertEquals(1, registry.closeGone(), "then the look finds the client gone");
        completer.submit(() -> { }).get(10, TimeUnit.SECONDS);
        assertEquals(1, completions.get());
        assertFalse(out.misused);
    }

    /**
     * Jetty fails the request of a connection the watch closes on the thread that looks, while
     * the stream is idle: the sweep's, inside the stream's order. The error callback ends the
     * stream there, reentrantly, once; the sweep's own word that the client left adds nothing.
     */
    @Test
    void aLookThatFailsTheRequestOnTheSweepsThreadEndsTheStreamThereOnce() throws Exception {
        when(body.available()).thenAnswer(call -> {
            readListener.get().onError(new IOException("Connection reset")); // the container, inline
            return 1;
        });
        ClientRegistry registry = new ClientRegistry();
        registry.add(client);

        assertEquals(1, container.submit(registry::closeGone).get(10, TimeUnit.SECONDS));
        completer.submit(() -> { }).get(10, TimeUnit.SECONDS);
        assertEquals(1, completions.get(), "completed once, on the sweep's thread");
        assertFalse(client.isOpen());
        assertFalse(out.misused);
    }

    /**
     * Tomcat refuses a {@code complete()} once an error listener has returned (and logs "Calling
     * [asyncComplete()] is not valid"): a completion queued for the completer before the
     * container's own error callback ended the stream does nothing when it runs.
     */
    @Test
    void aCompletionQueuedBeforeTheContainersErrorDoesNothingAfterIt() throws Exception {
        CountDownLatch completerBusy = new CountDownLatch(1);
        completer.submit(() -> await(completerBusy)); // the completion below waits behind this
        client.vanished("its connection was closed");
        container.submit(() -> client.onError(event(new IOException("Connection reset")))).get(10, TimeUnit.SECONDS);
        assertEquals(1, completions.get(), "the error callback completed the stream on the container's thread");

        completerBusy.countDown();
        completer.submit(() -> { }).get(10, TimeUnit.SECONDS);
        assertEquals(1, completions.get(), "and the queued completion did not complete it again");
    }

    /** Whether the container's or the completer's thread is held up inside the stream's code. */
    private boolean anEnderWaitsInTheStream() {
        for (Thread thread : enders) {
            if (thread.getState() == Thread.State.WAITING && Arrays.stream(thread.getStackTrace())
                    .anyMatch(frame -> frame.getClassName().startsWith(SseClient.class.getPackageName() + ".")
                            && !frame.getClassName().startsWith(StreamOrderTest.class.getName()))) {
                return true;
            }
        }
        return false;
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new AssertionError("the test did not let the writer go");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
