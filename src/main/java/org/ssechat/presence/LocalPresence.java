package org.ssechat.presence;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.ssechat.sse.SseClient;

/**
 * Who reads what on this node: each stream's reader and rooms, and per room the streams and
 * people they add up to, with the rooms whose share changed since it was last taken. Streams
 * come and go on container threads; the presence thread takes the shares. One lock: joins and
 * leaves are a stream's start and end, not its messages.
 */
final class LocalPresence {

    /** @param listens whether the stream asked for presence and typing events ({@code ?presence=1}) */
    private record Joined(Reader reader, List<String> rooms, boolean listens) {
    }

    /** A room's readers on this node. */
    private static final class RoomReaders {
        int streams;
        int unnamed;
        /** Streams that asked for presence and typing events. */
        int listeners;
        /** Named people by key, each with how many of their streams are here. */
        final Map<String, Reader> people = new LinkedHashMap<>();
        final Map<String, Integer> streamsOf = new HashMap<>();
    }

    private final Map<SseClient, Joined> streams = new HashMap<>();
    private final Map<String, RoomReaders> rooms = new HashMap<>();
    private final Set<String> changed = new HashSet<>();

    synchronized void join(SseClient client, Reader reader, List<String> names, boolean listens) {
        if (streams.putIfAbsent(client, new Joined(reader, List.copyOf(names), listens)) != null) {
            return;
        }
        for (String room : names) {
            RoomReaders readers = rooms.computeIfAbsent(room, r -> new RoomReaders());
            readers.streams++;
            readers.listeners += listens ? 1 : 0;
            if (!reader.named()) {
                readers.unnamed++;
            } else if (readers.streamsOf.merge(reader.key(), 1, Integer::sum) == 1) {
                readers.people.put(reader.key(), reader);
            }
            changed.add(room);
        }
    }

    /** Idempotent: a stream leaves once, whoever tells first. */
    synchronized void leave(SseClient client) {
        Joined joined = streams.remove(client);
        if (joined == null) {
            return;
        }
        Reader reader = joined.reader();
        for (String room : joined.rooms()) {
            RoomReaders readers = rooms.get(room);
            readers.streams--;
            readers.listeners -= joined.listens() ? 1 : 0;
            if (!reader.named()) {
                readers.unnamed--;
            } else if (readers.streamsOf.merge(reader.key(), -1, Integer::sum) == 0) {
                readers.streamsOf.remove(reader.key());
                readers.people.remove(reader.key());
            }
            if (readers.streams == 0) {
                rooms.remove(room);
            }
            changed.add(room);
        }
    }

    /** The reader of a stream that asked for presence and typing events; null for one that did not, or left. */
    synchronized Reader listener(SseClient client) {
        Joined joined = streams.get(client);
        return joined == null || !joined.listens() ? null : joined.reader();
    }

    /** This node's share of a room; null when it has no stream there. */
    synchronized NodeShare share(String room) {
        RoomReaders readers = rooms.get(room);
        if (readers == null) {
            return null;
        }
        List<Reader> people = new ArrayList<>(Math.min(readers.people.size(), NodeShare.MAX_PEOPLE));
        for (Reader person : readers.people.values()) {
            if (people.size() == NodeShare.MAX_PEOPLE) {
                break;
            }
            people.add(person);
        }
        return new NodeShare(readers.streams, readers.unnamed, people, readers.people.size() - people.size());
    }

    /** The streams of a room on this node. */
    synchronized int streamsIn(String room) {
        RoomReaders readers = rooms.get(room);
        return readers == null ? 0 : readers.streams;
    }

    /** The streams of a room on this node that asked for presence and typing events. */
    synchronized int listenersIn(String room) {
        RoomReaders readers = rooms.get(room);
        return readers == null ? 0 : readers.listeners;
    }

    /** The rooms with streams here. */
    synchronized Set<String> rooms() {
        return new HashSet<>(rooms.keySet());
    }

    /** The rooms whose share changed since the last call, and forgets them. */
    synchronized Set<String> takeChanged() {
        Set<String> taken = new HashSet<>(changed);
        changed.clear();
        return taken;
    }
}
