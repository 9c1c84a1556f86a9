package org.ssechat.sse;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Predicate;

/**
 * Where one stream stands in each of its rooms: the newest id of each it has been sent. A
 * stream of many rooms tells its client all of them in every event's {@code id}, as
 * {@code room:id} pairs joined by {@code ,} in the order the rooms were asked for
 * ({@code dev:1795535276117-0,ops:0-0}); a room it has no position in yet is left out. That
 * text is what the client sends back as {@code Last-Event-ID}, and {@link #parse} reads.
 *
 * <p>Threading: a room's position moves on one thread at a time (the broker's, or the opening
 * thread while live events are held); any thread may read.
 */
public final class RoomPositions {

    /**
     * The most rooms a position names: as many as a stream may follow at most (the bound of
     * {@code CHAT_MAX_ROOMS_PER_STREAM}), so a text naming more is not ours.
     */
    public static final int MAX_ROOMS = 255;
    /** Beyond this many rooms a room's index is looked up by name, not by comparing names one by one. */
    private static final int ROOMS_COMPARED_ONE_BY_ONE = 4;

    private final String[] rooms;
    private final List<String> roomList;
    /** Each room's name and ':' as bytes, made once: an id is written for every event. */
    private final byte[][] prefixes;
    /** For more than a few rooms: a room's index without comparing names one by one. */
    private final Map<String, Integer> indexes;
    private final AtomicReferenceArray<EventId> positions;
    /**
     * Each position's text, once spelled out (null until then). Written before its position,
     * and read by {@link #idLine()}, on the thread that moves the positions.
     */
    private final AtomicReferenceArray<byte[]> texts;

    /** @param rooms the stream's rooms, each once, in the order asked for */
    public RoomPositions(List<String> rooms) {
        this.rooms = rooms.toArray(new String[0]);
        this.roomList = List.of(this.rooms);
        this.prefixes = new byte[this.rooms.length][];
        for (int i = 0; i < this.rooms.length; i++) {
            prefixes[i] = (this.rooms[i] + ":").getBytes(StandardCharsets.US_ASCII);
        }
        if (this.rooms.length > ROOMS_COMPARED_ONE_BY_ONE) {
            indexes = new HashMap<>();
            for (int i = 0; i < this.rooms.length; i++) {
                indexes.put(this.rooms[i], i);
            }
        } else {
            indexes = null;
        }
        this.positions = new AtomicReferenceArray<>(this.rooms.length);
        this.texts = new AtomicReferenceArray<>(this.rooms.length);
    }

    public List<String> rooms() {
        return roomList;
    }

    /** The room's index in the stream, or -1 when the stream does not follow it. */
    public int indexOf(String room) {
        if (rooms.length == 1) {
            return rooms[0].equals(room) ? 0 : -1;
        }
        if (indexes != null) {
            Integer index = indexes.get(room);
            return index == null ? -1 : index;
        }
        for (int i = 0; i < rooms.length; i++) {
            if (rooms[i].equals(room)) {
                return i;
            }
        }
        return -1;
    }

    public EventId get(int room) {
        return positions.get(room);
    }

    /** Sets a room's position. */
    public void set(int room, EventId id) {
        if (texts.get(room) != null) {
            texts.set(room, null); // a one-room stream never spells its position: no write for it
        }
        positions.set(room, id);
    }

    /**
     * Sets a room's position to a message's id, whose text the message's shared frame holds
     * already (see {@link EventFrame#idText()}): so no stream spells it out again.
     */
    void set(int room, EventId id, byte[] text) {
        texts.set(room, text);
        positions.set(room, id);
    }

    /** A position's text, spelled out once. */
    private byte[] text(int room, EventId id) {
        byte[] text = texts.get(room);
        if (text == null) {
            text = id.toString().getBytes(StandardCharsets.US_ASCII);
            texts.set(room, text);
        }
        return text;
    }

    /**
     * The {@code id:} line of the stream's position now, ended by a line end:
     * {@code id: a:1-0,b:0-0\n}. Only when some room has a position (an empty id would clear the
     * client's; see {@link #anySet()}), and on the thread that moves the positions.
     */
    public byte[] idLine() {
        byte[][] now = new byte[rooms.length][];
        int length = "id: \n".length() - 1; // one ',' fewer than the positions named
        for (int i = 0; i < rooms.length; i++) {
            EventId id = positions.get(i);
            if (id != null) {
                now[i] = text(i, id);
                length += prefixes[i].length + now[i].length + 1;
            }
        }
        byte[] line = new byte[length];
        line[0] = 'i';
        line[1] = 'd';
        line[2] = ':';
        line[3] = ' ';
        int at = 4;
        for (int i = 0; i < rooms.length; i++) {
            if (now[i] != null) {
                if (at > 4) {
                    line[at++] = ',';
                }
                System.arraycopy(prefixes[i], 0, line, at, prefixes[i].length);
                at += prefixes[i].length;
                System.arraycopy(now[i], 0, line, at, now[i].length);
                at += now[i].length;
            }
        }
        line[at] = '\n';
        return line;
    }

    /** The length of {@link #idLine()} now, without making it. */
    public int idLineLength() {
        int length = "id: \n".length() - 1;
        for (int i = 0; i < rooms.length; i++) {
            EventId id = positions.get(i);
            if (id != null) {
                byte[] text = texts.get(i);
                length += prefixes[i].length + (text != null ? text.length : EventId.MAX_TEXT_LENGTH) + 1;
            }
        }
        return length;
    }

    /** Whether some room has a position. */
    public boolean anySet() {
        for (int i = 0; i < rooms.length; i++) {
            if (positions.get(i) != null) {
                return true;
            }
        }
        return false;
    }

    /**
     * The positions a many-room id names, in its order; null when the text is not of that form
     * ({@code room:id} pairs joined by {@code ,}, each room named once, each id an {@link EventId}).
     *
     * @param isRoomName whether a name is a valid room name
     */
    public static Map<String, EventId> parse(String text, Predicate<String> isRoomName) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        Map<String, EventId> named = new LinkedHashMap<>();
        int from = 0;
        while (from <= text.length()) {
            int comma = text.indexOf(',', from);
            int end = comma < 0 ? text.length() : comma;
            int colon = text.indexOf(':', from);
            if (colon < 0 || colon >= end || named.size() == MAX_ROOMS) {
                return null;
            }
            String room = text.substring(from, colon);
            EventId id = EventId.parse(text.substring(colon + 1, end));
            if (id == null || !isRoomName.test(room) || named.putIfAbsent(room, id) != null) {
                return null;
            }
            if (comma < 0) {
                return named;
            }
            from = comma + 1;
        }
        return null;
    }
}
