package org.ssechat.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.ssechat.chat.ChatMessage;
import org.ssechat.sse.EventId;

/** The in-process history within its bytes (hostile pattern 4), and who loses messages first. */
class RoomHistoriesTest {

    private final Set<String> withListeners = new HashSet<>();
    private long sequence;

    private ChatMessage message(String room, String text) {
        return new ChatMessage(new EventId(++sequence, 0), room, "ann", text, Instant.EPOCH);
    }

    private static long size(ChatMessage message) {
        return RoomHistories.sizeOf(message);
    }

    @Test
    void theHistoryNeverHoldsMoreThanItsBytes() {
        String big = "€".repeat(2000);
        long budget = 200 * size(message("r", big));
        RoomHistories histories = new RoomHistories(1000, budget, withListeners::contains);
        for (int i = 0; i < 5000; i++) {
            histories.add(message("flood-" + (i % 900), big));
            assertTrue(histories.bytes() <= budget, "after message " + i + ": " + histories.bytes() + " > " + budget);
        }
        assertTrue(histories.evicted() >= 4800, "evicted " + histories.evicted());
    }

    @Test
    void theOldestMessagesOfTheLeastRecentlyUsedRoomGoFirst() {
        long each = size(message("a", "x"));
        RoomHistories histories = new RoomHistories(1000, 3 * each + 3 * RoomHistories.ROOM_OVERHEAD_BYTES,
                withListeners::contains);
        histories.add(message("a", "a1"));
        histories.add(message("b", "b1"));
        histories.add(message("a", "a2"));  // a is now the more recently used
        histories.add(message("c", "c1"));  // over the budget: b, the least recently used, goes
        assertEquals(0, histories.read("b", null, 10).messages().size());
        assertEquals(2, histories.read("a", null, 10).messages().size());
        histories.read("a", null, 10); // a resume is a use too
        histories.add(message("d", "d1")); // c is now the least recently used
        assertEquals(0, histories.read("c", null, 10).messages().size());
        assertEquals(2, histories.read("a", null, 10).messages().size());
    }

    @Test
    void aRoomWithListenersKeepsItsHistoryThroughAFloodOfNewRooms() {
        String big = "x".repeat(1000);
        long budget = 50 * size(message("r", big));
        RoomHistories histories = new RoomHistories(1000, budget, withListeners::contains);
        withListeners.add("general");
        for (int i = 0; i < 20; i++) {
            histories.add(message("general", "hello " + i));
        }
        for (int i = 0; i < 10_000; i++) {
            histories.add(message("flood-" + i, big));
        }
        assertEquals(20, histories.read("general", null, 100).messages().size(), "general keeps all it had");
        assertTrue(histories.bytes() <= budget);
    }

    @Test
    void whenOnlyRoomsWithListenersAreLeftTheLeastRecentlyUsedOfThemGives() {
        long each = size(message("a", "x"));
        RoomHistories histories = new RoomHistories(1000, 4 * each + 2 * RoomHistories.ROOM_OVERHEAD_BYTES,
                withListeners::contains);
        withListeners.add("a");
        withListeners.add("b");
        histories.add(message("a", "1"));
        histories.add(message("a", "2"));
        histories.add(message("b", "1"));
        histories.add(message("b", "2"));
        histories.add(message("b", "3"));
        assertEquals(1, histories.read("a", null, 10).messages().size(), "a's oldest went");
        assertEquals(3, histories.read("b", null, 10).messages().size());
    }

    @Test
    void aMessageBiggerThanTheBudgetIsStillKeptAlone() {
        RoomHistories histories = new RoomHistories(1000, 1024, withListeners::contains);
        histories.add(message("a", "small"));
        histories.add(message("b", "y".repeat(5000)));
        assertEquals(1, histories.read("b", null, 10).messages().size(), "the newest message stays");
        assertEquals(0, histories.read("a", null, 10).messages().size());
    }

    @Test
    void aRoomKeepsAtMostItsCountToo() {
        RoomHistories histories = new RoomHistories(3, 1L << 30, withListeners::contains);
        for (int i = 0; i < 10; i++) {
            histories.add(message("r", "m" + i));
        }
        List<ChatMessage> held = histories.read("r", null, 10).messages();
        assertEquals(3, held.size());
        assertEquals(held.stream().mapToLong(RoomHistories::sizeOf).sum() + RoomHistories.ROOM_OVERHEAD_BYTES,
                histories.bytes(), "the bytes follow what is held");
    }

    @Test
    void readingBeforeAnIdGivesTheNewestOlderMessagesOldestFirstWithTheBounds() {
        RoomHistories histories = new RoomHistories(1000, 1L << 30, withListeners::contains);
        List<ChatMessage> held = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            held.add(message("r", "m" + i));
            histories.add(held.get(i));
        }
        HistorySlice page = histories.readBefore("r", held.get(7).id(), 3);
        assertEquals(held.subList(4, 7), page.messages());
        assertEquals(held.get(0).id(), page.first());
        assertEquals(held.get(9).id(), page.last());
        assertEquals(held.subList(7, 10), histories.readBefore("r", null, 3).messages(), "null: the newest");
        assertEquals(held.subList(0, 2), histories.readBefore("r", held.get(2).id(), 5).messages(), "up to the first");
        assertEquals(List.of(), histories.readBefore("r", held.get(0).id(), 5).messages());
        assertEquals(List.of(), histories.readBefore("r", EventId.ZERO, 5).messages());
        assertEquals(held, histories.readBefore("r", new EventId(Long.MAX_VALUE, 0), 100).messages());
        assertEquals(HistorySlice.EMPTY, histories.readBefore("other", null, 5));
    }

    @Test
    void readingBeforeAnIdThatIsNotInTheHistoryStartsBelowIt() {
        RoomHistories histories = new RoomHistories(1000, 1L << 30, withListeners::contains);
        ChatMessage a = new ChatMessage(new EventId(10, 0), "r", "ann", "a", Instant.EPOCH);
        ChatMessage b = new ChatMessage(new EventId(20, 0), "r", "ann", "b", Instant.EPOCH);
        histories.add(a);
        histories.add(b);
        assertEquals(List.of(a), histories.readBefore("r", new EventId(15, 3), 5).messages());
        assertEquals(List.of(a), histories.readBefore("r", new EventId(20, 0), 5).messages());
        assertEquals(List.of(a, b), histories.readBefore("r", new EventId(20, 1), 5).messages());
    }
}
