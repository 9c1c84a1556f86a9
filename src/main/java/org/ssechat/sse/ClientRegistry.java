package org.ssechat.sse;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.ssechat.sse.container.PeerWatch;

/**
 * The open streams of this node, by room (a stream of many rooms is in each of them).
 * Broadcasting hands one encoded frame to every client of a room; each client queues it without blocking, so one slow client delays nobody, and a
 * client that fails in any way is closed without the others missing the frame.
 *
 * <p>How many streams may be open is the admission's business (see stream.StreamAdmission): the
 * registry holds what was admitted.
 */
public final class ClientRegistry {

    private static final Logger LOG = Logger.getLogger(ClientRegistry.class.getName());

    private final ConcurrentMap<String, RoomClients> rooms = new ConcurrentHashMap<>();
    /** Every stream once, whatever its rooms: for what goes to each stream (heartbeats, the sweep). */
    private final Set<SseClient> all = ConcurrentHashMap.newKeySet();
    private final AtomicInteger size = new AtomicInteger();
    private final FanOut fanOut;
    /** Told the name of a room that got its first client, and of one that lost its last. */
    private volatile Consumer<String> roomOpened = room -> { };
    private volatile Consumer<String> roomEmptied = room -> { };
    /**
     * Clients one {@link #closeGone()} looks at, at most: a look is a system call (a few µs), and
     * at 4,000 a second the sweep of 10,000 streams costs no CPU the benchmark can see (at 10,000
     * a second it cost about 3 µs a delivery, 10 %); a node of up to 1,000 sees each every sweep.
     */
    static final int SWEEP_BUDGET = 1000;
    /** Touched by the sweeping thread only (the scheduler's). */
    private long sweeps;
    /** Numbers the batches' passes, so that a stream of many rooms is sent a batch once (see SseClient.sendBatch). */
    private final AtomicLong passes = new AtomicLong();

    public ClientRegistry() {
        this(FanOut.INLINE);
    }

    /** @param fanOut how a message reaches the clients of a big room (see {@link FanOut}) */
    public ClientRegistry(FanOut fanOut) {
        this.fanOut = fanOut;
    }

    /**
     * Whom to tell when a room gets its first client and when it loses its last (the broker,
     * which follows the rooms this node has streams in). Both are told inside the room's atomic
     * change, so one room's words arrive in the order of its changes, never two alike in a row:
     * whoever keeps a set of the rooms told has them exactly, however streams race. They must
     * not block, and must not come back into this registry.
     */
    public void onRoomChanges(Consumer<String> opened, Consumer<String> emptied) {
        this.roomOpened = opened;
        this.roomEmptied = emptied;
    }

    /** Adds a client to each of its rooms; a client that closed before it was added is forgotten again at once. */
    public void add(SseClient client) {
        if (all.add(client)) {
            size.incrementAndGet();
        }
        for (String name : client.rooms()) {
            // compute() is atomic per room, so a concurrent remove cannot drop the room's new set.
            rooms.compute(name, (room, clients) -> {
                RoomClients set = clients != null ? clients : new RoomClients();
                set.add(client);
                if (clients == null) {
                    roomOpened.accept(room);
                }
                return set;
            });
        }
        if (!client.isOpen()) {
            remove(client); // it closed before it was added: its own remove came too early
        }
    }

    /** Forgets a client, in each of its rooms; an empty room disappears with its last client. Idempotent. */
    public void remove(SseClient client) {
        if (all.remove(client)) {
            size.decrementAndGet();
        }
        for (String name : client.rooms()) {
            rooms.computeIfPresent(name, (room, clients) -> {
                clients.remove(client);
                if (clients.isEmpty()) {
                    roomEmptied.accept(room);
                    return null;
                }
                return clients;
            });
        }
    }

    /**
     * Sends one encoded frame to every client of a room.
     *
     * @return how many clients it was queued for
     */
    public int broadcast(String room, byte[] frame) {
        RoomClients clients = rooms.get(room);
        if (clients == null) {
            return 0;
        }
        int sent = 0;
        for (SseClient client : clients.members()) {
            if (sendTo(client, frame)) {
                sent++;
            }
        }
        return sent;
    }

