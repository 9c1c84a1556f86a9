package org.ssechat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.ssechat.testing.Await;
import org.ssechat.testing.ChatHttp;
import org.ssechat.testing.RawHttp;
import org.ssechat.testing.SseStream;
import org.ssechat.testing.WarServer;

/**
 * {@code HEAD /sse} and {@code HEAD /time} answer a stream's headers at once and hold nothing:
 * the servlet API's default HEAD runs GET into a body-less response, which would start a real
 * stream whose writes never fail, so no heartbeat would ever find it (hostile pattern 1).
 */
class HeadRequestsIT {

    private static final int REQUESTS = 50;

    @ParameterizedTest
    @EnumSource(WarServer.Kind.class)
    void headAnswersTheStreamsHeadersAndLeavesNothingOpen(WarServer.Kind kind) throws Exception {
        try (WarServer server = kind.start("/sse-chat", Map.of("CHAT_HEARTBEAT_SECONDS", "1"))) {
            URI base = server.base();
            List<RawHttp> heads = new ArrayList<>();
            try {
                for (int i = 0; i < REQUESTS; i++) {
                    RawHttp head = RawHttp.connect(base.resolve(i % 2 == 0 ? "sse?room=heads" : "time"), null)
                            .send("HEAD", Map.of("Accept", "text/event-stream"));
                    RawHttp.Head answer = head.readHead(2000);
                    assertEquals(200, answer.status());
                    assertEquals("text/event-stream;charset=utf-8",
                            answer.header("Content-Type").toLowerCase(Locale.ROOT).replace(" ", ""));
                    heads.add(head);
                }
                // A real stream beside them: the node still counts streams, and only real ones.
                try (SseStream stream = SseStream.open(base.resolve("sse?room=heads"))) {
                    stream.awaitFirstLine();
                    assertEquals(1, ChatHttp.health(base).get("clients").getAsInt(), "only the real stream is held");
                    assertEquals(0, ChatHttp.health(base).get("clockClients").getAsInt(), "no HEAD /time is held");
                }
            } finally {
                heads.forEach(RawHttp::close);
            }
            // Well past a heartbeat: nothing a HEAD started may still be registered.
            Await.until("no stream is held", () -> ChatHttp.health(base).get("clients").getAsInt() == 0
                    && ChatHttp.health(base).get("clockClients").getAsInt() == 0);
            System.out.printf("[hostile 1] %s: %d HEAD requests answered at once; streams held after them: %s%n",
                    server.name(), REQUESTS, ChatHttp.health(base));
        }
    }
}
