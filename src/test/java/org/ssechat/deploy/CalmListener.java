package org.ssechat.deploy;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.ssechat.deploy.ChurnTally.Failure;
import org.ssechat.deploy.ChurnPosts.Accepted;
import org.ssechat.testing.SseParser;
import org.ssechat.testing.SseStream;

/**
 * A listener of a busy room that is there before the first post and reads everything at once,
 * to the end: it must get every accepted message of its room, once and in order, nothing of
 * another room, and never be ended by the server.
 */
final class CalmListener implements AutoCloseable {

    private final String room;
    private final SseStream stream;
    private final List<SseParser.Event> events = new ArrayList<>();

    private CalmListener(String room, SseStream stream) {
        this.room = room;
        this.stream = stream;
    }

    /** Opens a stream of the room; it is registered (its first line has come) when this returns. */
    static CalmListener open(URI base, String room) throws IOException, InterruptedException {
        SseStream stream = SseStream.open(base.resolve("sse?room=" + room));
        CalmListener listener = new CalmListener(room, stream);
        if (stream.status() != 200) {
            listener.close();
            throw new AssertionError("a calm listener of " + room + " was answered " + stream.status());
        }
        stream.awaitFirstLine();
        return listener;
    }

    String room() {
        return room;
    }

    /**
     * Takes the events that came, until the one with {@code lastId} (posted after all others),
     * the end of the stream or the deadline, whichever comes first.
     */
    void readUntil(String lastId, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() - deadline < 0) {
            SseParser.Event event = stream.poll(100);
            if (event != null) {
                events.add(event);
                if (lastId.equals(event.id())) {
                    return;
                }
            } else if (stream.hasEnded()) {
                return;
            }
        }
    }

    /**
     * Holds what it got against what its room accepted, in id order; a message whose POST got no
     * answer may come or not, and is left out. Records each failure in the tally.
     */
    void check(List<Accepted> accepted, ChurnPosts posts, ChurnTally tally) {
        String connection = "a calm listener of " + room;
        tally.lookAt(connection, room, String.join("\n", stream.lines()));
        if (stream.hasEnded()) {
            tally.fail(Failure.CALM_LISTENER, connection + " ended by the server", (stream.failure() == null
                    ? "the response ended" : "the connection broke: " + stream.failure()) + " after " + events.size()
                    + " events; its last lines: " + lastLines());
        }
        Map<String, Integer> numbers = new HashMap<>();
        accepted.forEach(message -> numbers.put(message.id(), message.number()));
        List<String> got = new ArrayList<>();
        for (SseParser.Event event : events) {
            int number = number(event);
            if (number < 0) {
                tally.fail(Failure.CALM_LISTENER, connection + " got an event that is not a message of its room",
                        event.event() + " " + event.id() + " " + ChurnTally.shown(event.data()));
            } else if (numbers.containsKey(event.id()) && numbers.get(event.id()) != number) {
                tally.fail(Failure.CROSSED, "a message under another message's id on " + connection,
                        "id " + event.id() + " was message " + numbers.get(event.id()) + ", came with the text of " + number);
            } else if (posts.unanswered(room, number)) {
                tally.count("messages whose POST got no answer, delivered to a calm listener");
            } else {
                got.add(event.id());
            }
        }
        List<String> expected = accepted.stream().map(Accepted::id).toList();
        if (!got.equals(expected)) {
            tally.fail(Failure.CALM_LISTENER, connection + " did not get every message once and in order",
                    difference(expected, got));
        }
        tally.add("messages delivered to calm listeners", got.size());
    }

    /** The number in a message event's markers, or -1 if it is not a message of this room. */
    private int number(SseParser.Event event) {
        if (!"message".equals(event.event())) {
            return -1;
        }
        try {
            JsonObject message = JsonParser.parseString(event.data()).getAsJsonObject();
            return message.get("room").getAsString().equals(room)
                    ? RoomMarkers.number(room, message.get("text").getAsString()) : -1;
        } catch (RuntimeException notJson) {
            return -1;
        }
    }

    private static String difference(List<String> expected, List<String> got) {
        int first = 0;
        while (first < Math.min(expected.size(), got.size()) && expected.get(first).equals(got.get(first))) {
            first++;
        }
        List<String> missing = new ArrayList<>(expected);
        missing.removeAll(got);
        long repeated = got.size() - got.stream().distinct().count();
        return expected.size() + " accepted, " + got.size() + " delivered; " + missing.size() + " missing (first: "
                + missing.stream().limit(3).toList() + "), " + repeated + " repeated; the first difference at #" + first
                + ": expected " + (first < expected.size() ? expected.get(first) : "nothing")
                + ", got " + (first < got.size() ? got.get(first) : "nothing");
    }

    private String lastLines() {
        List<String> lines = stream.lines();
        return ChurnTally.shown(String.join("\n", lines.subList(Math.max(0, lines.size() - 6), lines.size())));
    }

    @Override
    public void close() {
        stream.close();
    }
}
