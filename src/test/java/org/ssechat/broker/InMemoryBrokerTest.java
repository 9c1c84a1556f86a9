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

    @Test
    void publishingAssignsAnIdAndDeliversTheSameMessage() {
        InMemoryBroker broker = new InMemoryBroker(3, Clock.fixed(Instant.ofEpochMilli(5000), ZoneOffset.UTC));
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
    void eachRoomKeepsItsNewestMessagesInOrder() {
        InMemoryBroker broker = new InMemoryBroker(3, Clock.systemUTC());
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(broker.publish(new ChatMessage(null, "r", "ann", "m" + i, Instant.EPOCH)).id());
            broker.publish(new ChatMessage(null, "other", "ann", "x" + i, Instant.EPOCH));
        }
        HistorySlice newest = broker.history("r", null, 10);
        assertEquals(List.of("m2", "m3", "m4"), texts(newest));
        assertEquals(EventId.parse(ids.get(2)), newest.first());
        assertEquals(EventId.parse(ids.get(4)), newest.last());

        assertEquals(List.of("m3", "m4"), texts(broker.history("r", null, 2)));
        assertEquals(List.of("m4"), texts(broker.history("r", EventId.parse(ids.get(3)), 10)));
        assertEquals(List.of("m3"), texts(broker.history("r", EventId.parse(ids.get(2)), 1)));
        assertEquals(List.of(), texts(broker.history("r", EventId.parse(ids.get(4)), 10)));
        assertEquals(List.of(), texts(broker.history("r", null, 0)));
        assertEquals(HistorySlice.EMPTY, broker.history("nobody", null, 10));
    }

    @Test
    void theLeastRecentlyUsedRoomIsForgottenBeyondTheRoomLimit() {
        InMemoryBroker broker = new InMemoryBroker(1, Clock.systemUTC());
        for (int i = 0; i <= InMemoryBroker.MAX_ROOMS; i++) {
            broker.publish(new ChatMessage(null, "room" + i, "ann", "hi", Instant.EPOCH));
        }
        assertEquals(HistorySlice.EMPTY, broker.history("room0", null, 1));
        assertEquals(1, broker.history("room1", null, 1).messages().size());
    }

    private static List<String> texts(HistorySlice slice) {
        return slice.messages().stream().map(ChatMessage::text).toList();
    }

    @Test
    void afterCloseNothingIsDelivered() {
        InMemoryBroker broker = new InMemoryBroker(3, Clock.systemUTC());
        List<ChatMessage> delivered = new ArrayList<>();
        broker.start(delivered::add);
        broker.close();
        broker.publish(new ChatMessage(null, "r", "ann", "hi", Instant.EPOCH));
        assertEquals(List.of(), delivered);
    }
}
