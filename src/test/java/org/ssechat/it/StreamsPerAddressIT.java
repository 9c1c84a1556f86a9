package org.ssechat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonObject;
import java.net.InetAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.ssechat.testing.Await;
import org.ssechat.testing.ChatHttp;
import org.ssechat.testing.Refusals;
import org.ssechat.testing.SseStream;
import org.ssechat.testing.WarServer;

/**
 * One client address cannot take every stream of a node (hostile pattern 2): past
 * {@code CHAT_MAX_STREAMS_PER_ADDRESS} open streams, chat and clock together, its next stream is
 * refused in the form EventSource retries, while other addresses are served as before.
 */
class StreamsPerAddressIT {

    private static final int CAP = 3;

    @ParameterizedTest
    @EnumSource(WarServer.Kind.class)
    void anAddressPastItsCapIsRefusedInARetryableFormAndOthersAreServed(WarServer.Kind kind) throws Exception {
        InetAddress greedy = InetAddress.getByName("127.0.0.2");
        InetAddress other = InetAddress.getByName("127.0.0.3");
        try (WarServer server = kind.start("/sse-chat", Map.of(
                "CHAT_MAX_STREAMS_PER_ADDRESS", String.valueOf(CAP), "CHAT_HEARTBEAT_SECONDS", "1"))) {
            URI base = server.base();
            List<SseStream> held = new ArrayList<>();
            try {
                held.add(open(base.resolve("sse?room=a"), greedy));
                held.add(open(base.resolve("sse?room=b"), greedy));
                held.add(open(base.resolve("time"), greedy));
                for (String path : List.of("sse?room=a", "time")) {
                    try (SseStream refused = SseStream.open(base.resolve(path), Map.of("Accept", "text/event-stream"), greedy)) {
                        Refusals.assertRefused(refused, "address");
                    }
                }
                assertEquals(CAP, ChatHttp.health(base).get("clients").getAsInt()
                        + ChatHttp.health(base).get("clockClients").getAsInt(), "the greedy address holds its cap, no more");
                try (SseStream served = open(base.resolve("sse?room=a"), other)) {
                    JsonObject published = ChatHttp.publish(base, "a", "ann", "for everyone in a");
                    assertEquals(published.get("id").getAsString(), served.next().id());
                    assertEquals(published.get("id").getAsString(), held.get(0).next().id());
                }
            } finally {
                held.get(0).close();
            }
            // Once one of its streams is gone (noticed within a heartbeat), the address may open one again.
            Await.until("the address may open a stream again", () -> {
                try (SseStream again = SseStream.open(base.resolve("sse?room=a"), Map.of(), greedy)) {
                    again.awaitFirstLine();
                    return again.lines().get(0).startsWith("retry:") && again.poll(300) == null && !again.hasEnded();
                }
            });
            held.forEach(SseStream::close);
            System.out.printf("[hostile 2] %s: cap %d per address; the next one refused, other addresses served%n",
                    server.name(), CAP);
        }
    }

    private static SseStream open(URI uri, InetAddress from) throws Exception {
        SseStream stream = SseStream.open(uri, Map.of("Accept", "text/event-stream"), from);
        assertEquals(200, stream.status());
        stream.awaitFirstLine();
        return stream;
    }
}
