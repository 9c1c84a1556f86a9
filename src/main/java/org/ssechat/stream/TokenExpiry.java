package org.ssechat.stream;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Ends streams opened with a token when the token expires, at the end of the clock skew, as the
 * token was accepted: a stream opened just past its {@code exp} (within the skew) must not end
 * at once and come back in a loop.
 */
public final class TokenExpiry {

    /** A century: an expiry further out waits this long (a stream does not live that long). */
    private static final Duration LONGEST = Duration.ofDays(36_525);

    private final ScheduledExecutorService timers;
    private final Clock clock;
    private final Duration skew;

    public TokenExpiry(ScheduledExecutorService timers, Clock clock, Duration skew) {
        this.timers = timers;
        this.clock = clock;
        this.skew = skew;
    }

    /** Runs the task when a token that expires then is no longer accepted; cancel it when the stream ends. */
    public ScheduledFuture<?> at(Instant expiresAt, Runnable task) {
        // Saturating: a token may say it expires in the year 292 million, past what milliseconds count.
        Duration until = Duration.between(clock.instant(), expiresAt).plus(skew);
        long delay = until.isNegative() ? 0 : until.compareTo(LONGEST) > 0 ? LONGEST.toMillis() : until.toMillis();
        return timers.schedule(task, delay, TimeUnit.MILLISECONDS);
    }
}
