package org.ssechat.app;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The daemon threads of one of the application's executors, all of one name, remembered so the
 * stop can wait until they have died: an executor counts as terminated a moment before its last
 * thread has, and Tomcat's leak check, run once the application has stopped, takes such a thread
 * for one the application left running.
 */
final class DaemonThreads implements ThreadFactory {

    private static final Logger LOG = Logger.getLogger(DaemonThreads.class.getName());
    private static final long STOP_WAIT_MILLIS = 2000;

    private final String name;
    private final List<Thread> threads = new CopyOnWriteArrayList<>();

    DaemonThreads(String name) {
        this.name = name;
    }

    String name() {
        return name;
    }

    @Override
    public Thread newThread(Runnable runnable) {
        Thread thread = new Thread(runnable, name);
        thread.setDaemon(true);
        threads.add(thread);
        return thread;
    }

    /** Waits, up to the time given for each, until every thread made here has died. */
    void join(long millis) throws InterruptedException {
        for (Thread thread : threads) {
            thread.join(millis);
        }
    }

    /**
     * Stops an executor whose threads come from here and waits until they have died.
     *
     * @param finishQueued whether the tasks it holds still run (else they are dropped and the
     *                     running one interrupted)
     */
    void stop(ExecutorService executor, boolean finishQueued) {
        if (finishQueued) {
            executor.shutdown();
        } else {
            executor.shutdownNow();
        }
        try {
            if (!executor.awaitTermination(STOP_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                LOG.warning("The " + name + " thread did not stop within " + STOP_WAIT_MILLIS + " ms");
                executor.shutdownNow();
            }
            join(STOP_WAIT_MILLIS);
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
