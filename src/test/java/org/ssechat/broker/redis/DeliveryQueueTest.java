package org.ssechat.broker.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.ssechat.broker.BrokerListener;
import org.ssechat.chat.ChatMessage;
import org.ssechat.chat.MessageValidator;
import org.ssechat.testing.Await;

/**
 * The Redis delivery queue hands the payloads that queued up during the last fan-out to the
 * listener together, in order, and never across a marker (a resubscription, a drop).
 */
class DeliveryQueueTest {

    private final List<String> heard = Collections.synchronizedList(new ArrayList<>());
    private final CountDownLatch firstHeard = new CountDownLatch(1);
    private final CountDownLatch releaseFirst = new CountDownLatch(1);
    private DeliveryQueue queue;

    /** Records each hand-over as "[a, b]" (a batch) or "SUBSCRIBED"; holds the first until released. */
    private final BrokerListener listener = new BrokerListener() {
        @Override
        public void onMessage(ChatMessage message) {
            onMessages(List.of(message));
        }

        @Override
        public void onMessages(List<ChatMessage> messages) {
            heard.add(messages.stream().map(ChatMessage::text).toList().toString());
            firstHeard.countDown();
            try {
                releaseFirst.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void onSubscribed(boolean afterOutage) {
            heard.add("SUBSCRIBED");
        }
    };

    @AfterEach
    void stop() {
        releaseFirst.countDown();
        if (queue != null) {
            queue.stop();
        }
    }

    private static byte[] payload(String text) {
        return ("{\"text\":\"" + text + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void payloadsThatQueuedUpDuringAFanOutGoTogetherInOrderButNeverAcrossAMarker() throws Exception {
        queue = new DeliveryQueue(listener, new ChannelPayloads(new MessageValidator(1000, 32), 100),
                Clock.systemUTC(), 1 << 20);
        queue.offer(payload("a"));
        assertTrue(firstHeard.await(10, TimeUnit.SECONDS));
        // While "a" is being fanned out:
        for (String text : List.of("b", "c", "d")) {
            queue.offer(payload(text));
        }
        queue.offer(payload("x".repeat(200))); // over the payload limit: skipped alone, the others still go
        queue.offer(payload("e"));
        queue.subscribed(true);
        queue.offer(payload("f"));
        queue.offer(payload("g"));
        long waiting = 7 * payload("b").length + payload("x".repeat(200)).length; // "a" in its fan-out, b to g, the long one
        assertEquals(waiting, queue.bytes(), "a payload counts until its fan-out is over");
        releaseFirst.countDown();
        Await.until("everything heard", () -> heard.size() == 4);
        assertEquals(List.of("[a]", "[b, c, d, e]", "SUBSCRIBED", "[f, g]"), heard);
        Await.until("what was handed on left the queue's count", () -> queue.bytes() == 0);
    }
}
