package org.ssechat.sse;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import org.ssechat.sse.container.PeerWatch;

/**
 * The clients of one room, and the order a message reaches them in: the most recently connected
 * first (the last to join the room, as a stream does when it opens; the room counts its joins).
 * In a wave of disconnects (a proxy restart, a network blip) the clients that left are the old
 * ones while the ones that just reconnected are surely there. A closed connection is
 * usually seen by the sweep first (see {@link PeerWatch}), but a dead network, an HTTP/2 stream
 * or a big node's slower sweep leaves some gone clients to be found by a failing write: this way
 * the ones still there get a message before the fan-out meets those failures.
 *
 * <p>That order is an array built when a message finds the room changed since the last one, so
 * a room whose clients stay sends message after message without copying or sorting anything,
 * and one with clients coming and going pays for one sort a message at most.
 */
final class RoomClients {

    private static final Comparator<Map.Entry<SseClient, Long>> NEWEST_FIRST =
            (a, b) -> Long.compare(b.getValue(), a.getValue());

    /** The clients in the order of a version of the room. */
    private record Snapshot(long version, SseClient[] newestFirst) {
    }

    /** No order kept: the next message builds one. */
    private static final Snapshot NONE = new Snapshot(-1, new SseClient[0]);

    /** Each client, and when it joined: the room's count of joins then. */
    private final ConcurrentMap<SseClient, Long> members = new ConcurrentHashMap<>();
    /** Counts the room's joins: a client that joined later has a larger number. */
    private final AtomicLong joins = new AtomicLong();
    /** Moves after every change of {@link #members}. */
    private final AtomicLong version = new AtomicLong();
    private volatile Snapshot snapshot = NONE;

    /** @return whether the client was not a member yet */
    boolean add(SseClient client) {
        boolean added = members.putIfAbsent(client, joins.incrementAndGet()) == null;
        version.incrementAndGet(); // after the change: a message that sees this version sees the client
        return added;
    }

    /** @return whether the client was a member */
    boolean remove(SseClient client) {
        boolean removed = members.remove(client) != null;
        version.incrementAndGet();
        snapshot = NONE; // a quiet room must not keep its gone clients (and their responses) reachable
        return removed;
    }

    boolean isEmpty() {
        return members.isEmpty();
    }

    /** A live view: it changes as clients come and go. */
    Set<SseClient> members() {
        return members.keySet();
    }

    /**
     * The clients now, the most recently connected first. Every client whose {@link #add}
     * returned before this call is in it. The array is shared: read it, never write to it.
     */
    SseClient[] newestFirst() {
        long now = version.get(); // before reading the members: a later change moves it again
        Snapshot last = snapshot;
        if (last.version() == now) {
            return last.newestFirst();
        }
        @SuppressWarnings("unchecked")
        Map.Entry<SseClient, Long>[] joined = members.entrySet().toArray(new Map.Entry[0]);
        Arrays.sort(joined, NEWEST_FIRST);
        SseClient[] clients = new SseClient[joined.length];
        for (int i = 0; i < joined.length; i++) {
            clients[i] = joined[i].getKey();
        }
        snapshot = new Snapshot(now, clients);
        if (version.get() != now) {
            snapshot = NONE; // a removal meanwhile: what was just kept may hold the gone client
        }
        return clients;
    }
}
