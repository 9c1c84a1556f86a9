package org.ssechat.broker.redis.cluster;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.ssechat.broker.redis.Backoff;
import redis.clients.jedis.HostAndPort;

/**
 * When a cluster node may be tried again after a subscription on it failed, and which failures
 * are news. Every failure counts the same, whatever its cause: the node could not be reached, is
 * not a primary, or took the connection and then refused the subscription (an error reply, such
 * as an ACL's {@code NOPERM} for {@code SSUBSCRIBE}). Each one moves the node to its next backoff
 * step, so a node that always fails is tried about once a second at most, and only a new cause
 * or a longer step is news: the attempts between are not. A subscription that held for
 * {@link #HELD_MILLIS} ends the node's run of failures. Used by the manager thread only.
 */
final class NodeRetries {

    /** A subscription that held this long ends its node's run: the next failure starts from the first step. */
    static final long HELD_MILLIS = 2000;
    private static final long INITIAL_MILLIS = 100;
    private static final long MAX_MILLIS = 1000;

    /**
     * @param stepMillis the most the node waits now before it is tried again
     * @param news       the first failure of a run, a new cause, or a longer step: worth a warning
     */
    record Failure(long stepMillis, boolean news) {
    }

    /** A node's run of failures. */
    private static final class Run {
        final Backoff backoff = new Backoff(INITIAL_MILLIS, MAX_MILLIS);
        long atMillis;
        String cause;
        long stepMillis;
    }

    private final Map<HostAndPort, Run> runs = new HashMap<>();

    /** Whether the node may be tried now: it has not failed, or its backoff is over. */
    boolean mayTry(HostAndPort node, long nowMillis) {
        Run run = runs.get(node);
        return run == null || nowMillis >= run.atMillis;
    }

    /** The node failed: it is tried again after a random part of its next step. */
    Failure failed(HostAndPort node, String cause, long nowMillis) {
        Run run = runs.computeIfAbsent(node, n -> new Run());
        long step = run.backoff.stepMillis();
        run.atMillis = nowMillis + run.backoff.nextDelayMillis();
        boolean news = !Objects.equals(cause, run.cause) || step != run.stepMillis;
        run.cause = cause;
        run.stepMillis = step;
        return new Failure(step, news);
    }

    /** A subscription on the node held for {@link #HELD_MILLIS}: its run of failures is over. */
    void held(HostAndPort node) {
        runs.remove(node);
    }
}
