package org.ssechat.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.ssechat.chat.ChatMessage;
import org.ssechat.sse.EventId;

class InMemoryBrokerTest {

    private static InMemoryBroker broker(int historySize, Clock clock) {
        return new InMemoryBroker(historySize, 1L << 30, clock);
    }

    @Test
    void publishingAssignsAnIdAndDeliversTheSameMessage() {
        InMemoryBroker broker = broker(3, Clock.fixed(Instant.ofEpochMilli(5000), ZoneOffset.UTC));
        List<ChatMessage> delivered = new ArrayList<>();
        broker.start(delivered::add);
        ChatMessage published = broker.publish(new ChatMessage(null, "r", "ann", "hi", Instant.EPOCH));
        assertEquals(new EventId(5000, 0), published.id());
        assertEquals(List.of(published), delivered);
    }

    @Test
    void idsIncreaseWithinAMillisecondAndWhenTheClockStepsBack() {
        MessageIds ids = new MessageIds();
        assertEquals(new EventId(100, 0), ids.next(100));
        assertEquals(new EventId(100, 1), ids.next(100));
        assertEquals(new EventId(100, 2), ids.next(99));
        assertEquals(new EventId(101, 0), ids.next(101));
    }

    @Test
    void eachRoomKeepsItsNewestMessagesInOrder() {
        InMemoryBroker broker = broker(3, Clock.systemUTC());
        List<EventId> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(broker.publish(new ChatMessage(null, "r", "ann", "m" + i, Instant.EPOCH)).id());
            broker.publish(new ChatMessage(null, "other", "ann", "x" + i, Instant.EPOCH));
        }
        HistorySlice newest = broker.history("r", null, 10);
        assertEquals(List.of("m2", "m3", "m4"), texts(newest));
        assertEquals(ids.get(2), newest.first());
        assertEquals(ids.get(4), newest.last());

        assertEquals(List.of("m3", "m4"), texts(broker.history("r", null, 2)));
        assertEquals(List.of("m4"), texts(broker.history("r", ids.get(3), 10)));
        assertEquals(List.of("m3"), texts(broker.history("r", ids.get(2), 1)));
        assertEquals(List.of(), texts(broker.history("r", ids.get(4), 10)));
        assertEquals(List.of(), texts(broker.history("r", null, 0)));
        assertEquals(HistorySlice.EMPTY, broker.history("nobody", null, 10));
    }

    @Test
    void aListenerThatFailsDoesNotUndoAPublishedMessage() {
        InMemoryBroker broker = broker(3, Clock.systemUTC());
        broker.start(message -> {
            throw new IllegalStateException("a fan-out bug");
        });
        ChatMessage published = broker.publish(new ChatMessage(null, "r", "ann", "kept", Instant.EPOCH));
        assertEquals(List.of(published), broker.history("r", null, 10).messages(), "stored, and so answered 202");
    }

    private static List<String> texts(HistorySlice slice) {
        return slice.messages().stream().map(ChatMessage::text).toList();
    }

    @Test
    void afterCloseNothingIsDelivered() {
        InMemoryBroker broker = broker(3, Clock.systemUTC());
        List<ChatMessage> delivered = new ArrayList<>();
        broker.start(delivered::add);
        broker.close();
        broker.publish(new ChatMessage(null, "r", "ann", "hi", Instant.EPOCH));
        assertEquals(List.of(), delivered);
    }
}