    /** Sends one encoded frame to every client of a room but those {@code skip} names (a typist's own streams). */
    public void broadcastExcept(String room, byte[] frame, Predicate<SseClient> skip) {
        RoomClients clients = rooms.get(room);
        if (clients != null) {
            for (SseClient client : clients.members()) {
                isolated(client, c -> {
                    if (!skip.test(c)) {
                        c.send(frame);
                    }
                });
            }
        }
    }

    /**
     * Sends one encoded event to every client of a room that does not have it yet: a batch of
     * one (see {@link #broadcastBatch}).
     *
     * @param frame the event, encoded once, its id line first when it has an id
     */
    public void broadcastEvent(String room, EventId id, byte[] frame) {
        broadcastBatch(EventBatch.builder().add(room, id, frame).build());
    }

    /**
     * Sends every stream its events of a batch that it does not have yet, in one write each (see
     * {@link SseClient#sendBatch}): room after room, in the order of each room's first event,
     * each room's clients the most recently connected first (see {@link RoomClients}). Called by
     * one thread at a time, in the broker's order (the thread that delivers now).
     */
    public void broadcastBatch(EventBatch batch) {
        EventBatch.Run[] runs = batch.runs();
        long pass = passes.incrementAndGet();
        for (int r = 0; r < runs.length; r++) {
            RoomClients clients = rooms.get(runs[r].room());
            if (clients != null) {
                int run = r;
                // One action per run, not one per client: this runs for every client of the room.
                Consumer<SseClient> send = client -> client.sendBatch(batch, run, pass);
                fanOut.forEach(clients.newestFirst(), client -> isolated(client, send));
            }
        }
    }

    /** The rooms that have clients now. */
    public Set<String> rooms() {
        return Set.copyOf(rooms.keySet());
    }

    /** Whether a room has clients now. */
    public boolean hasClients(String room) {
        return rooms.containsKey(room);
    }

    /** The clients of a room now (a live view: it changes as clients come and go). */
    public Set<SseClient> clientsIn(String room) {
        RoomClients clients = rooms.get(room);
        return clients == null ? Set.of() : clients.members();
    }

    /** Sends one encoded frame to every client of every room (heartbeats). */
    public void broadcastAll(byte[] frame) {
        forEach(client -> sendTo(client, frame));
    }

    /**
     * Sends every stream a last frame (its own: made for each) and ends it once that is written;
     * streams whose socket is full stay until {@link #closeAll}.
     */
    public void endAll(Supplier<byte[]> lastFrame) {
        forEach(client -> {
            client.send(lastFrame.get());
            client.endWhenWritten();
        });
    }

    /**
     * Closes the streams whose clients are gone, as their connections tell without a write (see
     * {@link PeerWatch}; HTTP/2 streams are left to the writes): so a wave of
     * disconnects leaves before the next message meets it.
     *
     * @return how many were found gone
     */
    public int closeGone() {
        // At most SWEEP_BUDGET clients a call: each share of them in turn, so a big node spends a
        // bounded few milliseconds a sweep, and a small one looks at everyone every time.
        int shares = Math.max(1, (size.get() + SWEEP_BUDGET - 1) / SWEEP_BUDGET);
        int share = (int) (sweeps++ % shares);
        int[] seen = {0};
        int[] gone = {0};
        forEach(client -> {
            if (seen[0]++ % shares == share && client.peerClosed()) {
                client.vanished("its connection was closed");
                gone[0]++;
            }
        });
        return gone[0];
    }

    /** Closes every stream, for shutdown. */
    public void closeAll(String reason) {
        forEach(client -> client.close(reason));
    }

    public int size() {
        return size.get();
    }

    public int roomCount() {
        return rooms.size();
    }

    private static boolean sendTo(SseClient client, byte[] frame) {
        try {
            return client.send(frame);
        } catch (RuntimeException e) {
            failed(client, e);
            return false;
        }
    }

    /**
     * Runs one client's part of a loop over clients: whatever it throws ends that client, is
     * logged, and the loop goes on with the next one.
     */
    static void isolated(SseClient client, Consumer<SseClient> action) {
        try {
            action.accept(client);
        } catch (RuntimeException e) {
            failed(client, e);
        }
    }

    private static void failed(SseClient client, RuntimeException e) {
        LOG.log(Level.WARNING, "Closing a client of room(s) " + client.rooms() + " that failed", e);
        client.close("failed: " + e);
    }

    private void forEach(Consumer<SseClient> action) {
        for (SseClient client : all) {
            isolated(client, action);
        }
    }
}
