package org.ssechat.broker;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ssechat.chat.ChatMessage;
import org.ssechat.sse.EventId;

/**
 * The in-process history: a ring of the newest messages per room, and at most
 * {@code maxRooms} rooms (the least recently used one is forgotten first), so memory is bounded
 * however many messages and rooms there are. Not thread-safe: the broker's lock guards it.
 */
final class RoomHistories {

    private final int perRoom;
    private final Map<String, Deque<ChatMessage>> rooms;

    RoomHistories(int perRoom, int maxRooms) {
        this.perRoom = perRoom;
        this.rooms = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Deque<ChatMessage>> eldest) {
                return size() > maxRooms;
            }
        };
    }

    void add(ChatMessage message) {
        Deque<ChatMessage> ring = rooms.computeIfAbsent(message.room(), room -> new ArrayDeque<>());
        if (ring.size() == perRoom) {
            ring.removeFirst();
        }
        ring.addLast(message);
    }

    HistorySlice read(String room, EventId after, int limit) {
        Deque<ChatMessage> ring = rooms.get(room);
        if (ring == null || ring.isEmpty()) {
            return HistorySlice.EMPTY;
        }
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
                if (EventId.parse(message.id()).isAfter(after)) {
                    messages.add(message);
                }
            }
        }
        return new HistorySlice(messages, EventId.parse(ring.getFirst().id()), EventId.parse(ring.getLast().id()));
    }
}
