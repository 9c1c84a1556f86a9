package org.ssechat.sse;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * Spreads the fan-out of one message (or of one batch of them, see {@link EventBatch}) to a big
 * room over several cores: the room's clients are
 * cut into slices, helper threads take all but one, and the calling thread (the publishing
 * request, or the Redis subscriber) takes the first. The work is only queue offers and
 * non-blocking writes, so a slice takes microseconds per client and nobody waits on a socket.
 *
 * <p>The caller returns only when every slice is done. So the next message's fan-out starts
 * after this one's has ended, each client is handed its frames by one thread at a time and in
 * order, and what the caller does next (record the newest id delivered, say) sees it all done.
 *
 * <p>Rooms smaller than two slices of {@link #MIN_SLICE} clients are served by the caller
 * alone: there a hand-over costs more than it saves. One thread means no helpers at all.
 */
public final class FanOut implements AutoCloseable {

    /** Fewest clients worth handing to another thread (measured: about 10 µs of work each). */
    static final int MIN_SLICE = 128;
    /** A fan-out with no helpers: everything runs on the caller's thread. */
    public static final FanOut INLINE = new FanOut(1);

    private static final Logger LOG = Logger.getLogger(FanOut.class.getName());
    private static final long STOP_WAIT_MILLIS = 2000;

    private final int threads;
    /** Null with one thread. Bounded: a full queue runs the slice on the caller instead. */
    private final ThreadPoolExecutor helpers;

    /** @param threads how many threads share one message's fan-out, the caller's included */
    public FanOut(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1: " + threads);
        }
        this.threads = threads;
        if (threads == 1) {
            this.helpers = null;
        } else {
            AtomicInteger count = new AtomicInteger();
            this.helpers = new ThreadPoolExecutor(threads - 1, threads - 1, 0, TimeUnit.MILLISECONDS,
                    new ArrayBlockingQueue<>(4 * threads), runnable -> {
                        Thread thread = new Thread(runnable, "sse-chat-fanout-" + count.incrementAndGet());
                        thread.setDaemon(true);
                        return thread;
                    });
            helpers.prestartAllCoreThreads(); // ready for the first big room, and visibly there
        }
    }

    /** How many threads share a big room's fan-out, the caller's included. */
    public int threads() {
        return threads;
    }

    /**
     * Runs the action once for every client, spread over the threads when there are enough
     * clients, and returns when all are done. An exception from the action is thrown here.
     *
     * @param all the clients: a snapshot, so none is served twice or skipped; read, never written
     */
    public void forEach(SseClient[] all, Consumer<SseClient> action) {
        if (helpers == null || all.length < 2 * MIN_SLICE) {
            run(all, 0, all.length, action);
            return;
        }
        int slices = Math.min(threads, all.length / MIN_SLICE);
        if (slices < 2) {
            run(all, 0, all.length, action);
            return;
        }
        Future<?>[] pending = new Future<?>[slices - 1];
        for (int s = 1; s < slices; s++) {
            int from = (int) ((long) all.length * s / slices);
            int to = (int) ((long) all.length * (s + 1) / slices);
            try {
                pending[s - 1] = helpers.submit(() -> run(all, from, to, action));
            } catch (RejectedExecutionException stoppedOrFull) {
                run(all, from, to, action); // stopping, or an unexpected backlog: do it here
            }
        }
        RuntimeException failure = null;
        try {
            run(all, 0, all.length / slices, action);
        } catch (RuntimeException e) {
            failure = e;
        }
        // Every slice is waited for, even after a failure: none may still run when the next
        // message's fan-out starts.
        for (Future<?> slice : pending) {
            if (slice == null) {
                continue;
            }
            try {
                awaitSlice(slice);
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static void run(SseClient[] clients, int from, int to, Consumer<SseClient> action) {
        for (int i = from; i < to; i++) {
            action.accept(clients[i]);
        }
    }

    /**
     * Waits for a helper's slice even if this thread is interrupted (it is microseconds of
     * work): returning early would let the next message reach those clients from two threads.
     */
    private static void awaitSlice(Future<?> slice) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    slice.get();
                    return;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof RuntimeException runtime) {
                        throw runtime;
                    }
                    if (cause instanceof Error error) {
                        throw error;
                    }
                    throw new IllegalStateException(cause);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Stops the helper threads; later fan-outs run on their callers. */
    @Override
    public void close() {
        if (helpers == null) {
            return;
        }
        helpers.shutdown();
        try {
            if (!helpers.awaitTermination(STOP_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                LOG.warning("The fan-out threads did not stop within " + STOP_WAIT_MILLIS + " ms");
                helpers.shutdownNow();
            }
        } catch (InterruptedException e) {
            helpers.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
