package org.ssechat.deploy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import org.ssechat.deploy.ChurnTally.Failure;
import org.ssechat.testing.RawHttp;

/**
 * The clients of {@link StreamIsolationIT}, each kind a loop, on a thread of its own, until the
 * churn ends; every request on a connection of its own, every byte it receives looked at (see
 * {@link ChurnTally#lookAt}):
 * <ul>
 *   <li>posters (see {@link ChurnPosts}) of large messages into the busy rooms, and of small
 *       ones into those and a room nobody listens to;</li>
 *   <li>clients of the busy rooms that vanish all the time: each reads a little, often into a
 *       large frame, or stops reading with a small window, then leaves by a close (FIN), a
 *       reset (RST) or a half-close;</li>
 *   <li>fresh streams of an idle room and of /time, which live a moment and leave.</li>
 * </ul>
 * None of these streams may be ended by the server before its client leaves.
 */
final class StreamChurn {

    static final List<String> BUSY_ROOMS = List.of("alpha", "secret");
    /** Some small posts go here: nobody listens, but their answers come on fresh connections too. */
    static final String NOTES = "notes";
    /** A room nobody posts to: its streams get heartbeats and probes only. */
    static final String IDLE = "idle";
    /** The rooms whose messages carry markers. */
    static final List<String> MARKED_ROOMS = List.of("alpha", "secret", NOTES);

    /** The receive buffer of a client that stops reading: the server soon finds its socket full. */
    private static final int STALLING_RECEIVE_BUFFER = 4096;
    /** How long a stream's first byte may take. */
    private static final int FIRST_BYTE_MILLIS = 10_000;

    private enum Leaving { FIN, RST, HALF_CLOSE }

    private final URI base;
    private final ChurnTally tally;
    private final ChurnPosts posts;

    StreamChurn(URI base, ChurnTally tally, ChurnPosts posts) {
        this.base = base;
        this.tally = tally;
        this.posts = posts;
    }

    /** One pass of a client's loop. */
    private interface Client {
        void once(Random random) throws IOException, InterruptedException;
    }

    /**
     * How many clients of each kind, and how often a poster posts (at most: a slow container
     * makes it wait for its answers).
     */
    record Load(int largePosters, long largeEveryMillis, int smallPosters, long smallEveryMillis, int vanishing,
            int fresh) {
    }

    /** The clients' loops, each to run on a thread of its own until {@link System#nanoTime()} passes {@code until}. */
    List<Callable<Void>> clients(long until, Load load) {
        List<Callable<Void>> loops = new ArrayList<>();
        paced(loops, load.largePosters(), until, load.largeEveryMillis(), random -> posts.postLarge(BUSY_ROOMS, random));
        // Between the large messages, small ones make the server write to each stream of a busy
        // room more often: a client that left is found by a write (on a thread of the
        // application's) more often than by the sweep.
        paced(loops, load.smallPosters(), until, load.smallEveryMillis(), random -> posts.postSmall(MARKED_ROOMS, random));
        add(loops, load.vanishing(), until, this::vanish);
        add(loops, load.fresh(), until, this::freshStream);
        return loops;
    }

    private static void add(List<Callable<Void>> loops, int count, long until, Client client) {
        paced(loops, count, until, 0, client);
    }

    /**
     * Loops that start a pass at most every {@code everyMillis}: posts at a steady pace, which a
     * fast container does not turn into more CPU taken from the churn.
     */
    private static void paced(List<Callable<Void>> loops, int count, long until, long everyMillis, Client client) {
        for (int i = 0; i < count; i++) {
            loops.add(() -> {
                long next = System.nanoTime();
                while (System.nanoTime() - until < 0) {
                    long wait = (next - System.nanoTime()) / 1_000_000;
                    if (wait > 0) {
                        Thread.sleep(wait); // the pace of a load, not a wait for a result
                    }
                    next = Math.max(next, System.nanoTime()) + everyMillis * 1_000_000;
                    client.once(ThreadLocalRandom.current());
                }
                return null;
            });
        }
    }

