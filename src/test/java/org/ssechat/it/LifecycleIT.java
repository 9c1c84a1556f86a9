package org.ssechat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.ssechat.it.ChatServerContract.awaitTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
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
            if (redis != null) {
                settings.put("REDIS_URL", redis.url());
            }
            WarServer server = kind.start("/sse-chat", settings);
            SseStream chat = SseStream.open(server.base().resolve("sse"));
            SseStream clock = SseStream.open(server.base().resolve("time"));
            awaitTrue("the application's threads run", () -> applicationThreads().isEmpty() ? 0 : 1);

            server.close();

            chat.awaitEnd(5000);
            clock.awaitEnd(5000);
            assertEquals(List.of(), applicationThreads(), "threads of the application outlived it");
        }
    }

    private static List<String> applicationThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(name -> name.startsWith("sse-chat"))
                .sorted()
                .toList();
    }
}
