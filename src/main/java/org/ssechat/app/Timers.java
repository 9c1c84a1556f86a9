package org.ssechat.app;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The node's one timer thread: heartbeats for all streams, the sweep, the clock, token
 * expiries, the broker's watchdog. Timer tasks are short and never block.
 */
final class Timers implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Timers.class.getName());

    private final DaemonThreads threads = new DaemonThreads("sse-chat-scheduler");
    private final ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, threads);

    Timers() {
        // A stream's token expiry is cancelled when the stream ends: gone from the queue at once,
        // not held (with its stream) until the time it was set for.
        executor.setRemoveOnCancelPolicy(true);
    }

    ScheduledExecutorService executor() {
        return executor;
    }

    /** Runs a task periodically; an exception is logged and does not cancel later runs. */
    void every(Runnable task, long initialDelay, long period, TimeUnit unit) {
        executor.scheduleAtFixedRate(() -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "Scheduled task failed; it runs again next period", e);
            }
        }, initialDelay, period, unit);
    }

    /** Drops the tasks not yet due and waits for the thread to die. */
    @Override
    public void close() {
        threads.stop(executor, false);
    }
}
