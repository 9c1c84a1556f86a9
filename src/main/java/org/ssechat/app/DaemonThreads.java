package org.ssechat.app;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;

/**
 * The daemon threads of one of the application's executors, all of one name, remembered so the
 * stop can wait until they have died: an executor counts as terminated a moment before its last
 * thread has, and Tomcat's leak check, run once the application has stopped, takes such a thread
 * for one the application left running.
 */
final class DaemonThreads implements ThreadFactory {

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
}