    /**
     * A client of a busy room that reads a little (often into a large frame), or stops reading
     * with a small window, and leaves: by a close, a reset or a half-close after which it reads on
     * a moment. Until it starts leaving, the server must not end its stream; a stalling client's
     * end is looked for only until its first byte (then the server may cut it off for its full
     * buffer).
     */
    private void vanish(Random random) throws IOException, InterruptedException {
        String room = BUSY_ROOMS.get(random.nextInt(BUSY_ROOMS.size()));
        boolean stalls = random.nextInt(6) == 0;
        String connection = "a stream of " + room + " that " + (stalls ? "stalled" : "vanished");
        long opened = System.nanoTime();
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        try (RawHttp http = openStream("sse?room=" + room, stalls ? STALLING_RECEIVE_BUFFER : 0)) {
            if (http == null) {
                return;
            }
            tally.count("streams of busy rooms opened");
            RawHttp.End end;
            if (stalls) {
                end = http.readInto(received, FIRST_BYTE_MILLIS, 1);
                Thread.sleep(200 + random.nextInt(1300)); // reads nothing meanwhile
                tally.count("streams of busy rooms that stalled");
            } else {
                end = http.readInto(received, random.nextInt(3000), 1 + random.nextInt(256 * 1024));
            }
            if (end != RawHttp.End.OPEN) {
                cut(connection, received, end, opened);
            } else {
                leave(http, leaving(random), received, random);
            }
        }
        tally.lookAt(connection, room, received.toString(StandardCharsets.ISO_8859_1));
        if (!stalls) {
            checkStatus(connection, received.toString(StandardCharsets.ISO_8859_1));
        }
    }

    /**
     * A reset half the time: the server's next write to it fails at once, often on a thread of
     * the application's (a fan-out, a heartbeat), before the sweep has seen it gone.
     */
    private static Leaving leaving(Random random) {
        return random.nextBoolean() ? Leaving.RST : random.nextBoolean() ? Leaving.FIN : Leaving.HALF_CLOSE;
    }

    private void leave(RawHttp http, Leaving way, ByteArrayOutputStream received, Random random) throws IOException {
        tally.count("streams of busy rooms that left by " + way);
        switch (way) {
            case FIN -> http.close();
            case RST -> http.reset();
            case HALF_CLOSE -> {
                http.shutdownOutput();
                http.readInto(received, random.nextInt(500), Integer.MAX_VALUE); // the server may end it now: it was left
                http.close();
            }
        }
    }

    /** A fresh stream of the idle room or of /time, which lives a moment and leaves. */
    private void freshStream(Random random) throws IOException {
        String target = random.nextBoolean() ? "sse?room=" + IDLE : "time";
        String connection = target.equals("time") ? "a fresh /time stream" : "a fresh stream of room " + IDLE;
        long opened = System.nanoTime();
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        try (RawHttp http = openStream(target, 0)) {
            if (http == null) {
                return;
            }
            tally.count("fresh streams: /" + target);
            RawHttp.End end = http.readInto(received, lifetimeMillis(random), Integer.MAX_VALUE);
            if (end != RawHttp.End.OPEN) {
                cut(connection, received, end, opened);
            }
        }
        tally.lookAt(connection, null, received.toString(StandardCharsets.ISO_8859_1));
        checkStatus(connection, received.toString(StandardCharsets.ISO_8859_1));
    }

    /** A stream that got a head at all got 200: nothing here is refused (no limits are near). */
    private void checkStatus(String connection, String received) {
        String expected = "HTTP/1.1 200 ";
        if (received.length() >= expected.length() && !received.startsWith(expected)) {
            tally.fail(Failure.WRONG_ANSWER, connection + " not answered 200", ChurnTally.shown(received));
        }
    }

    /**
     * How long a fresh stream stays: mostly a moment, past its first frame (where Tomcat's race
     * cuts streams), now and then through a heartbeat and its probe.
     */
    private static long lifetimeMillis(Random random) {
        return random.nextInt(7) == 0 ? 300 + random.nextInt(2200) : 10 + random.nextInt(190);
    }

    /** Connects and sends the GET of a stream; null (and a failure recorded) if that fails. */
    private RawHttp openStream(String target, int receiveBuffer) {
        RawHttp http = connect(target, "GET /" + target, receiveBuffer);
        if (http != null) {
            try {
                http.send("GET", Map.of("Accept", "text/event-stream"));
            } catch (IOException e) {
                http.close();
                tally.fail(Failure.CUT, "a fresh connection broke while its GET /" + target + " was sent", e.toString());
                return null;
            }
        }
        return http;
    }

    private RawHttp connect(String target, String request, int receiveBuffer) {
        try {
            return RawHttp.connect(base.resolve(target), null, receiveBuffer);
        } catch (IOException e) {
            tally.fail(Failure.NOT_CONNECTED, request, e.toString());
            return null;
        }
    }

    /** A connection the server ended before its client left it. */
    private void cut(String connection, ByteArrayOutputStream received, RawHttp.End end, long openedNanos) {
        String text = received.toString(StandardCharsets.ISO_8859_1);
        String label = text.isEmpty() ? connection + ", closed with no response" : connection + ", ended by the server";
        tally.fail(Failure.CUT, label, ChurnTally.ended(end) + " after " + (System.nanoTime() - openedNanos) / 1_000_000
                + " ms and " + text.length() + " bytes: " + ChurnTally.shown(text));
    }
}
