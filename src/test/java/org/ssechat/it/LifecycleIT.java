package org.ssechat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.ssechat.testing.Await;
import org.ssechat.testing.RedisServer;
import org.ssechat.testing.SseStream;
import org.ssechat.testing.WarServer;

/** Stopping the web application ends every stream and leaves no thread of it behind. */
class LifecycleIT {

    @ParameterizedTest(name = "{0} with the {1} broker")
    @CsvSource({"JETTY, memory", "TOMCAT, memory", "JETTY, redis", "TOMCAT, redis"})
    void stoppingEndsEveryStreamAndEveryThread(WarServer.Kind kind, String broker) throws Exception {
        try (RedisServer redis = broker.equals("redis") ? RedisServer.start() : null) {
            Map<String, String> settings = new HashMap<>();
            settings.put("CHAT_FANOUT_THREADS", "3"); // helper threads too, on any machine
            if (redis != null) {
                settings.put("REDIS_URL", redis.url());
            }
            // Only this test's threads: another test's leak must not be blamed on this one.
            Set<Thread> before = Set.copyOf(Thread.getAllStackTraces().keySet());
            WarServer server = kind.start("/sse-chat", settings);
            try (SseStream chat = SseStream.open(server.base().resolve("sse"));
                    SseStream clock = SseStream.open(server.base().resolve("time"))) {
                chat.awaitFirstLine();
                clock.next();
                Await.until("the application's threads run", () -> applicationThreads(before).containsAll(
                        List.of("sse-chat-fanout-1", "sse-chat-fanout-2", "sse-chat-scheduler")));

                server.close();

                chat.awaitEnd(5000);
                clock.awaitEnd(5000);
            }
            assertEquals(List.of(), applicationThreads(before), "threads of the application outlived it");
        }
    }

    /** The live threads named like the application's ("sse-chat-scheduler", ...), less those given. */
    private static List<String> applicationThreads(Set<Thread> excluded) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .filter(thread -> !excluded.contains(thread))
                .map(Thread::getName)
                .filter(name -> name.startsWith("sse-chat"))
                .sorted()
                .toList();
    }
}
