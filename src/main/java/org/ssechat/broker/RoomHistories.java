package org.ssechat.broker;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.ssechat.chat.ChatMessage;
import org.ssechat.sse.EventId;

/**
 * The in-process history: the newest messages of each room, at most {@code perRoom} a room and
 * at most {@code maxBytes} of memory for all rooms together, however many rooms there are.
 *
 * <p>When a new message takes the history past its bytes, the oldest messages of the least
 * recently used rooms go first. A room is used when it gets a message or its history is read
 * (a client resumes); a room with listeners on this node counts as in use all the time, so it
 * loses messages only once every room without listeners is empty. So a flood of new room names
 * takes the history of other flood rooms and of rooms nobody used for longer, never the history
 * of the rooms people are in. Not thread-safe: the broker's lock guards it.
 */
final class RoomHistories {

    /** What one message costs beyond its characters: the record, its strings, the Instant, a deque slot. */
    static final int MESSAGE_OVERHEAD_BYTES = 240;
    /** What a message's id costs: the record and its two numbers. */
    static final int ID_BYTES = 32;
    /** What one room costs beyond its messages: its entry, its deque. */
    static final int ROOM_OVERHEAD_BYTES = 200;

    private final int perRoom;
    private final long maxBytes;
    /** Whether a room has streams on this node now: its broker's own set of the rooms it follows. */
    private final Predicate<String> followed;
    /** In access order: the first entry is the least recently used room. */
    private final LinkedHashMap<String, Room> rooms = new LinkedHashMap<>(16, 0.75f, true);
    private long bytes;
    private long evicted;

    private static final class Room {
        final Deque<ChatMessage> messages = new ArrayDeque<>();
        long bytes = ROOM_OVERHEAD_BYTES;
    }

    /**
     * @param perRoom      messages kept per room at most
     * @param maxBytes     memory the history may hold at most, in bytes (estimated, on the high side)
     * @param followed     whether a room has streams open on this node now (its broker's set of followed rooms)
     */
    RoomHistories(int perRoom, long maxBytes, Predicate<String> followed) {
        this.perRoom = perRoom;
        this.maxBytes = maxBytes;
        this.followed = followed;
    }

    /**
     * The memory a message holds, on the high side: two bytes a character (Java strings of
     * characters beyond Latin-1), plus the objects around them.
     */
    static long sizeOf(ChatMessage message) {
        long chars = message.text().length() + message.user().length() + message.room().length();
        return MESSAGE_OVERHEAD_BYTES + (message.id() == null ? 0 : ID_BYTES) + 2 * chars;
    }

    void add(ChatMessage message) {
        Room room = rooms.computeIfAbsent(message.room(), name -> {
            bytes += ROOM_OVERHEAD_BYTES;
            return new Room();
        });
        if (room.messages.size() == perRoom) {
            drop(room, room.messages.removeFirst());
        }
        long size = sizeOf(message);
        room.messages.addLast(message);
        room.bytes += size;
        bytes += size;
        evictBeyondBudget(message.room());
    }

    /** Takes the oldest messages of the least recently used rooms until the history fits again. */
    private void evictBeyondBudget(String newest) {
        if (bytes <= maxBytes) {
            return;
        }
        evictFrom(true, newest);
        if (bytes > maxBytes) {
            evictFrom(false, newest); // only rooms with listeners are left: the least recently used of them
        }
    }

    /**
     * One pass in least recently used order; the newest message of {@code newest} always stays.
     * Rooms passed over for their listeners are marked used afterwards, so the next pass does
     * not walk past them again.
     */
    private void evictFrom(boolean withoutListenersOnly, String newest) {
        List<String> inUse = new ArrayList<>();
        Iterator<Map.Entry<String, Room>> leastRecentFirst = rooms.entrySet().iterator();
        while (bytes > maxBytes && leastRecentFirst.hasNext()) {
            Map.Entry<String, Room> entry = leastRecentFirst.next();
            if (withoutListenersOnly && followed.test(entry.getKey())) {
                inUse.add(entry.getKey());
                continue;
            }
            Room room = entry.getValue();
            boolean keepLast = entry.getKey().equals(newest);
            while (bytes > maxBytes && room.messages.size() > (keepLast ? 1 : 0)) {
                drop(room, room.messages.removeFirst());
                evicted++;
            }
            if (room.messages.isEmpty()) {
                leastRecentFirst.remove();
                bytes -= room.bytes; // what is left: the room's own overhead
            }
        }
        inUse.forEach(rooms::get); // in an access-ordered map, a get moves the room to the newest end
    }

    private void drop(Room room, ChatMessage message) {
        long size = sizeOf(message);
        room.bytes -= size;
        bytes -= size;
    }

    HistorySlice read(String room, EventId after, int limit) {
        Room entry = rooms.get(room); // a read counts as a use
        if (entry == null || entry.messages.isEmpty()) {
            return HistorySlice.EMPTY;
        }
        Deque<ChatMessage> ring = entry.messages;
        List<ChatMessage> messages = new ArrayList<>(Math.min(limit, ring.size()));
        if (after == null) {
            Iterator<ChatMessage> newestFirst = ring.descendingIterator();
            while (messages.size() < limit && newestFirst.hasNext()) {
                messages.add(0, newestFirst.next());
            }
        } else {
            for (ChatMessage message : ring) {
                if (messages.size() == limit) {
                    break;
                }
                if (message.id().isAfter(after)) {
                    messages.add(message);
                }
            }
        }
        return new HistorySlice(messages, ring.getFirst().id(), ring.getLast().id());
    }

    /**
     * The newest messages before an id (or the newest of all, with null), oldest first: a page
     * of a client paging back. A read counts as a use, as a resume's does.
     */
    HistorySlice readBefore(String room, EventId before, int limit) {
        Room entry = rooms.get(room);
        if (entry == null || entry.messages.isEmpty()) {
            return HistorySlice.EMPTY;
        }
        Deque<ChatMessage> ring = entry.messages;
        if (before != null && !before.isAfter(ring.getFirst().id())) {
            // Nothing is older: no walk through the whole room under the broker's lock.
            return new HistorySlice(List.of(), ring.getFirst().id(), ring.getLast().id());
        }
        ArrayDeque<ChatMessage> page = new ArrayDeque<>(Math.min(limit, ring.size()));
        Iterator<ChatMessage> newestFirst = ring.descendingIterator();
        while (page.size() < limit && newestFirst.hasNext()) {
            ChatMessage message = newestFirst.next();
            if (before == null || before.isAfter(message.id())) {
                page.addFirst(message);
            }
        }
        return new HistorySlice(List.copyOf(page), ring.getFirst().id(), ring.getLast().id());
    }

    /** The bytes the history holds now (estimated). */
    long bytes() {
        return bytes;
    }

    /** Messages taken out to stay within the bytes, since the start. */
    long evicted() {
        return evicted;
    }

    /** Rooms with a history now. */
    int rooms() {
        return rooms.size();
    }
}
