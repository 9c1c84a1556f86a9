package org.ssechat.deploy;

import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.ssechat.deploy.ChurnTally.Failure;
import org.ssechat.sse.EventId;
import org.ssechat.testing.RawHttp;

/**
 * The posts of a churn, each on a connection of its own (closed after the answer, as a fresh
 * client's): the next message of a room, its text the room's marker and the message's number
 * (see {@link RoomMarkers}). Every POST must be answered; what was accepted, by its id, is what
 * a calm listener must get.
 */
final class ChurnPosts {

    /** Large: more than a stream's 2 KiB response buffer and Tomcat's 8 KiB socket buffer. */
    private static final int MIN_LARGE = 8 * 1024;
    private static final int MAX_LARGE = 32 * 1024;
    /** How long a POST's answer may take: longer is no answer (a loaded Tomcat took over 10 s now and then). */
    private static final int ANSWER_MILLIS = 30_000;

    /** An accepted message: the id its POST's answer gave, and the number in its markers. */
    record Accepted(String id, int number) {
        static final Comparator<Accepted> BY_ID = Comparator.comparing(accepted -> EventId.parse(accepted.id()));
    }

    private final URI chat;
    private final ChurnTally tally;
    private final Map<String, AtomicInteger> numbers = new ConcurrentHashMap<>();
    private final Map<String, Queue<Accepted>> accepted = new ConcurrentHashMap<>();
    /** The markers of posts that got no answer: their messages may have been taken all the same. */
    private final Set<String> unanswered = ConcurrentHashMap.newKeySet();

    ChurnPosts(URI base, ChurnTally tally) {
        this.chat = base.resolve("chat");
        this.tally = tally;
    }

    /** A large message into one of these rooms. */
    void postLarge(List<String> rooms, Random random) throws IOException {
        post(rooms.get(random.nextInt(rooms.size())), MIN_LARGE + random.nextInt(MAX_LARGE - MIN_LARGE + 1));
    }

    /** A message of one to four markers into one of these rooms. */
    void postSmall(List<String> rooms, Random random) throws IOException {
        String room = rooms.get(random.nextInt(rooms.size()));
        post(room, RoomMarkers.marker(room, 0).length() * (1 + random.nextInt(4)));
    }

    /**
     * POSTs the next message of a room, about {@code length} characters of its markers; records
     * what came back.
     *
     * @return the accepted message, or null
     */
    Accepted post(String room, int length) throws IOException {
        int number = numbers.computeIfAbsent(room, key -> new AtomicInteger()).incrementAndGet();
        byte[] body = ("{\"room\":\"" + room + "\",\"user\":\"poster\",\"text\":\"" + RoomMarkers.text(room, number, length)
                + "\"}").getBytes(StandardCharsets.UTF_8);
        tally.count("posts to " + room);
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        RawHttp.End end;
        try (RawHttp http = RawHttp.connect(chat, null)) {
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("Content-Type", "application/json");
            headers.put("Content-Length", String.valueOf(body.length));
            headers.put("Connection", "close");
            try {
                http.send("POST", headers);
                http.write(body);
            } catch (IOException broken) {
                // Whatever came back is still to be read: an early answer, or nothing.
            }
            end = http.readInto(received, ANSWER_MILLIS, Integer.MAX_VALUE); // to the close the answer asked for
        } catch (IOException notConnected) {
            tally.fail(Failure.NOT_CONNECTED, "POST /chat", notConnected.toString());
            return null;
        }
        String text = received.toString(StandardCharsets.ISO_8859_1);
        tally.lookAt("the answer to a POST to " + room, room, text);
        if (text.isEmpty()) {
            unanswered.add(RoomMarkers.marker(room, number));
            tally.fail(Failure.UNANSWERED, "POST to " + room + " on a fresh connection", "message " + number + " ("
                    + body.length + " bytes): the connection " + ChurnTally.ended(end) + " with no answer");
            return null;
        }
        if (!text.startsWith("HTTP/1.1 202 ")) {
            tally.fail(Failure.WRONG_ANSWER, "POST to " + room + " not answered 202", ChurnTally.shown(text));
            return null;
        }
        String json = text.substring(text.indexOf('{'), text.lastIndexOf('}') + 1);
        Accepted message = new Accepted(JsonParser.parseString(json).getAsJsonObject().get("id").getAsString(), number);
        accepted.computeIfAbsent(room, key -> new ConcurrentLinkedQueue<>()).add(message);
        tally.count("posts to " + room + " answered 202");
        return message;
    }

    /** The messages of a room whose POSTs were answered 202, in the order of their ids. */
    List<Accepted> acceptedIn(String room) {
        List<Accepted> list = new ArrayList<>(accepted.getOrDefault(room, new ConcurrentLinkedQueue<>()));
        list.sort(Accepted.BY_ID);
        return list;
    }

    /** Whether the POST of this message of this room got no answer. */
    boolean unanswered(String room, int number) {
        return unanswered.contains(RoomMarkers.marker(room, number));
    }
}
