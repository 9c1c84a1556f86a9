package org.ssechat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonObject;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.ssechat.testing.Await;
import org.ssechat.testing.ChatHttp;
import org.ssechat.testing.RedisServer;
import org.ssechat.testing.SseStream;
import org.ssechat.testing.TcpProxy;
import org.ssechat.testing.WarServer;

/**
 * One node loses Redis while another goes on publishing: when it is back, its streams get what
 * was published meanwhile, also in a room whose history was empty when they opened (review
 * item 9: such a stream had no position to catch up from, and the room was skipped).
 */
class SubscriptionOutageIT {

    @ParameterizedTest
    @EnumSource(WarServer.Kind.class)
    void aStreamOpenedOnAnEmptyRoomGetsWhatWasPublishedElsewhereDuringAnOutage(WarServer.Kind kind) throws Exception {
        try (RedisServer redis = RedisServer.start(); TcpProxy toRedis = new TcpProxy(redis.port())) {
            try (WarServer cutOff = kind.start("/sse-chat", Map.of("REDIS_URL", "redis://127.0.0.1:" + toRedis.port(),
                            "CHAT_RATE_LIMIT_PER_SECOND", "0"));
                    WarServer other = WarServer.Kind.JETTY.start("/sse-chat", Map.of("REDIS_URL", redis.url(),
                            "CHAT_RATE_LIMIT_PER_SECOND", "0"))) {
                awaitStatus(cutOff.base(), "UP");
                awaitStatus(other.base(), "UP");
                try (SseStream stream = SseStream.open(cutOff.base().resolve("sse?room=empty-until-now"))) {
                    stream.awaitFirstLine();
                    toRedis.cut();
                    awaitStatus(cutOff.base(), "DOWN");
                    JsonObject meanwhile = ChatHttp.publish(other.base(), "empty-until-now", "bob", "while you were away");
                    toRedis.restore();
                    awaitStatus(cutOff.base(), "UP");
                    assertEquals(meanwhile.get("id").getAsString(), stream.next().id(),
                            "the message published during the outage is caught up");
                    JsonObject after = ChatHttp.publish(other.base(), "empty-until-now", "bob", "and after");
                    assertEquals(after.get("id").getAsString(), stream.next().id());
                }
            }
        }
    }

    private static void awaitStatus(URI base, String status) throws InterruptedException {
        Await.until("/health at " + base + " says " + status,
                () -> ChatHttp.health(base).get("status").getAsString().equals(status));
    }
}
