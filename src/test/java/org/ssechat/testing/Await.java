package org.ssechat.testing;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import org.junit.jupiter.api.Assertions;

/**
 * Waiting for something a test cannot be told about (a count in /health, a thread ending): the
 * condition is checked until it holds or the deadline passes, and then the test fails saying
 * what it waited for. A condition that throws counts as "not yet"; the last exception is shown.
 */
public final class Await {

    /** How long a test waits for anything before it fails. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    private static final long POLL_MILLIS = 50;

    private Await() {
    }

    /** Waits up to {@link #DEFAULT_TIMEOUT} until {@code condition} holds. */
    public static void until(String what, Callable<Boolean> condition) throws InterruptedException {
        until(what, DEFAULT_TIMEOUT, condition);
    }

    /** Waits up to {@code timeout} until {@code condition} holds; fails the test with {@code what} if it does not. */
    public static void until(String what, Duration timeout, Callable<Boolean> condition) throws InterruptedException {
        until(what, timeout, condition, Boolean.TRUE::equals);
    }

    /**
     * Waits up to {@link #DEFAULT_TIMEOUT} until the value {@code probe} reads passes {@code test};
     * returns that value. On timeout the failure shows the last value read.
     */
    public static <T> T until(String what, Callable<T> probe, Predicate<T> test) throws InterruptedException {
        return until(what, DEFAULT_TIMEOUT, probe, test);
    }

    /** As {@link #until(String, Callable, Predicate)}, waiting up to {@code timeout}. */
    public static <T> T until(String what, Duration timeout, Callable<T> probe, Predicate<T> test)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        T value = null;
        Exception failure = null;
        while (true) {
            try {
                value = probe.call();
                failure = null;
                if (test.test(value)) {
                    return value;
                }
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                failure = e;
            }
            if (System.nanoTime() - deadline > 0) {
                Assertions.fail("timed out after " + timeout.toMillis() + " ms waiting until " + what
                        + (failure != null ? "; the last check threw " + failure : "; the last value was " + value), failure);
            }
            Thread.sleep(POLL_MILLIS);
        }
    }
}
