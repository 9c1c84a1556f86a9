package org.ssechat.sse;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The open streams of this node, by room. Broadcasting hands one encoded frame to every client
 * of a room; each client queues it without blocking, so one slow client delays nobody.
 */
public final class ClientRegistry {

    private final ConcurrentMap<String, Set<SseClient>> rooms = new ConcurrentHashMap<>();
    private final AtomicInteger size = new AtomicInteger();
    private final int maxClients;
    private final FanOut fanOut;

    /** @param maxClients how many streams this registry holds at most */
    public ClientRegistry(int maxClients) {
        this(maxClients, FanOut.INLINE);
    }

    /**
     * @param maxClients how many streams this registry holds at most
     * @param fanOut     how a message reaches the clients of a big room (see {@link FanOut})
     */
    public ClientRegistry(int maxClients, FanOut fanOut) {
        this.maxClients = maxClients;
        this.fanOut = fanOut;
    }

    /**
     * Adds a client unless the registry is full.
     *
     * @return false when {@code maxClients} streams are open already
     */
    public boolean add(SseClient client) {
        if (size.incrementAndGet() > maxClients) {
            size.decrementAndGet();
            return false;
        }
        // compute() is atomic per room, so a concurrent remove cannot drop the room's new set.
        rooms.compute(client.room(), (room, clients) -> {
            Set<SseClient> set = clients != null ? clients : ConcurrentHashMap.newKeySet();
            set.add(client);
            return set;
        });
        if (!client.isOpen()) {
            remove(client); // it closed before it was added: its own remove came too early
        }
        return true;
    }

    /** Forgets a client; an empty room disappears with its last client. Idempotent. */
    public void remove(SseClient client) {
        rooms.computeIfPresent(client.room(), (room, clients) -> {
            if (clients.remove(client)) {
                size.decrementAndGet();
            }
            return clients.isEmpty() ? null : clients;
        });
    }

    /**
     * Sends one encoded frame to every client of a room.
     *
     * @return how many clients it was queued for
     */
    public int broadcast(String room, byte[] frame) {
        Set<SseClient> clients = rooms.get(room);
        if (clients == null) {
            return 0;
        }
        int sent = 0;
        for (SseClient client : clients) {
            if (client.send(frame)) {
                sent++;
            }
        }
        return sent;
    }

    /**
     * Sends one encoded event to every client of a room that does not have it yet (see
     * {@link SseClient#sendEvent}). Called by one thread at a time: the broker's.
     */
    public void broadcastEvent(String room, EventId id, byte[] frame) {
        Set<SseClient> clients = rooms.get(room);
        if (clients != null) {
            fanOut.forEach(clients, client -> client.sendEvent(id, frame));
        }
    }

    /** The rooms that have clients now. */
    public Set<String> rooms() {
        return Set.copyOf(rooms.keySet());
    }

    /** The clients of a room now (a live view: it changes as clients come and go). */
    public Set<SseClient> clientsIn(String room) {
        return rooms.getOrDefault(room, Set.of());
    }

    /** Sends one encoded frame to every client of every room (heartbeats). */
    public void broadcastAll(byte[] frame) {
        forEach(client -> client.send(frame));
    }

    /** Closes every stream, for shutdown. */
    public void closeAll(String reason) {
        forEach(client -> client.close(reason));
    }

    /** True when no further stream may be opened; {@link #add} re-checks atomically. */
    public boolean isFull() {
        return size.get() >= maxClients;
    }

    public int size() {
        return size.get();
    }

    public int roomCount() {
        return rooms.size();
    }

    private void forEach(Consumer<SseClient> action) {
        for (Set<SseClient> clients : rooms.values()) {
            clients.forEach(action);
        }
    }
}
