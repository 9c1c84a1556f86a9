package org.ssechat.deploy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.ssechat.testing.RawHttp;

/**
 * What the clients of a churn did and saw, counted from many threads: how many of each thing
 * happened ({@link #count}), and the failures by {@link Failure kind}, each with a label that
 * sorts it (whose bytes on which kind of connection) and the first few in full.
 */
final class ChurnTally {

    /** What must never happen. */
    enum Failure {
        /** Bytes of a message on a connection not of its room, or a second response head on one. */
        CROSSED("crossed bytes"),
        /** A connection the server ended (or closed with no response) before its client left. */
        CUT("cut"),
        /** A POST /chat that got no status line. */
        UNANSWERED("unanswered posts"),
        /** A request answered, but not as it should be: a refused stream, a POST not taken. */
        WRONG_ANSWER("wrong answers"),
        /** A connection that could not be made. */
        NOT_CONNECTED("not connected"),
        /** A calm listener that missed, repeated or reordered a message, or was ended. */
        CALM_LISTENER("calm listener failures");

        final String title;

        Failure(String title) {
            this.title = title;
        }
    }

    /** Failures kept in full, per kind: enough to see what happened, not the whole flood. */
    private static final int SAMPLES = 8;
    /** What a report shows of what a connection received. */
    private static final int SHOWN_CHARACTERS = 300;

    /** The rooms whose messages carry markers: no connection but one of the room may hold them. */
    private final List<String> markedRooms;

    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
    private final Map<Failure, Map<String, LongAdder>> failures = new ConcurrentHashMap<>();
    private final Map<Failure, Queue<String>> samples = new ConcurrentHashMap<>();
    private final Map<Failure, AtomicInteger> sampled = new ConcurrentHashMap<>();

    ChurnTally(List<String> markedRooms) {
        this.markedRooms = List.copyOf(markedRooms);
    }

    void count(String what) {
        add(what, 1);
    }

    void add(String what, long n) {
        counts.computeIfAbsent(what, key -> new LongAdder()).add(n);
    }

    long total(String what) {
        LongAdder adder = counts.get(what);
        return adder == null ? 0 : adder.sum();
    }

    /**
     * Records a failure.
     *
     * @param label  what sorts it, say "secret's bytes on a fresh /time stream"
     * @param detail what happened to this one
     */
    void fail(Failure failure, String label, String detail) {
        failures.computeIfAbsent(failure, key -> new ConcurrentHashMap<>())
                .computeIfAbsent(label, key -> new LongAdder()).increment();
        if (sampled.computeIfAbsent(failure, key -> new AtomicInteger()).getAndIncrement() < SAMPLES) {
            samples.computeIfAbsent(failure, key -> new ConcurrentLinkedQueue<>()).add(label + ": " + detail);
        }
    }

    /**
     * Looks at everything a connection received, head and chunk framing included: no marker of a
     * room but its own (a stream of alpha may carry alpha's; /time and an idle room's, none), and
     * one response head.
     *
     * @param ownRoom the room of the connection, or null
     */
    void lookAt(String connection, String ownRoom, String received) {
        for (String room : RoomMarkers.foreign(received, ownRoom, markedRooms)) {
            int at = received.indexOf(room + "#");
            fail(Failure.CROSSED, room + "'s bytes on " + connection,
                    shown(received.substring(Math.max(0, at - 100))) + " (at byte " + at + " of " + received.length() + ")");
        }
        int second = received.indexOf("HTTP/1.1 ", 1);
        if (second > 0) {
            fail(Failure.CROSSED, "a second response on " + connection, shown(received.substring(second)));
        }
    }

    /** The start of what a connection received, its line ends shown. */
    static String shown(String text) {
        String start = text.length() > SHOWN_CHARACTERS ? text.substring(0, SHOWN_CHARACTERS) + "..." : text;
        return "[" + start.replace("\r", "\\r").replace("\n", "\\n") + "]";
    }

    /** How a connection stopped sending, in words. */
    static String ended(RawHttp.End end) {
        return switch (end) {
            case OPEN -> "stayed silent all the while";
            case CLOSED -> "was closed";
            case BROKEN -> "broke (reset)";
        };
    }

    long failures(Failure failure) {
        return failures.getOrDefault(failure, Map.of()).values().stream().mapToLong(LongAdder::sum).sum();
    }

    /** Every count, sorted by name, one a line. */
    String counts() {
        StringBuilder text = new StringBuilder();
        new TreeMap<>(counts).forEach((what, n) -> text.append("  ").append(what).append(": ").append(n.sum()).append('\n'));
        return text.toString();
    }

    /** Each kind of failure: its total, by label, and the first few in full; "none" when there were none. */
    String failures() {
        List<String> lines = new ArrayList<>();
        for (Failure failure : Failure.values()) {
            long total = failures(failure);
            lines.add("  " + failure.title + ": " + total);
            new TreeMap<>(failures.getOrDefault(failure, Map.of()))
                    .forEach((label, n) -> lines.add("    " + n.sum() + " x " + label));
            for (String sample : samples.getOrDefault(failure, new ConcurrentLinkedQueue<>())) {
                lines.add("      e.g. " + sample);
            }
        }
        return String.join("\n", lines);
    }
}
