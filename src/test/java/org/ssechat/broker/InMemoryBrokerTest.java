package org.ssechat.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.ssechat.chat.ChatMessage;

class InMemoryBrokerTest {

    @Test
    void publishingAssignsAnIdAndDeliversTheSameMessage() {
        InMemoryBroker broker = new InMemoryBroker(Clock.fixed(Instant.ofEpochMilli(5000), ZoneOffset.UTC));
        List<ChatMessage> delivered = new ArrayList<>();
        broker.start(delivered::add);
        ChatMessage published = broker.publish(new ChatMessage(null, "r", "ann", "hi", Instant.EPOCH));
        assertEquals("5000-0", published.id());
        assertEquals(List.of(published), delivered);
    }

    @Test
    void idsIncreaseWithinAMillisecondAndWhenTheClockStepsBack() {
        MessageIds ids = new MessageIds();
        assertEquals("100-0", ids.next(100));
        assertEquals("100-1", ids.next(100));
        assertEquals("100-2", ids.next(99));
        assertEquals("101-0", ids.next(101));
    }

    @Test
    void afterCloseNothingIsDelivered() {
        InMemoryBroker broker = new InMemoryBroker(Clock.systemUTC());
        List<ChatMessage> delivered = new ArrayList<>();
        broker.start(delivered::add);
        broker.close();
        broker.publish(new ChatMessage(null, "r", "ann", "hi", Instant.EPOCH));
        assertEquals(List.of(), delivered);
    }
}
