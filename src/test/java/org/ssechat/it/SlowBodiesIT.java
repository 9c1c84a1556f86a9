package org.ssechat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.ssechat.testing.ChatHttp;
import org.ssechat.testing.JsonAssertions;
import org.ssechat.testing.RawHttp;
import org.ssechat.testing.WarServer;

/**
 * Slow request bodies hold no container thread (hostile pattern 3): 250 connections that send
 * the head of a {@code POST /chat} and then its body a byte a second, more than the containers'
 * 200 worker threads, while another address posts, streams and asks for /health. Each slow body
 * ends once {@code CHAT_BODY_TIMEOUT_SECONDS} have passed, with a {@code 408}, or with a
 * {@code 429} when its sender was over the rate limit (its body dropped as it came, unread).
 */
class SlowBodiesIT {

    private static final int SLOW = 250;
    private static final int DEADLINE_SECONDS = 3;
    /** An answer the other clients wait for at most: far below the slow bodies' deadline. */
    private static final Duration PROMPT = Duration.ofMillis(1500);

    @ParameterizedTest(name = "{0}, rate limit {1}/s")
    @CsvSource({"JETTY, 0", "TOMCAT, 0", "JETTY, 10", "TOMCAT, 10"})
    void slowBodiesHoldNoThreadAndEndWithA408OrA429(WarServer.Kind kind, int ratePerSecond) throws Exception {
        InetAddress slowAddress = InetAddress.getByName("127.0.0.2");
        Map<String, String> settings = new HashMap<>(Map.of(
                "CHAT_BODY_TIMEOUT_SECONDS", String.valueOf(DEADLINE_SECONDS),
                "CHAT_RATE_LIMIT_PER_SECOND", String.valueOf(ratePerSecond),
                "CHAT_MAX_STREAMS_PER_ADDRESS", "1000"));
        try (WarServer server = kind.start("/sse-chat", settings)) {
            URI base = server.base();
            List<RawHttp> slow = new ArrayList<>();
            AtomicBoolean trickling = new AtomicBoolean(true);
            Thread trickle = new Thread(() -> trickle(slow, trickling), "slow-bodies");
            try {
                long opening = System.nanoTime();
                for (int i = 0; i < SLOW; i++) {
                    slow.add(RawHttp.connect(base.resolve("chat"), slowAddress).send("POST", Map.of(
                            "Content-Type", "application/json", "Content-Length", "2000")));
                }
                long openedSeconds = (System.nanoTime() - opening) / 1_000_000_000L + 1;
                trickle.start();
                long started = System.nanoTime();
                Thread.sleep(500); // every slow request has reached the servlet by now (or is queued for a thread)

                // Another address is served at once while all of them trickle.
                long health = timed(() -> assertEquals(200, get(base, "health").statusCode()));
                long post = timed(() -> {
                    HttpResponse<String> answer = ChatHttp.send(HttpRequest.newBuilder(base.resolve("chat"))
                            .timeout(PROMPT).header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"user\":\"ann\",\"text\":\"hi\"}")).build());
                    assertEquals(202, answer.statusCode(), answer.body());
                });
                long stream = timed(() -> {
                    try (RawHttp sse = RawHttp.connect(base.resolve("sse"), null).send("GET", Map.of())) {
                        assertEquals(200, sse.readHead((int) PROMPT.toMillis()).status());
                    }
                });

                int timedOut = 0;
                int limited = 0;
                for (RawHttp request : slow) {
                    RawHttp.Head head = request.readHead((DEADLINE_SECONDS + 7) * 1000);
                    JsonAssertions.assertJsonError(head.status(), head.header("Content-Type"), request.readBody(head),
                            head.status() == 429 ? 429 : 408);
                    if (head.status() == 429) {
                        limited++;
                    } else {
                        timedOut++;
                    }
                }
                long allAnsweredMillis = (System.nanoTime() - started) / 1_000_000;
                if (ratePerSecond == 0) {
                    assertEquals(SLOW, timedOut, "without a rate limit every slow body times out");
                } else {
                    // The burst (20) and what the bucket earned back while the 250 connected.
                    long allowed = 20 + ratePerSecond * openedSeconds;
                    assertTrue(timedOut <= allowed, timedOut + " of " + SLOW + " got past a rate limit allowing " + allowed);
                    assertEquals(SLOW, limited + timedOut);
                }
                assertEquals(200, get(base, "health").statusCode());
                System.out.printf("[hostile 3] %s, rate limit %d/s: %d slow bodies (%d answered 408, %d answered 429,"
                        + " all within %d ms); meanwhile /health in %d ms, POST /chat in %d ms, GET /sse head in %d ms%n",
                        server.name(), ratePerSecond, SLOW, timedOut, limited, allAnsweredMillis, health, post, stream);
            } finally {
                trickling.set(false);
                trickle.join(5000);
                slow.forEach(RawHttp::close);
            }
        }
    }

    /** One byte a second to every slow request, until it is answered or the test ends. */
    private static void trickle(List<RawHttp> slow, AtomicBoolean trickling) {
        while (trickling.get()) {
            for (RawHttp request : slow) {
                try {
                    request.write(new byte[] {' '});
                } catch (IOException answeredAndClosed) {
                    // the server gave up on it: nothing more to send
                }
            }
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static HttpResponse<String> get(URI base, String path) throws Exception {
        return ChatHttp.send(HttpRequest.newBuilder(base.resolve(path)).timeout(PROMPT).GET().build());
    }

    private interface Check {
        void run() throws Exception;
    }

    /** Runs the check and returns how long it took, in milliseconds. */
    private static long timed(Check check) throws Exception {
        long start = System.nanoTime();
        check.run();
        return (System.nanoTime() - start) / 1_000_000;
    }
}
