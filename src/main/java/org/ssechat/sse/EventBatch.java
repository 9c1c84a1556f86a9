package org.ssechat.sse;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Events that queued up for the fan-out while its previous pass ran, handed to every stream in
 * one pass: each stream gets all of its events of the batch in one write (a stream of many
 * rooms, in one burst of writes of up to {@link #MAX_BYTES}) (the group commit of
 * a database, which flushes the transactions that queued during the last flush together). A
 * batch is never waited for: a message that finds the fan-out idle is a batch of one.
 *
 * <p>Encoded once for every stream: each event's frame once, and each room's run of frames
 * (its events in the batch, in order) once more as one array, which every stream of that one
 * room is sent whole. A stream of many rooms is sent its own {@code id:} line before each of
 * its events (see {@link EventFrame}), all of them in one write too.
 */
public final class EventBatch {

    /** The most bytes of frames a batch takes, and a stream's write of it carries: 64 KiB. */
    public static final int MAX_BYTES = 64 * 1024;

    /**
     * The batch bytes for streams that may queue {@code bufferBytes}: a quarter of it, up to
     * {@link #MAX_BYTES}, so that one batch that meets a momentarily full socket does not
     * overflow a small buffer alone.
     */
    public static int maxBytesFor(long bufferBytes) {
        return (int) Math.min(MAX_BYTES, Math.max(1, bufferBytes / 4));
    }

    /** One room's events in the batch, in order, and what every stream of that room alone is sent. */
    static final class Run {
        private final String room;
        /** Indexes into the batch's events. */
        private final int[] events;
        /** The frames of the run's events, one after the other: made once. */
        private final byte[] whole;
        /** The first id in the run, or null when no event of it has one. */
        private final EventId firstId;
        /** The last id in the run, or null. */
        private final EventId lastId;
        /** Whether the ids of the run increase: then a stream that has none of them takes the run whole. */
        private final boolean increasing;

        private Run(String room, int[] events, byte[] whole, EventId firstId, EventId lastId, boolean increasing) {
            this.room = room;
            this.events = events;
            this.whole = whole;
            this.firstId = firstId;
            this.lastId = lastId;
            this.increasing = increasing;
        }

        String room() {
            return room;
        }

        int size() {
            return events.length;
        }

        /** The batch's index of the run's k-th event. */
        int event(int k) {
            return events[k];
        }

        byte[] whole() {
            return whole;
        }

        EventId lastId() {
            return lastId;
        }

        /**
         * Whether a stream whose newest id in the room is {@code seen} (null: none yet) is to be
         * sent every event of the run: an event without an id always goes, one with an id when
         * it is newer than what the stream has.
         */
        boolean allNewerThan(EventId seen) {
            return increasing && (seen == null || firstId == null || firstId.isAfter(seen));
        }
    }

    private final String[] rooms;
    private final EventId[] ids;
    private final EventFrame[] frames;
    private final Run[] runs;
    /** Each room's run. */
    private final Map<String, Run> byRoom;
    private final int bytes;

    private EventBatch(String[] rooms, EventId[] ids, EventFrame[] frames, Run[] runs, int bytes) {
        this.rooms = rooms;
        this.ids = ids;
        this.frames = frames;
        this.runs = runs;
        this.bytes = bytes;
        this.byRoom = new HashMap<>(runs.length * 2);
        for (Run run : runs) {
            byRoom.put(run.room(), run);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** How many events the batch holds. */
    public int size() {
        return frames.length;
    }

    /** The bytes of its frames. */
    public int bytes() {
        return bytes;
    }

    /** Its rooms' runs, in the order of each room's first event. */
    Run[] runs() {
        return runs;
    }

    /** A room's run, or null when the batch has no event of it. */
    Run run(String room) {
        return byRoom.get(room);
    }

    String room(int event) {
        return rooms[event];
    }

    EventId id(int event) {
        return ids[event];
    }

    EventFrame frame(int event) {
        return frames[event];
    }

    /** Collects events in the order they are to reach every stream. */
    public static final class Builder {
        private final List<String> rooms = new ArrayList<>();
        private final List<EventId> ids = new ArrayList<>();
        private final List<EventFrame> frames = new ArrayList<>();
        private int bytes;

        private Builder() {
        }

        /**
         * Adds an event of a room.
         *
         * @param id    its id, or null (a message another program published)
         * @param frame the event, encoded once, its id line first when it has an id
         */
        public Builder add(String room, EventId id, byte[] frame) {
            rooms.add(room);
            ids.add(id);
            frames.add(id != null ? EventFrame.withId(frame) : EventFrame.of(frame));
            bytes += frame.length;
            return this;
        }

        public boolean isEmpty() {
            return frames.isEmpty();
        }

        /** How many events were added so far. */
        public int size() {
            return frames.size();
        }

        /** The bytes of the frames added so far. */
        public int bytes() {
            return bytes;
        }

        public EventBatch build() {
            int n = frames.size();
            Map<String, List<Integer>> byRoom = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                byRoom.computeIfAbsent(rooms.get(i), room -> new ArrayList<>()).add(i);
            }
            Run[] runs = new Run[byRoom.size()];
            int r = 0;
            for (Map.Entry<String, List<Integer>> room : byRoom.entrySet()) {
                runs[r++] = run(room.getKey(), room.getValue());
            }
            return new EventBatch(rooms.toArray(new String[0]), ids.toArray(new EventId[0]),
                    frames.toArray(new EventFrame[0]), runs, bytes);
        }

        private Run run(String room, List<Integer> indexes) {
            int[] events = new int[indexes.size()];
            int length = 0;
            EventId first = null;
            EventId last = null;
            boolean increasing = true;
            for (int k = 0; k < events.length; k++) {
                int i = indexes.get(k);
                events[k] = i;
                length += frames.get(i).length();
                EventId id = ids.get(i);
                if (id != null) {
                    if (first == null) {
                        first = id;
                    } else if (!id.isAfter(last)) {
                        increasing = false; // not from one broker's order: each stream checks each event
                    }
                    last = id;
                }
            }
            byte[] whole;
            if (events.length == 1) {
                whole = frames.get(events[0]).whole(); // a batch of one is its frame: no copy
            } else {
                whole = new byte[length];
                int at = 0;
                for (int i : events) {
                    byte[] frame = frames.get(i).whole();
                    System.arraycopy(frame, 0, whole, at, frame.length);
                    at += frame.length;
                }
            }
            return new Run(room, events, whole, first, last, increasing);
        }
    }
}
