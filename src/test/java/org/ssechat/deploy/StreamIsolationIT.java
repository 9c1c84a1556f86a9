package org.ssechat.deploy;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.ssechat.deploy.ChurnTally.Failure;
import org.ssechat.testing.ChatHttp;
import org.ssechat.testing.Metrics;
import org.ssechat.testing.WarServer;

/**
 * Each stream's response belongs to its stream alone, from its first byte to its completion
 * (Servlet 6 §2.3.3.4 and §5.8: the application orders every touch of a request and its
 * response, and a response is valid only until {@code AsyncContext.complete()}; Tomcat recycles
 * a request's processor for the next connection as soon as the request is complete). Here, in
 * stock Tomcat 10.1, 11 and Jetty 12 with their default connectors, clients of two busy rooms
 * vanish all the time (close, reset, half-close; often in the middle of a large frame) while
 * large and small messages are posted into those rooms, the heartbeat and its probe run every
 * second, and fresh streams, fresh posts and calm listeners watch from outside (see
 * {@link StreamChurn}): no connection receives bytes of a message of another room, the server
 * cuts no stream its client did not leave, every POST is answered, and every calm listener gets
 * every message of its room once and in order.
 *
 * <p>The churn lasts {@link #CHURN_SECONDS} in each container, one container after the other:
 * side by side on two cores each got so little CPU that Tomcat took a few posts a second and the
 * races went unseen. A longer run: {@code mvn verify -Dit.test=StreamIsolationIT
 * -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false -Dssechat.stress.seconds=120}.
 */
@Execution(ExecutionMode.SAME_THREAD) // not beside other test classes, nor its containers beside each other
class StreamIsolationIT {

    /** How long the clients churn in each container. */
    static final long CHURN_SECONDS = Long.getLong("ssechat.stress.seconds", 25);
    private static final long START_MILLIS = 60_000;
    /** How long a client's loop may take to finish its last pass once the churn is over (a POST's answer may take 30 s). */
    private static final long LAST_PASS_MILLIS = 45_000;
    /** How long the calm listeners may take to receive the last message once it is posted. */
    private static final Duration DELIVERY = Duration.ofSeconds(30);
    /** Tries at the last message of a room: on a faulty node its POST can be cut too. */
    private static final int LAST_MESSAGE_TRIES = 3;

    /**
     * The clients: 4 posters of large messages, 40 a second at most; 2 of small ones, 100 a
     * second at most (these make the server write to each stream more often, so a client that
     * left is more often found by a write than by the sweep: without them Tomcat cut an eighth
     * as many streams); 60 clients of the busy rooms that vanish; 24 fresh streams.
     */
    private static final StreamChurn.Load LOAD = new StreamChurn.Load(4, 100, 2, 20, 60, 24);
    private static final int CALM_LISTENERS_PER_ROOM = 2;

    /**
     * The node: a heartbeat (and its probe) every second, racing with the completions; no limit
     * on posts or streams per address (every client is this test); large messages allowed; a
     * client buffer small enough that a client which stops reading is cut off as slow now and then.
     */
    private static final Map<String, String> SETTINGS = Map.of(
            "CHAT_HEARTBEAT_SECONDS", "1",
            "CHAT_RATE_LIMIT_PER_SECOND", "0",
            "CHAT_MAX_STREAMS_PER_ADDRESS", "0",
            "CHAT_MAX_TEXT_LENGTH", "40000",
            "CHAT_MAX_BODY_BYTES", "65536",
            "CHAT_CLIENT_BUFFER_BYTES", "262144");

    @ParameterizedTest
    @EnumSource(StockContainer.Kind.class)
    void clientsThatVanishWhileLargeMessagesFlowCutNoOtherStreamAndSendNoByteToAnotherRoomsConnection(
            StockContainer.Kind kind) throws Exception {
        try (StockContainer container = kind.create()) {
            container.deploy(WarServer.war(), "ROOT.war");
            container.start(SETTINGS, Map.of());
            container.awaitStatus("/", "health", 200, START_MILLIS);
            URI base = container.base("/");
            ChurnTally tally = new ChurnTally(StreamChurn.MARKED_ROOMS);
            String report;
            try {
                churn(base, tally);
            } finally {
                report = report(kind, base, tally, container);
                System.out.println(report);
            }
            assertTrue(tally.total("streams of busy rooms that left by RST") > 0 && tally.total("posts to alpha answered 202") > 0
                    && tally.total("fresh streams: /time") > 0, "the churn ran: " + report);
            if (Arrays.stream(Failure.values()).anyMatch(failure -> tally.failures(failure) > 0)) {
                fail("streams were cut, crossed or lost in " + kind + "\n" + report);
            }
        }
    }

