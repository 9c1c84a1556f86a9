package org.ssechat.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.ssechat.testing.ChatHttp;
import org.ssechat.testing.SseStream;
import org.ssechat.testing.WarServer;

/** The built WAR, unchanged, in stock Tomcat 10.1, Tomcat 11 and Jetty 12 as users run them. */
class StockContainersIT {

    private static final long START_MILLIS = 60_000;
    /** Leak warnings Tomcat writes when an application leaves threads or references behind. */
    private static final List<String> LEAK_WARNINGS = List.of(
            "appears to have started a thread", "failed to stop it", "memory leak", "ThreadLocal with key");

    @ParameterizedTest
    @EnumSource(StockContainer.Kind.class)
    void theSameWarServesAtTheRootAndUnderSseChatAndStopsPromptly(StockContainer.Kind kind) throws Exception {
        Path war = WarServer.war();
        try (StockContainer container = kind.create()) {
            container.deploy(war, "ROOT.war");
            container.deploy(war, "sse-chat.war");
            boolean tomcat = container instanceof StockContainer.StockTomcat;
            if (tomcat) {
                ((StockContainer.StockTomcat) container).contextParameter("sse-chat.xml", "CHAT_RETRY_MILLIS", "3333");
            }
            // The same setting three ways: the context parameter beats the system property, which beats the environment.
            container.start(Map.of("CHAT_RETRY_MILLIS", "1111"), Map.of("CHAT_RETRY_MILLIS", "2222"));
            container.awaitStatus("/", "health", 200, START_MILLIS);
            container.awaitStatus("/sse-chat", "health", 200, START_MILLIS);

            useOnce(container.base("/"), "2222");
            useOnce(container.base("/sse-chat"), tomcat ? "3333" : "2222");

            try (SseStream open = SseStream.open(container.base("/sse-chat").resolve("sse"))) {
                open.awaitFirstLine();
                Thread stopper = new Thread(() -> {
                    try {
                        container.stop();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                stopper.start();
                open.awaitEnd(5000); // "promptly": the container's stop does not wait on the stream
                stopper.join(30_000);
            }
            assertNoLeakWarnings(container);
        }
    }

    @ParameterizedTest
    @EnumSource(value = StockContainer.Kind.class, names = {"TOMCAT_10", "TOMCAT_11"})
    void undeployingEndsTheStreamsAndRedeployingWorksWithoutLeaks(StockContainer.Kind kind) throws Exception {
        Path war = WarServer.war();
        try (StockContainer container = kind.create()) {
            container.deploy(war, "sse-chat.war");
            container.start(Map.of(), Map.of());
            container.awaitStatus("/sse-chat", "health", 200, START_MILLIS);
            URI base = container.base("/sse-chat");
            SseStream chat = SseStream.open(base.resolve("sse"));
            SseStream clock = SseStream.open(base.resolve("time"));
            chat.awaitFirstLine();
            clock.next();

            Files.delete(container.webapps().resolve("sse-chat.war")); // undeploy, as an operator does
            chat.awaitEnd(10_000);
            clock.awaitEnd(10_000);
            container.awaitStatus("/sse-chat", "health", 404, 20_000);

            container.deploy(war, "sse-chat.war"); // and deploy again
            container.awaitStatus("/sse-chat", "health", 200, START_MILLIS);
            useOnce(base, "3000");

            container.stop();
            assertNoLeakWarnings(container);
        }
    }

    /** Streams /sse and /time, posts to /chat and sees the message arrive. */
    private static void useOnce(URI base, String expectedRetry) throws Exception {
        try (SseStream chat = SseStream.open(base.resolve("sse?room=deploy"));
                SseStream clock = SseStream.open(base.resolve("time"))) {
            assertEquals(200, chat.status());
            chat.awaitFirstLine();
            assertEquals("retry: " + expectedRetry, chat.lines().get(0), "the setting that wins, at " + base);
            Instant.parse(clock.next().data());
            String id = ChatHttp.publish(base, "deploy", "ops", "deployed at " + base).get("id").getAsString();
            var event = chat.next();
            assertEquals(id, event.id());
            assertEquals("deployed at " + base,
                    JsonParser.parseString(event.data()).getAsJsonObject().get("text").getAsString());
        }
    }

    private static void assertNoLeakWarnings(StockContainer container) throws Exception {
        String log = container.console();
        for (String warning : LEAK_WARNINGS) {
            assertTrue(!log.contains(warning), container + " logged '" + warning + "':\n" + log);
        }
    }
}
