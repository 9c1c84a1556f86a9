package org.ssechat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.ssechat.testing.JsonAssertions.assertJsonError;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.ssechat.sse.EventId;
import org.ssechat.testing.Await;
import org.ssechat.testing.ChatHttp;
import org.ssechat.testing.RedisCluster;
import org.ssechat.testing.RedisServer;
import org.ssechat.testing.SseParser;
import org.ssechat.testing.SseStream;
import org.ssechat.testing.Teardown;
import org.ssechat.testing.WarServer;

/**
 * Many rooms on one stream ({@code GET /sse?room=a&room=b...}, see docs/protocol.md), with two
 * nodes, one in Jetty and one in Tomcat, sharing one Redis server or a Redis Cluster of three
 * primaries: a stream of 20 rooms gets each room's messages once and in order, also when its
 * client drops its connection 200 times at random moments while messages flow into every room
 * and resumes each time on either node with the stream's last id ({@code room:id,...}); and the
 * contract's small rules (at most 32 rooms, a room listed twice, a one-room stream's plain ids).
 *
 * <p>Each event a many-room stream sends is checked as it comes: its message after the last one
 * of its room, and its {@code id} the stream's position in every room. The client resumes from
 * what a browser would send back ({@link SseParser#resumeId()}): the id-only event a stream sends
 * after its start moves it, an event cut off by the drop does not.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(ManyRoomsIT.Backend.class)
class ManyRoomsIT {

    private static final int ROOMS = 20;
    private static final int RECONNECTS = 200;
    /** Each node posts at least this many messages into each room, and goes on while the client reconnects. */
    private static final int LEAST_POSTS_PER_ROOM_AND_NODE = 60;
    /** A connection is dropped a random time after its response head came, from 0 up to this. */
    private static final int LONGEST_CONNECTION_MILLIS = 40;
    /** How long the client may take, once the posts are over, to get every message still owed. */
    private static final Duration TAIL = Duration.ofSeconds(60);

    /** Where the two nodes' Redis is, and the seed of the client's random choices there. */
    enum Backend {
        REDIS(25), REDIS_CLUSTER(2025);

        final long seed;

        Backend(long seed) {
            this.seed = seed;
        }
    }

    /** Two nodes and the Redis behind them (a server or a cluster), closed nodes first. */
    private record Setup(WarServer jetty, WarServer tomcat, RedisServer redis, RedisCluster cluster)
            implements AutoCloseable {
        @Override
        public void close() throws Exception {
            Teardown.close(jetty, tomcat, redis, cluster);
        }
    }

    private static final Map<Backend, Setup> SETUPS = new ConcurrentHashMap<>();

    @Parameter
    Backend backend;

    private Setup setup;

    @BeforeParameterizedClassInvocation
    static void start(Backend backend) throws Exception {
        RedisServer redis = null;
        RedisCluster cluster = null;
        WarServer jetty = null;
        WarServer tomcat = null;
        try {
            String url;
            if (backend == Backend.REDIS) {
                redis = RedisServer.start();
                url = redis.url();
            } else {
                cluster = RedisCluster.start();
                url = cluster.url();
            }
            Map<String, String> settings = Map.of("REDIS_URL", url, "CHAT_RATE_LIMIT_PER_SECOND", "0");
            jetty = WarServer.Kind.JETTY.start("/sse-chat", settings);
            tomcat = WarServer.Kind.TOMCAT.start("/", settings);
            for (WarServer node : List.of(jetty, tomcat)) {
                Await.until("node " + node.name() + " is UP", () -> "UP".equals(
                        ChatHttp.health(node.base()).get("status").getAsString()));
            }
            SETUPS.put(backend, new Setup(jetty, tomcat, redis, cluster));
        } catch (Throwable e) {
            Teardown.close(jetty, tomcat, redis, cluster);
            throw e;
        }
    }

    @AfterParameterizedClassInvocation
    static void stop(Backend backend) throws Exception {
        Teardown.close(SETUPS.remove(backend));
    }

    @BeforeEach
    void setup() {
        setup = SETUPS.get(backend);
    }

    @Test
    void aStreamOfTwentyRoomsGetsEveryMessageOnceInOrderThroughTwoHundredReconnectsToEitherNode() throws Exception {
        List<String> rooms = IntStream.range(0, ROOMS).mapToObj(i -> "flow-" + i).toList();
        if (setup.cluster() != null) {
            Set<Integer> primaries = new HashSet<>();
            for (String room : rooms) {
                primaries.add(setup.cluster().primaryOf(RedisCluster.slotOf(room)).port());
            }
            assertEquals(3, primaries.size(), "the 20 rooms fall on all three primaries");
        }
        Map<String, NavigableSet<EventId>> accepted = new ConcurrentHashMap<>();
        rooms.forEach(room -> accepted.put(room, new ConcurrentSkipListSet<>()));
        Tally tally = new Tally(rooms);
        Random random = new Random(backend.seed);
        String where = "[" + backend + ", seed " + backend.seed + "] ";

        // Calm: a stream on each node says where it stands, then gets five messages of each room.
        Tally atTomcat = new Tally(rooms);
        String resumeId;
        try (SseStream first = SseStream.open(setup.jetty().base().resolve(streamOf(rooms)));
                SseStream other = SseStream.open(setup.tomcat().base().resolve(streamOf(rooms)))) {
            for (SseStream stream : List.of(first, other)) {
                assertEquals(200, stream.status());
                Await.until("the stream sent its position in every room, an event with only an id",
                        () -> stream.lines().stream().anyMatch(line -> line.startsWith("id:")));
            }
            for (int i = 0; i < 5; i++) {
                for (String room : rooms) {
                    WarServer node = i % 2 == 0 ? setup.jetty() : setup.tomcat();
                    accepted.get(room).add(post(node, room, "calm " + i));
                }
            }
            for (int i = 0; i < 5 * ROOMS; i++) {
                tally.take(first.next(), "the first connection (Jetty)");
                atTomcat.take(other.next(), "a calm connection (Tomcat)");
            }
            atTomcat.drop(other, "a calm connection (Tomcat)", "");
            resumeId = tally.drop(first, "the first connection (Jetty)", "");
            for (Tally calm : List.of(tally, atTomcat)) {
                calm.assertNoProblem(where);
                for (String room : rooms) {
                    assertEquals(List.copyOf(accepted.get(room)), calm.received(room), "room " + room + " once, in order");
                }
            }
        }
        tally.connectionsWithMessages = 0;

        // Stormy: both nodes post into every room while the client drops and resumes 200 times.
        AtomicBoolean reconnecting = new AtomicBoolean(true);
        ExecutorService posters = Executors.newFixedThreadPool(2);
        long postsStarted = System.nanoTime();
        try {
            List<Future<Integer>> posts = new ArrayList<>();
            for (WarServer node : List.of(setup.jetty(), setup.tomcat())) {
                posts.add(posters.submit(() -> postUntilTold(node, rooms, reconnecting, accepted)));
            }
            Map<String, Integer> connections = new HashMap<>();
            long reconnectsStarted = System.nanoTime();
            for (int n = 1; n <= RECONNECTS; n++) {
                WarServer node = random.nextBoolean() ? setup.jetty() : setup.tomcat();
                boolean inQuery = random.nextBoolean();
                int millis = random.nextInt(LONGEST_CONNECTION_MILLIS + 1);
                String what = "connection " + n + " (" + node.name() + (inQuery ? ", ?lastEventId=" : ", Last-Event-ID")
                        + ", dropped after " + millis + " ms)";
                connections.merge(node.name() + (inQuery ? " ?lastEventId=" : " Last-Event-ID"), 1, Integer::sum);
                SseStream stream = resume(node, rooms, resumeId, inQuery);
                assertEquals(200, stream.status(), what);
                Thread.sleep(millis);
                resumeId = tally.drop(stream, what, resumeId);
            }
            long reconnectsMillis = millis(reconnectsStarted);
            reconnecting.set(false);
            int posted = 0;
            for (Future<Integer> post : posts) {
                posted += post.get(TAIL.toSeconds(), TimeUnit.SECONDS);
            }
            System.out.printf("%s%d reconnects in %d ms %s, %d posts in %d ms%n", where, RECONNECTS, reconnectsMillis,
                    connections, posted, millis(postsStarted));
        } finally {
            reconnecting.set(false);
            posters.shutdownNow();
        }

        // The tail: one more connection, on either node, kept until everything owed has come.
        long tailStarted = System.nanoTime();
        int tailConnections = 0;
        while (!tally.hasAll(accepted)) {
            if (millis(tailStarted) > TAIL.toMillis()) {
                tally.assertNoProblem(where);
                fail(where + "after " + TAIL.toSeconds() + " s of the tail, messages never arrived: "
                        + tally.missing(accepted));
            }
            tailConnections++;
            WarServer node = random.nextBoolean() ? setup.jetty() : setup.tomcat();
            String what = "tail connection " + tailConnections + " (" + node.name() + ")";
            SseStream stream = resume(node, rooms, resumeId, false);
            assertEquals(200, stream.status(), what);
            while (!tally.hasAll(accepted) && millis(tailStarted) <= TAIL.toMillis()) {
                SseParser.Event event = stream.poll(200);
                if (event != null) {
                    tally.take(event, what);
                } else if (stream.hasEnded()) {
                    break; // a replay bigger than half the buffer ends after a page; the client comes back
                }
            }
            resumeId = tally.drop(stream, what, resumeId);
        }

        tally.assertNoProblem(where);
        for (String room : rooms) {
            assertEquals(List.copyOf(accepted.get(room)), tally.received(room),
                    where + "room " + room + ": each message accepted by a POST, once, in order");
        }
        RoomCounts summary = new RoomCounts(accepted);
        assertTrue(summary.least() >= 2 * LEAST_POSTS_PER_ROOM_AND_NODE + 5, "every room got its posts: " + summary);
        System.out.printf("%s%s; %d of the %d connections got messages; the tail took %d connection(s) and %d ms;"
                + " %d refused%n", where, summary, tally.connectionsWithMessages, RECONNECTS + tailConnections,
                tailConnections, millis(tailStarted), tally.refused);
    }

    @Test
    void aStreamOfTwoRoomsGetsTheLiveMessagesOfBothInEitherContainer() throws Exception {
        for (WarServer node : List.of(setup.jetty(), setup.tomcat())) {
            List<String> rooms = List.of("pair-a-" + node.name(), "pair-b-" + node.name()); // new rooms, at 0-0
            Tally tally = new Tally(rooms);
            try (SseStream stream = SseStream.open(node.base().resolve(streamOf(rooms)))) {
                Await.until("the stream sent its position", () -> stream.lines().contains(
                        "id: " + rooms.get(0) + ":0-0," + rooms.get(1) + ":0-0"));
                List<EventId> posted = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    posted.add(post(i % 2 == 0 ? setup.jetty() : setup.tomcat(), rooms.get(i % 2), "live " + i));
                }
                for (int i = 0; i < 4; i++) {
                    tally.take(stream.next(), node.name());
                }
                tally.assertNoProblem(node.name() + ": ");
                assertEquals(List.of(posted.get(0), posted.get(2)), tally.received(rooms.get(0)));
                assertEquals(List.of(posted.get(1), posted.get(3)), tally.received(rooms.get(1)));
            }
        }
    }

    @Test
    void moreRoomsThanAStreamMayFollowIsA400BeforeTheStreamStarts() throws Exception {
        List<String> rooms = IntStream.range(0, 33).mapToObj(i -> "cap-" + i).toList();
        JsonObject error = assertJsonError(ChatHttp.get(setup.tomcat().base(), streamOf(rooms)), 400);
        assertTrue(error.get("error").getAsString().contains("32"), "it says the limit: " + error);
        assertJsonError(ChatHttp.get(setup.jetty().base(), streamOf(rooms)), 400);

        // 32 is the default CHAT_MAX_ROOMS_PER_STREAM: served, also when a 33rd name repeats one of them.
        List<String> thirtyTwoAndOneTwice = new ArrayList<>(rooms.subList(0, 32));
        thirtyTwoAndOneTwice.add(rooms.get(7));
        try (SseStream stream = SseStream.open(setup.jetty().base().resolve(streamOf(thirtyTwoAndOneTwice)))) {
            assertEquals(200, stream.status());
            assertTrue(stream.header("Content-Type").startsWith("text/event-stream"), stream.headers().toString());
            Await.until("the stream sent its position in its 32 rooms", () -> stream.lines().stream()
                    .anyMatch(line -> line.startsWith("id:") && line.split(",").length == 32));
        }
    }

    @Test
    void aRoomListedTwiceCountsOnce() throws Exception {
        try (SseStream stream = SseStream.open(setup.tomcat().base().resolve("sse?room=twice&room=twice"))) {
            stream.awaitFirstLine();
            String first = post(setup.jetty(), "twice", "one").toString();
            String second = post(setup.tomcat(), "twice", "two").toString();
            assertEquals(first, stream.next().id(), "a stream of one room: the message's own id");
            assertEquals(second, stream.next().id(), "the first message came once, then the second");
        }
    }

    @Test
    void aStreamOfOneRoomKeepsPlainIds() throws Exception {
        try (SseStream stream = SseStream.open(setup.jetty().base().resolve("sse?room=solo"))) {
            stream.awaitFirstLine();
            List<String> ids = List.of(post(setup.tomcat(), "solo", "one").toString(),
                    post(setup.jetty(), "solo", "two").toString());
            for (String id : ids) {
                SseParser.Event event = stream.next();
                assertEquals(id, event.id());
                assertEquals(id, JsonParser.parseString(event.data()).getAsJsonObject().get("id").getAsString());
            }
            assertEquals(ids.stream().map(id -> "id: " + id).toList(),
                    stream.lines().stream().filter(line -> line.startsWith("id:")).toList(),
                    "no event with only an id, and no room:id position");
        }
    }

    /** {@code sse?room=a&room=b...} */
    private static String streamOf(List<String> rooms) {
        return "sse?" + rooms.stream().map(room -> "room=" + room).collect(Collectors.joining("&"));
    }

    /** Opens the stream of the rooms again, resuming from the id as EventSource does, or as the query parameter. */
    private static SseStream resume(WarServer node, List<String> rooms, String resumeId, boolean inQuery)
            throws Exception {
        Map<String, String> headers = new LinkedHashMap<>(Map.of("Accept", "text/event-stream"));
        String target = streamOf(rooms);
        if (inQuery) {
            target += "&lastEventId=" + URLEncoder.encode(resumeId, StandardCharsets.UTF_8);
        } else {
            headers.put("Last-Event-ID", resumeId);
        }
        return SseStream.open(node.base().resolve(target), headers);
    }

    /** POST /chat; the id the answer gives, which must be 202 and name the room. */
    private static EventId post(WarServer node, String room, String text) throws Exception {
        JsonObject answer = ChatHttp.publish(node.base(), room, node.name(), text);
        assertEquals(room, answer.get("room").getAsString(), answer.toString());
        EventId id = EventId.parse(answer.get("id").getAsString());
        assertTrue(id != null, "the answer carries the message's id: " + answer);
        return id;
    }

    /** Posts into every room in turn until the reconnects are over and each room has its least; returns the count. */
    private static int postUntilTold(WarServer node, List<String> rooms, AtomicBoolean reconnecting,
            Map<String, NavigableSet<EventId>> accepted) throws Exception {
        int n = 0;
        while (reconnecting.get() || n < LEAST_POSTS_PER_ROOM_AND_NODE * rooms.size()) {
            String room = rooms.get(n % rooms.size());
            accepted.get(room).add(post(node, room, node.name() + " " + n));
            n++;
            Thread.sleep(1); // a steady flow, not a flood: the client's replays stay small
        }
        return n;
    }

    private static long millis(long since) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since);
    }

    /** The least and most messages accepted in a room, and in all. */
    private record RoomCounts(int least, int most, int total) {
        RoomCounts(Map<String, NavigableSet<EventId>> accepted) {
            this(accepted.values().stream().mapToInt(Set::size).min().orElse(0),
                    accepted.values().stream().mapToInt(Set::size).max().orElse(0),
                    accepted.values().stream().mapToInt(Set::size).sum());
        }

        @Override
        public String toString() {
            return total + " messages, " + least + " to " + most + " a room";
        }
    }

    /**
     * What the client got, room by room, checked as it comes: each message after the last one of
     * its room (else it came twice or out of order), and each event's id the stream's position
     * in every room, in the order listed, each at the newest message the client got there.
     */
    private static final class Tally {
        private final List<String> rooms;
        private final Map<String, List<EventId>> received = new HashMap<>();
        private final Map<String, Set<EventId>> receivedSets = new HashMap<>();
        private final List<String> problems = new ArrayList<>();
        private int problemCount;
        int refused;
        int connectionsWithMessages;

        Tally(List<String> rooms) {
            this.rooms = rooms;
            rooms.forEach(room -> {
                received.put(room, new ArrayList<>());
                receivedSets.put(room, new HashSet<>());
            });
        }

        List<EventId> received(String room) {
            return received.get(room);
        }

        void take(SseParser.Event event, String where) {
            switch (event.event()) {
                case "message" -> message(event, where);
                case "refused" -> refused++; // no id, nothing missed: the client comes back
                // A reset says messages may have been lost: the history (1,000 a room) always reaches back here.
                default -> problem(where + ": an event '" + event.event() + "': " + event.data());
            }
        }

        private void message(SseParser.Event event, String where) {
            JsonObject json = JsonParser.parseString(event.data()).getAsJsonObject();
            String room = json.get("room").getAsString();
            EventId id = EventId.parse(json.get("id").getAsString());
            if (!received.containsKey(room)) {
                problem(where + ": a message of a room the stream does not follow: " + event.data());
                return;
            }
            EventId last = newest(room);
            if (!id.isAfter(last)) {
                problem(where + ": in room " + room + ", " + id + (receivedSets.get(room).contains(id)
                        ? " came twice" : " came out of order") + ", after " + last);
            }
            received.get(room).add(id);
            receivedSets.get(room).add(id);
            checkPosition(event.id(), where + ", the event of " + room + " " + id);
        }

        /** The newest message of a room the client got, or 0-0, where a room stands that had no history. */
        private EventId newest(String room) {
            List<EventId> ids = received.get(room);
            return ids.isEmpty() ? EventId.ZERO : ids.get(ids.size() - 1);
        }

        private void checkPosition(String position, String where) {
            Map<String, String> expected = new LinkedHashMap<>();
            rooms.forEach(room -> expected.put(room, newest(room).toString()));
            Map<String, String> named = new LinkedHashMap<>();
            for (String pair : position == null ? new String[0] : position.split(",")) {
                int colon = pair.lastIndexOf(':');
                named.put(colon < 0 ? pair : pair.substring(0, colon), colon < 0 ? "" : pair.substring(colon + 1));
            }
            if (!expected.equals(named) || !List.copyOf(expected.keySet()).equals(List.copyOf(named.keySet()))) {
                problem(where + ": the id '" + position + "' is not the stream's position " + expected);
            }
        }

        /**
         * Drops the connection (or finds it ended), takes what it had received, and returns the id
         * the client resumes from: what a browser would send, the previous one if nothing moved it.
         */
        String drop(SseStream stream, String where, String previous) throws InterruptedException {
            stream.close();
            stream.awaitEnd(SseStream.WAIT_MILLIS);
            for (SseParser.Event event = stream.poll(0); event != null; event = stream.poll(0)) {
                take(event, where);
            }
            SseParser parser = new SseParser();
            stream.lines().forEach(parser::line);
            if (parser.events().stream().anyMatch(event -> event.event().equals("message"))) {
                connectionsWithMessages++;
            }
            String resumeId = parser.resumeId();
            if (resumeId.isEmpty()) {
                return previous;
            }
            checkPosition(resumeId, where + ", its last id");
            return resumeId;
        }

        boolean hasAll(Map<String, NavigableSet<EventId>> accepted) {
            return rooms.stream().allMatch(room -> receivedSets.get(room).containsAll(accepted.get(room)));
        }

        /** Per room, how many accepted messages never came, and the first of them. */
        String missing(Map<String, NavigableSet<EventId>> accepted) {
            Map<String, String> missing = new LinkedHashMap<>();
            for (String room : rooms) {
                List<EventId> owed = accepted.get(room).stream().filter(id -> !receivedSets.get(room).contains(id)).toList();
                if (!owed.isEmpty()) {
                    missing.put(room, owed.size() + " from " + owed.get(0));
                }
            }
            return missing.toString();
        }

        private void problem(String problem) {
            problemCount++;
            if (problems.size() < 50) {
                problems.add(problem);
            }
        }

        void assertNoProblem(String where) {
            assertTrue(problems.isEmpty(), where + problemCount + " problem(s) (the first 50):\n"
                    + String.join("\n", problems));
        }
    }
}