    /** Opens the calm listeners, runs the churn, then holds what each listener got against what was accepted. */
    private static void churn(URI base, ChurnTally tally) throws Exception {
        ChurnPosts posts = new ChurnPosts(base, tally);
        StreamChurn churn = new StreamChurn(base, tally, posts);
        List<CalmListener> calm = new ArrayList<>();
        ExecutorService threads = null;
        try {
            for (String room : StreamChurn.BUSY_ROOMS) {
                for (int i = 0; i < CALM_LISTENERS_PER_ROOM; i++) {
                    calm.add(CalmListener.open(base, room));
                }
            }
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(CHURN_SECONDS);
            List<Callable<Void>> clients = churn.clients(until, LOAD);
            threads = Executors.newFixedThreadPool(clients.size(), StreamIsolationIT::daemon);
            List<Future<Void>> running = new ArrayList<>();
            for (Callable<Void> client : clients) {
                running.add(threads.submit(client));
            }
            for (Future<Void> client : running) {
                // A client's own failure (not what it saw: that is tallied) reaches the test here.
                client.get(TimeUnit.NANOSECONDS.toMillis(until - System.nanoTime()) + LAST_PASS_MILLIS, TimeUnit.MILLISECONDS);
            }
            // A last message in each busy room: once a listener has it, it has had every other.
            Map<String, String> lastIds = new HashMap<>();
            for (String room : StreamChurn.BUSY_ROOMS) {
                lastIds.put(room, lastMessage(posts, room, tally));
            }
            for (CalmListener listener : calm) {
                listener.readUntil(lastIds.get(listener.room()), DELIVERY);
                listener.check(posts.acceptedIn(listener.room()), posts, tally);
            }
        } finally {
            if (threads != null) {
                threads.shutdownNow();
            }
            calm.forEach(CalmListener::close);
        }
    }

    /** Posts a room's last message (a failed try is tallied like any other post) and returns its id. */
    private static String lastMessage(ChurnPosts posts, String room, ChurnTally tally) throws Exception {
        for (int i = 0; i < LAST_MESSAGE_TRIES; i++) {
            ChurnPosts.Accepted last = posts.post(room, 1);
            if (last != null) {
                return last.id();
            }
        }
        return fail("the last message of " + room + " was not accepted in " + LAST_MESSAGE_TRIES + " tries:\n" + tally.failures());
    }

    private static Thread daemon(Runnable runnable) {
        Thread thread = new Thread(runnable, "churn");
        thread.setDaemon(true); // a client still blocked in a read when the test ends keeps no JVM alive
        return thread;
    }

    /** What the clients did and saw, and what the node counted; made even when the churn failed. */
    private static String report(StockContainer.Kind kind, URI base, ChurnTally tally, StockContainer container) {
        String node;
        try {
            node = Metrics.value(base, "sse_chat_clients_vanished_total") + " clients vanished, "
                    + Metrics.value(base, "sse_chat_slow_clients_disconnected_total") + " slow clients cut off, "
                    + Metrics.value(base, "sse_chat_messages_published_total") + " messages published, /health "
                    + ChatHttp.get(base, "health").statusCode();
        } catch (Exception | AssertionError e) {
            node = "no metrics: " + e;
        }
        List<String> problems = container.log().problems().stream()
                .filter(line -> !line.contains("Disconnecting a slow client")).toList();
        return "[isolation] " + kind + ", " + CHURN_SECONDS + " s of churn\n" + tally.counts()
                + "  the node: " + node + "; " + problems.size() + " other warnings logged"
                + problems.stream().limit(5).map(line -> "\n    " + line).reduce("", String::concat) + "\n"
                + tally.failures();
    }
}
