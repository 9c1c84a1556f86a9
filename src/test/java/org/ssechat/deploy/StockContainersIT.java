package org.ssechat.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.ssechat.testing.Await;
import org.ssechat.testing.ChatHttp;
import org.ssechat.testing.RawHttp;
import org.ssechat.testing.RedisServer;
import org.ssechat.testing.SseStream;
import org.ssechat.testing.WarServer;

/**
 * The built WAR, unchanged, in stock Tomcat 10.1, Tomcat 11 and Jetty 12 as their users run
 * them. The containers are separate processes, so the tests run side by side.
 */
@Execution(ExecutionMode.SAME_THREAD) // not beside other test classes; its containers beside each other
class StockContainersIT {

    private static final long START_MILLIS = 60_000;
    /**
     * "Promptly": how long open streams may take to end once the container is told to stop or
     * a WAR is touched or deleted. Tomcat takes up to 2 s to act on a changed WAR (it polls every
     * second, and waits for the file to be a second old), then waits its Context unloadDelay
     * (2 s) for open requests, and an SSE stream is one, before it stops the application.
     */
    private static final long STREAM_END_MILLIS = 8_000;
    private static final String WAR_FILE = "sse-chat.war";

    @ParameterizedTest
    @EnumSource(StockContainer.Kind.class)
    @Execution(ExecutionMode.CONCURRENT)
    void theSameWarServesAtTheRootAndUnderSseChatWithSettingsGivenEachWay(StockContainer.Kind kind) throws Exception {
        Path war = WarServer.war();
        try (StockContainer container = kind.create()) {
            container.deploy(war, "ROOT.war");
            container.contextParameter(WAR_FILE, "CHAT_RETRY_MILLIS", "3333");
            container.deploy(war, WAR_FILE);
            // One setting given three ways: the context parameter (sse-chat only) beats the
            // system property, which beats the environment variable. Another one only in the
            // environment: a heartbeat every second instead of every 15.
            container.start(Map.of("CHAT_RETRY_MILLIS", "1111", "CHAT_HEARTBEAT_SECONDS", "1"),
                    Map.of("CHAT_RETRY_MILLIS", "2222"));
            container.awaitStatus("/", "health", 200, START_MILLIS);
            container.awaitStatus("/sse-chat", "health", 200, START_MILLIS);

            List<SseStream> atRoot = chatAndClockWork(container.base("/"), "retry: 2222");
            List<SseStream> underSseChat = chatAndClockWork(container.base("/sse-chat"), "retry: 3333");
            awaitLine(underSseChat.get(0), ": keep-alive", 5_000, "the heartbeat set by the environment variable");

            CompletableFuture<Boolean> stopped = CompletableFuture.supplyAsync(() -> {
                try {
                    return container.stop();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            });
            // A whole server stop closes the connections too: Jetty before it stops the applications,
            // Tomcat right after, which can overtake the completion of the last application's streams.
            awaitEnd(concat(atRoot, underSseChat), "stopping the container", false);
            assertTrue(stopped.get(), container + " did not exit by itself after SIGTERM");
            assertNoProblemsLogged(container);
        }
    }

    /** The connector attributes docs/deployment.md gives for many streams in Tomcat, word for word. */
    static final String MANY_STREAMS_CONNECTOR = "maxConnections=\"20000\" socket.appReadBufSize=\"1024\" "
            + "socket.appWriteBufSize=\"4096\" maxHttpHeaderSize=\"4096\"";

    /** Tomcat as docs/deployment.md says to run it for many streams: those connector settings, and the cap they go with. */
    @ParameterizedTest
    @EnumSource(value = StockContainer.Kind.class, names = {"TOMCAT_10", "TOMCAT_11"})
    @Execution(ExecutionMode.CONCURRENT)
    void tomcatWithTheDocumentedSettingsForManyStreamsServesStreamsAndPosts(StockContainer.Kind kind) throws Exception {
        assertTrue(Files.readString(Path.of("docs/deployment.md")).contains(MANY_STREAMS_CONNECTOR),
                "docs/deployment.md shows these connector settings: " + MANY_STREAMS_CONNECTOR);
        try (StockContainer container = kind.create()) {
            ((StockTomcat) container).connectorAttributes(MANY_STREAMS_CONNECTOR);
            container.jvmOptions("-Xmx256m");
            container.deploy(WarServer.war(), "ROOT.war");
            container.start(Map.of(), Map.of("CHAT_MAX_CLIENTS", "3000"));
            container.awaitStatus("/", "health", 200, START_MILLIS);
            assertEquals(3000, ChatHttp.health(container.base("/")).get("maxStreams").getAsInt());
            List<SseStream> streams = chatAndClockWork(container.base("/"), "retry: 3000");
            streams.forEach(SseStream::close);
            assertTrue(container.stop(), container + " did not exit by itself after SIGTERM");
            assertNoProblemsLogged(container);
        }
    }

    /**
     * A client that closes its connection is seen gone without a write in each stock container
     * too (in Jetty the stream's watch reads the connection through Jetty's endpoint, which a
     * webapp can reach only by reflection): with the heartbeat a minute away and no message, the
     * closed streams leave within a few sweeps, and the open ones get the next message.
     */
    @ParameterizedTest
    @EnumSource(StockContainer.Kind.class)
    @Execution(ExecutionMode.CONCURRENT)
    void streamsWhoseClientsCloseTheirConnectionLeaveWithoutAWrite(StockContainer.Kind kind) throws Exception {
        try (StockContainer container = kind.create()) {
            container.deploy(WarServer.war(), "ROOT.war");
            container.start(Map.of("CHAT_HEARTBEAT_SECONDS", "60"), Map.of());
            container.awaitStatus("/", "health", 200, START_MILLIS);
            URI base = container.base("/");
            List<SseStream> streams = new ArrayList<>();
            try {
                SseStream.openEach(base.resolve("sse?room=closing"), 20, streams);
                streams.subList(0, 15).forEach(SseStream::close);
                Await.until("the 15 closed streams left " + container + " with no write made to them", Duration.ofSeconds(6),
                        () -> ChatHttp.health(base).get("clients").getAsInt(), count -> count == 5);
                String id = ChatHttp.publish(base, "closing", "ops", "to those still here").get("id").getAsString();
                for (SseStream open : streams.subList(15, 20)) {
                    assertEquals(id, open.next().id());
                }
            } finally {
                streams.forEach(SseStream::close);
            }
            assertTrue(container.stop(), container + " did not exit by itself after SIGTERM");
            assertNoProblemsLogged(container);
        }
    }

    @ParameterizedTest(name = "{0} with the {1} broker")
    @CsvSource({"TOMCAT_10, memory", "TOMCAT_11, redis"})
    @Execution(ExecutionMode.CONCURRENT)
    void redeployingAndUndeployingEndTheOpenStreamsAndLeaveNothingBehind(StockContainer.Kind kind, String broker)
            throws Exception {
        Path war = WarServer.war();
        try (RedisServer redis = broker.equals("redis") ? RedisServer.start() : null;
                StockContainer container = kind.create()) {
            Map<String, String> environment = new HashMap<>();
            if (redis != null) {
                environment.put("REDIS_URL", redis.url());
            }
            container.deploy(war, WAR_FILE);
            container.start(environment, Map.of());
            container.awaitStatus("/sse-chat", "health", 200, START_MILLIS);
            URI base = container.base("/sse-chat");

            // Redeploy the same file while clients listen: their streams end, new clients reach the new instance.
            List<SseStream> clients = chatAndClockWork(base, "retry: 3000");
            container.touch(WAR_FILE);
            awaitEnd(clients, "touching the WAR", true);
            container.awaitStatus("/sse-chat", "health", 200, START_MILLIS);

            // Undeploy while clients listen: their streams end, and the application leaves no connection open.
            clients = chatAndClockWork(base, "retry: 3000");
            container.undeploy(WAR_FILE);
            awaitEnd(clients, "deleting the WAR", true);
            container.awaitStatus("/sse-chat", "health", 404, START_MILLIS);
            if (redis != null) {
                awaitNoOtherRedisClients(redis);
            }

            container.deploy(war, WAR_FILE);
            container.awaitStatus("/sse-chat", "health", 200, START_MILLIS);
            chatAndClockWork(base, "retry: 3000");
            assertTrue(container.stop(), container + " did not exit by itself after SIGTERM");
            // Two undeployments and a stop: Tomcat looks for leaked threads and ThreadLocals at each.
            assertEquals(3, container.log().consoleLinesWith("ChatContextListener.contextDestroyed sse-chat stopped"),
                    "sse-chat stopped three times, in " + container.log().text());
            assertNoProblemsLogged(container);
        }
    }

    /** The deployments the Jetty test goes through: the class loader of each must be gone at the end. */
    private static final int JETTY_DEPLOYMENTS = 3;
    /** Jetty's class loader of one web application. */
    private static final String JETTY_WEBAPP_LOADER = "org.eclipse.jetty.ee10.webapp.WebAppClassLoader";
    /** 4,000 bytes of UTF-8: more than a stream's response buffer, so Jetty gets the frame whole (LargeFrames). */
    private static final String LARGE_TEXT = "\u00e9".repeat(2000);

    /**
     * Jetty's undeploy and redeploy (its deployer looks at webapps/ every second): each time the
     * open streams end, and once the WAR is gone the JVM keeps none of its class loaders and none
     * of its threads. Each deployment sends large messages, live and replayed from history, so
     * Jetty's own threads write frames whole: anything of the application's kept on those
     * threads (a thread-local) or on Jetty's classes (a class value) would keep its class loader,
     * and with it every class of the WAR, for as long as they live. Jetty's own connections keep
     * the context they last served too (each caches its ServletChannel) for as long as they are
     * open, so every connection here ends with its exchange: the streams are closed once ended,
     * and the posts say {@code Connection: close}.
     */
    @Test
    @Execution(ExecutionMode.CONCURRENT)
    void undeployingAndRedeployingInJettyLeavesNoClassLoaderAndNoThreadBehind() throws Exception {
        Path war = WarServer.war();
        try (StockContainer container = StockContainer.Kind.JETTY_12.create()) {
            ((StockJetty) container).property("jetty.deploy.scanInterval", "1");
            container.deploy(war, WAR_FILE);
            container.start(Map.of(), Map.of());
            URI base = container.base("/sse-chat");
            for (int deployment = 1; deployment <= JETTY_DEPLOYMENTS; deployment++) {
                container.awaitStatus("/sse-chat", "health", 200, START_MILLIS);
                List<SseStream> clients = largeMessagesWork(base);
                container.undeploy(WAR_FILE);
                awaitEnd(clients, "deleting the WAR", true);
                clients.forEach(SseStream::close);
                container.awaitStatus("/sse-chat", "health", 404, START_MILLIS);
                if (deployment < JETTY_DEPLOYMENTS) {
                    container.deploy(war, WAR_FILE);
                }
            }
            Await.until("no class loader and no thread of an undeployed sse-chat is left in " + container,
                    Duration.ofSeconds(10), () -> leftBehind(container), String::isEmpty);
            assertTrue(container.stop(), container + " did not exit by itself after SIGTERM");
            assertEquals(JETTY_DEPLOYMENTS, container.log().consoleLinesWith("sse-chat stopped"),
                    "sse-chat stopped at each undeployment, in " + container.log().text());
            assertNoProblemsLogged(container);
        }
    }

    /** POST /chat on a connection that ends with the answer; returns the message's id. */
    private static String publishOnItsOwnConnection(URI base, String room, String text) throws Exception {
        JsonObject message = new JsonObject();
        message.addProperty("room", room);
        message.addProperty("user", "ops");
        message.addProperty("text", text);
        byte[] body = message.toString().getBytes(StandardCharsets.UTF_8);
        try (RawHttp http = RawHttp.connect(base.resolve("chat"), null)) {
            http.send("POST", Map.of("Content-Type", "application/json", "Content-Length", String.valueOf(body.length),
                    "Connection", "close"));
            http.write(body);
            RawHttp.Head head = http.readHead(RawHttp.WAIT_MILLIS);
            String answer = http.readBody(head);
            assertEquals(202, head.status(), answer);
            return JsonParser.parseString(answer).getAsJsonObject().get("id").getAsString();
        }
    }

    /** What the undeployed applications left in Jetty's JVM, after a full collection: "" when nothing. */
    private static String leftBehind(StockContainer container) throws Exception {
        HeapHistogram heap = container.heapHistogram();
        long loaders = heap.instances(JETTY_WEBAPP_LOADER);
        List<String> threads = container.threadNames().stream().filter(name -> name.startsWith("sse-chat")).toList();
        return loaders == 0 && threads.isEmpty() ? ""
                : loaders + " class loader(s), these live objects of sse-chat: " + heap.instancesIn("org.ssechat.")
                        + ", these threads: " + threads;
    }

    /**
     * Two large messages reach a stream open before them, then a new stream gets both from the
     * history; returns the two streams, still open, for the undeployment to end.
     */
    private static List<SseStream> largeMessagesWork(URI base) throws Exception {
        SseStream live = SseStream.open(base.resolve("sse?room=large"));
        live.awaitFirstLine();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            ids.add(publishOnItsOwnConnection(base, "large", LARGE_TEXT));
            var event = live.next();
            assertEquals(ids.get(i), event.id());
            assertEquals(LARGE_TEXT, JsonParser.parseString(event.data()).getAsJsonObject().get("text").getAsString());
        }
        SseStream replayed = SseStream.open(base.resolve("sse?room=large&history=2"));
        for (String id : ids) {
            var event = replayed.next();
            assertEquals(id, event.id(), "replayed from history");
            assertEquals(LARGE_TEXT, JsonParser.parseString(event.data()).getAsJsonObject().get("text").getAsString());
        }
        return List.of(live, replayed);
    }

