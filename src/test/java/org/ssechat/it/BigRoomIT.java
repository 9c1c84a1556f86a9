package org.ssechat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.ssechat.testing.Await;
import org.ssechat.testing.ChatHttp;
import org.ssechat.testing.SseStream;
import org.ssechat.testing.WarServer;

/**
 * A room big enough for its fan-out to be shared by several threads (CHAT_FANOUT_THREADS):
 * every stream still gets every message once and in order, in the real containers.
 */
class BigRoomIT {

    private static final int STREAMS = 400;
    private static final int MESSAGES = 30;

    @ParameterizedTest
    @EnumSource(WarServer.Kind.class)
    void everyStreamOfABigRoomGetsEveryMessageOnceAndInOrder(WarServer.Kind kind) throws Exception {
        Map<String, String> settings = Map.of("CHAT_FANOUT_THREADS", "3", "CHAT_RATE_LIMIT_PER_SECOND", "0",
                "CHAT_MAX_STREAMS_PER_ADDRESS", "0"); // every stream comes from this one test
        try (WarServer server = kind.start("/sse-chat", settings)) {
            URI base = server.base();
            List<SseStream> streams = new ArrayList<>();
            try {
                for (int i = 0; i < STREAMS; i++) {
                    streams.add(SseStream.open(base.resolve("sse?room=big")));
                }
                Await.until("/health counts " + STREAMS + " clients",
                        () -> ChatHttp.health(base).get("clients").getAsInt(), n -> n == STREAMS);
                List<String> published = new ArrayList<>();
                for (int m = 0; m < MESSAGES; m++) {
                    published.add(ChatHttp.publish(base, "big", "ann", "message " + m).get("id").getAsString());
                }
                for (SseStream stream : streams) {
                    List<String> received = new ArrayList<>();
                    for (int m = 0; m < MESSAGES; m++) {
                        received.add(stream.next().id());
                    }
                    assertEquals(published, received, "one stream of " + STREAMS + " in " + server.name());
                }
            } finally {
                streams.forEach(SseStream::close);
            }
        }
    }
}