    /**
     * Streams /sse and /time, posts to /chat and sees the message arrive; returns the two
     * streams, still open, for the container to end. (Clients here never drop their connection
     * just before others open theirs: in Tomcat that sometimes gets the new /time stream cut
     * off, a fault of its own outside deployment.)
     */
    private static List<SseStream> chatAndClockWork(URI base, String expectedRetryLine) throws Exception {
        SseStream chat = SseStream.open(base.resolve("sse?room=deploy"));
        SseStream clock = SseStream.open(base.resolve("time"));
        assertEquals(200, chat.status(), base + "sse");
        assertEquals(expectedRetryLine, chat.awaitFirstLine(), "the setting that wins, at " + base);
        Instant.parse(clock.next().data());
        String text = "deployed at " + base;
        String id = ChatHttp.publish(base, "deploy", "ops", text).get("id").getAsString();
        var event = chat.next();
        assertEquals(id, event.id());
        assertEquals(text, JsonParser.parseString(event.data()).getAsJsonObject().get("text").getAsString());
        return List.of(chat, clock);
    }

    private static List<SseStream> concat(List<SseStream> first, List<SseStream> second) {
        return Stream.concat(first.stream(), second.stream()).toList();
    }

    /**
     * Waits until every stream has ended. With {@code completed}, each must have been completed
     * by the application (the response's last chunk arrived), not cut off by the container, as
     * both containers do with requests a stopped application left open.
     */
    private static void awaitEnd(List<SseStream> streams, String after, boolean completed) throws InterruptedException {
        Await.until("every open stream ended after " + after, Duration.ofMillis(STREAM_END_MILLIS),
                () -> streams.stream().allMatch(SseStream::hasEnded));
        for (SseStream stream : streams) {
            if (completed && !stream.hasEndedCleanly()) {
                fail("an open stream was cut off, not completed by the application, on " + after + ": " + stream.lines());
            }
        }
    }

    private static void awaitLine(SseStream stream, String line, long millis, String what) throws InterruptedException {
        Await.until(what + ": a '" + line + "' line", Duration.ofMillis(millis), stream::lines, lines -> lines.contains(line));
    }

    /** Every connection the undeployed application opened to Redis is closed: only ours is left. */
    private static void awaitNoOtherRedisClients(RedisServer redis) throws InterruptedException {
        try (var jedis = redis.client()) {
            String own = "id=" + jedis.clientId() + " ";
            Await.until("the undeployed application closed its Redis connections", Duration.ofMillis(STREAM_END_MILLIS),
                    () -> jedis.clientList().lines().filter(client -> !client.startsWith(own))
                            .map(client -> client.replaceAll("^.*?(addr=\\S+).*?(name=\\S*).*$", "$2 $1")).toList(),
                    List::isEmpty);
        }
    }

    private static void assertNoProblemsLogged(StockContainer container) {
        List<String> problems = container.log().problems();
        if (!problems.isEmpty()) {
            fail(container + " logged leaks or warnings about sse-chat:\n" + String.join("\n", problems)
                    + "\n\nThe whole log:\n" + container.log().text());
        }
    }
}
