package org.ssechat.sse;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.IntPredicate;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.ssechat.sse.container.FrameSink;
import org.ssechat.sse.container.PeerWatch;

/**
 * One open {@code text/event-stream} response of one room or many: its lifecycle and where it
 * stands in each room's events. Its {@link FrameWriter} writes the frames, without ever blocking; its
 * {@link HeldEvents} keep live events back while a new stream replays history.
 *
 * <p>Where it stands: in each room, the newest event id it was sent (its cursor there, see
 * {@link RoomPositions}), so a replay and the live stream never deliver a message twice. A
 * stream of many rooms sends its position in all of them as each event's id.
 *
 * <p>Lifecycle: the client is closed, exactly once, when the peer goes away (a failed write, an
 * async error or timeout), when its queue overflows its byte limit, or on shutdown. This class
 * is the one place that decides: after every call into its writer it reads the writer's
 * outcome and acts on it. Closing completes the async context and tells the owner (the
 * registry, the admission) to forget the client.
 *
 * <p>Every touch of the request and response goes through the stream's {@link StreamOrder}:
 * the writer's bursts, the watch's looks, the completion; and each container callback after
 * which the container may complete or recycle the request (the async listener's, the write and
 * read listeners' errors) waits there until no other thread is inside, and ends the stream on
 * the container's own thread before it returns.
 */
public final class SseClient implements AsyncListener {

    private static final Logger LOG = Logger.getLogger(SseClient.class.getName());

    private final AsyncContext async;
    private final StreamOrder order;
    private final ServletOutputStream out;
    /** Its rooms, and where it stands in each. */
    private final RoomPositions positions;
    /** Whether it follows more than one room: then each event's id is its position in all of them. */
    private final boolean manyRooms;
    private final Consumer<SseClient> onClose;
    private final StreamStats stats;
    private final FrameWriter writer;
    private final HeldEvents held = new HeldEvents();
    /** The writer's reservation, made once: sendEvent runs once per client and message. */
    private final IntPredicate reserve;
    /** Where the completion of a client found gone or too slow runs: not on the fan-out or sweep that found it. */
    private final Executor completer;
    /** Makes the watch once the stream has started: the container's, or a stand-in's. */
    private final PeerWatch.Factory watches;

    private final AtomicBoolean closed = new AtomicBoolean();
    /**
     * A stream of many rooms: the number of the last fan-out pass that sent it its events of a
     * batch. Touched by the fan-out only, one thread at a time (each run's pass ends before the
     * next one's starts).
     */
    private long lastPass = -1;

    /** Tells, without a write, that the client left; set by start(). */
    private volatile PeerWatch watch = PeerWatch.NONE;

    /**
     * @param async          the started async context; its response headers are already set
     * @param rooms          the rooms this client listens to, each once, in the order asked for
     * @param maxQueuedBytes how many bytes may wait for a slow client before it is cut off
     * @param onClose        called once when the client is closed, for any reason
     * @param stats          where writes and overflows are counted
     * @param completer      runs the completion of a client found gone or too slow, off the thread
     *                       that found it (a fan-out, a heartbeat or the sweep, which go on with the next)
     * @param sink           how a frame goes into the response: the container's way
     * @param watches        makes the watch of the client's connection (see {@link PeerWatch}) at {@link #start()}
     */
    public SseClient(AsyncContext async, List<String> rooms, long maxQueuedBytes, Consumer<SseClient> onClose,
            StreamStats stats, Executor completer, FrameSink sink, PeerWatch.Factory watches) throws IOException {
        this.async = async;
        this.order = new StreamOrder(async);
        this.completer = completer;
        this.watches = watches;
        this.out = async.getResponse().getOutputStream();
        this.positions = new RoomPositions(rooms);
        this.manyRooms = rooms.size() > 1;
        this.onClose = onClose;
        this.stats = stats;
        this.writer = new FrameWriter(out, sink, order, maxQueuedBytes, stats);
        this.reserve = writer::reserve;
    }

    /**
     * Registers this client as the async context's listener and the response's write listener.
     * Frames sent before the container first reports the stream writable are queued.
     */
    public void start() {
        if (!order.enter()) {
            return;
        }
        try {
            async.addListener(this);
            stats.streamStarted();
            out.setWriteListener(new WriteListener() {
                @Override
                public void onWritePossible() {
                    writer.onWritePossible();
                    settle();
                }

                @Override
                public void onError(Throwable t) {
                    failedInContainer("write error: " + t);
                }
            });
            watch = watches.watch(async, this::failedInContainer);
        } finally {
            order.exit();
        }
    }

    /**
     * Whether the client closed its connection, as far as the container's connection can tell
     * without a write: called by the registry's sweep (see {@link ClientRegistry#closeGone()}).
     * Only inside the stream's order: never while a writer is in the response, and never once
     * the stream is complete, when the container reads the connection again and a look here
     * could take the first byte of its next request. A stream busy now is looked at next time.
     */
    public boolean peerClosed() {
        if (!order.tryEnter()) {
            return false;
        }
        try {
            return !closed.get() && watch.peerClosed();
        } finally {
            order.exit();
        }
    }

    /** Its rooms, in the order asked for. */
    public List<String> rooms() {
        return positions.rooms();
    }

    public boolean isOpen() {
        return !closed.get();
    }

    /**
     * Writes one encoded frame, or queues it if the socket is full; never blocks. The same array
     * may be given to many clients: it is never modified.
     *
     * @return false if the client is closed, or was closed now (its write failed or its queue overflowed)
     */
    public boolean send(byte[] frame) {
        boolean taken = writer.send(frame);
        settle();
        return taken && isOpen();
    }

    /**
     * Sends a live event of one of its rooms unless this client has it already. Events without
     * an id (published into Redis by other programs) always go out. Called by one thread at a
     * time.
     *
     * @param id the event's id, or null
     */
    public void sendEvent(String room, EventId id, EventFrame frame) {
        int index = positions.indexOf(room);
        if (index < 0) {
            return; // not one of its rooms
        }
        if (held.holding() && held.offer(index, id, frame, frame.length() + ownBytesPerEvent(), reserve)) {
            settle(); // held, or the hold overflowed the limit
            return;
        }
        deliver(index, id, frame);
        settle();
    }

    /**
     * Sends unless the room's cursor says this client has the event; does not act on the
     * outcome. A stream of many rooms sends its own id line, then the shared frame after its id.
     */
    private boolean deliver(int room, EventId id, EventFrame frame) {
        if (id == null) {
            return writer.sendMessages(frame.whole(), 1);
        }
        if (!manyRooms) {
            if (!isNew(room, id)) {
                return true;
            }
            positions.set(room, id);
            return writer.sendMessages(frame.whole(), 1);
        }
        List<byte[]> parts = new ArrayList<>(2);
        return !addIfNew(room, id, frame, parts) || writer.sendMessages(parts.toArray(new byte[0][]), 1);
    }

    /** Whether this stream has not been sent an event of this id in the room yet. */
    private boolean isNew(int room, EventId id) {
        EventId seen = positions.get(room);
        return seen == null || id.isAfter(seen);
    }

    /**
     * Adds what this stream writes for one event to {@code parts}, unless it has the event, and
     * moves its cursor: the frame whole (a stream of one room, or an event without an id), or the
     * stream's own position line and then the frame after its id (a stream of many rooms).
     *
     * @return whether it added anything
     */
    private boolean addIfNew(int room, EventId id, EventFrame frame, List<byte[]> parts) {
        if (id == null) {
            parts.add(frame.whole());
            return true;
        }
        if (!isNew(room, id)) {
            return false;
        }
        if (!manyRooms) {
            positions.set(room, id);
            parts.add(frame.whole());
            return true;
        }
        positions.set(room, id, frame.idText());
        parts.add(positions.idLine());
        parts.add(frame.afterId());
        return true;
    }

    /**
     * Sends this stream its events of a batch that it does not have yet, all in one write (see
     * {@link EventBatch}). Called for each run of the batch, one room's events, by one thread
     * at a time: a stream of one room takes its room's run whole; a stream of many rooms takes
     * all its events of the batch, in the batch's order, at the first run it is met in, and
     * nothing at the others.
     *
     * @param run  the index of the run in the batch
     * @param pass the number of this batch's pass, the same for each of its runs, and never reused
     */
    public void sendBatch(EventBatch batch, int run, long pass) {
        EventBatch.Run events = batch.runs()[run];
        int index = positions.indexOf(events.room());
        if (index < 0) {
            return;
        }
        if (manyRooms) {
            // All of its events of the batch at the first of its runs it is met in (it may have
            // joined a room of an earlier run just after that run's pass): never twice.
            if (pass == lastPass) {
                return;
            }
            lastPass = pass;
        }
        if (held.holding()) {
            // Held back during a replay: each event on its own, as the release hands them on.
            for (int i : eventsOfMine(batch, events)) {
                sendEvent(batch.room(i), batch.id(i), batch.frame(i));
            }
            return;
        }
        if (!manyRooms && events.allNewerThan(positions.get(index))) {
            // The common case: the run as it was encoded once for every stream of the room.
            if (events.lastId() != null) {
                positions.set(index, events.lastId());
            }
            writer.sendMessages(events.whole(), events.size());
        } else {
            sendEach(batch, eventsOfMine(batch, events));
        }
        settle();
    }

    /**
     * The batch's events this stream follows, in the batch's order: its room's run, or, for a
     * stream of many rooms, the runs of its rooms merged (so its work is its own events, not the batch's).
     */
    private int[] eventsOfMine(EventBatch batch, EventBatch.Run run) {
        List<EventBatch.Run> mine = new ArrayList<>();
        int count = 0;
        for (String room : manyRooms ? positions.rooms() : List.of(run.room())) {
            EventBatch.Run its = batch.run(room);
            if (its != null) {
                mine.add(its);
                count += its.size();
            }
        }
        int[] events = new int[count];
        int at = 0;
        for (EventBatch.Run its : mine) {
            for (int k = 0; k < its.size(); k++) {
                events[at++] = its.event(k);
            }
        }
        if (mine.size() > 1) {
            Arrays.sort(events); // the batch's order
        }
        return events;
    }

    /**
     * Each of these events of the batch that this stream lacks, checked one by one (see
     * {@link #addIfNew}), in one burst of writes of up to {@link #maxWriteBytes()} each: a stream
     * of many rooms (its own id lines make its writes longer than the batch), or one of a room
     * whose replay overlapped the run.
     */
    private void sendEach(EventBatch batch, int[] events) {
        List<byte[]> parts = new ArrayList<>();
        int messages = 0;
        int bytes = 0;
        for (int i : events) {
            int before = parts.size();
            if (!addIfNew(positions.indexOf(batch.room(i)), batch.id(i), batch.frame(i), parts)) {
                continue;
            }
            for (int p = before; p < parts.size(); p++) {
                bytes += parts.get(p).length;
            }
            messages++;
            if (bytes >= maxWriteBytes()) {
                writer.sendMessages(parts.toArray(new byte[0][]), messages);
                parts.clear();
                messages = 0;
                bytes = 0;
            }
        }
        if (messages > 0) {
            writer.sendMessages(parts.toArray(new byte[0][]), messages);
        }
    }

    /**
     * Ends the stream once what is queued has been written, instead of dropping it as
     * {@link #close} does; nothing sent later is queued. A replay too big for the buffer goes out
     * a page at a time this way: EventSource reconnects with the newest id it got.
     */
    public void endWhenWritten() {
        writer.endWhenWritten();
        settle();
    }

    /**
     * What this stream writes for itself with each event, beyond the frame every stream shares:
     * a stream of many rooms, its position (about its length now, and room for the room that
     * moves); a stream of one room, nothing. Counted against its limits with the frame.
     */
    public int ownBytesPerEvent() {
        return manyRooms ? positions.idLineLength() + EventId.MAX_TEXT_LENGTH : 0;
    }

    /** What one write of a batch's events checked one by one carries at most (see {@link EventBatch#maxBytesFor}). */
    private long maxWriteBytes() {
        return EventBatch.maxBytesFor(writer.maxQueuedBytes());
    }

    /** The most bytes that may wait for this client. */
    public long bufferBytes() {
        return writer.maxQueuedBytes();
    }

    /** Holds live events back until {@link #releaseHeldEvents()}; call before registering. */
    public void holdLiveEvents() {
        held.hold();
    }

    /** Sends one replayed event of a room now, ahead of the held live ones, and moves its cursor there. */
    public void replay(String room, EventId id, EventFrame frame) {
        int index = positions.indexOf(room);
        if (index >= 0) {
            deliver(index, id, frame);
            settle();
        }
    }

    /** Sends a frame of no room's order now (a {@code reset}), ahead of the held live events. */
    public void sendAhead(byte[] frame) {
        writer.send(frame);
        settle();
    }

    /**
     * Sets where this client stands in a room: the newest id it has there. Only while live
     * events are held (before {@link #releaseHeldEvents()}), when the opening thread alone
     * moves the cursors.
     */
    public void startAt(String room, EventId id) {
        int index = positions.indexOf(room);
        if (index >= 0) {
            positions.set(index, id);
        }
    }

    /**
     * A stream of many rooms tells its client where it stands in all of them, in an event with
     * only an id (EventSource takes the id and dispatches nothing): so a reconnect that comes
     * before the next message resumes every room. Only before {@link #releaseHeldEvents()}.
     */
    public void sendPosition() {
        if (manyRooms && positions.anySet()) {
            byte[] line = positions.idLine();
            byte[] event = Arrays.copyOf(line, line.length + 1);
            event[line.length] = '\n';
            writer.send(event);
            settle();
        }
    }

    /** Sends the held live events that the replay did not cover, and goes live. */
    public void releaseHeldEvents() {
        held.release(this::deliver, writer::unreserve);
        settle();
    }

    /** The newest event id of a room this client has been sent, or null. */
    public EventId cursor(String room) {
        int index = positions.indexOf(room);
        return index < 0 ? null : positions.get(index);
    }

    /** Acts on how the writer ended, if it did: the one place that turns a write's outcome into a close. */
    private void settle() {
        FrameWriter.Outcome outcome = writer.outcome();
        if (outcome == null || closed.get()) {
            return;
        }
        switch (outcome.ending()) {
            case OVERFLOWED -> overflowed();
            case FAILED -> vanished("write failed: " + outcome.detail());
            case WRITTEN -> close("its last frame is written");
            case DISCARDED -> close("closed");
        }
    }

    /**
     * The one place a slow client is cut off: logged and counted. It resumes with Last-Event-ID
     * when it reconnects, so it loses nothing the history still holds.
     */
    private void overflowed() {
        if (release("its buffer overflowed")) {
            LOG.log(Level.WARNING, "Disconnecting a slow client of room(s) {0}: more than {1} bytes waited for it",
                    new Object[] {positions.rooms(), writer.maxQueuedBytes()});
            stats.slowClientDisconnected();
            completeSoon();
        }
    }

    /**
     * A write or a look at the connection found the client gone. It is forgotten at once (no
     * later frame is written to it) and its completion is handed to the completer.
     */
    void vanished(String detail) {
        if (release(detail)) {
            stats.clientVanished();
            completeSoon();
        }
    }

    /**
     * Completes the stream off this thread: the completion waits its turn in the stream's order
     * and is the container's work of ending the response, and the fan-out or sweep that found
     * the stream ended goes on with the others meanwhile.
     */
    private void completeSoon() {
        try {
            completer.execute(order::complete);
        } catch (RejectedExecutionException stopping) {
            order.complete();
        }
    }

    /**
     * The container reports the stream failed (a write or read error, an async error): it ends
     * here, on the container's thread, before the callback returns and the container takes the
     * request back; it waits its turn if another thread is inside the stream.
     */
    private void failedInContainer(String detail) {
        if (release(detail)) {
            stats.clientVanished();
        }
        order.complete();
    }

    /**
     * Completes the stream; pending frames are dropped. Safe to call more than once, from any
     * thread; waits for a write burst of another thread to end (microseconds).
     */
    public void close(String reason) {
        if (release(reason)) {
            order.complete();
        }
    }

    /** Marks the client closed and tells the owner, once; true for the caller that did it. */
    private boolean release(String reason) {
        if (!closed.compareAndSet(false, true)) {
            return false;
        }
        LOG.log(Level.FINE, "SSE client of room(s) {0} closed: {1}", new Object[] {positions.rooms(), reason});
        writer.discard();
        onClose.accept(this);
        return true;
    }

    /** The container completed the request: once this returns it recycles it, so nobody may be inside. */
    @Override
    public void onComplete(AsyncEvent event) {
        order.ended();
        stats.streamFinished();
        release("completed");
    }

    /**
     * Completes the request here, on the container's thread, even when another thread released
     * this client a moment ago: a timeout listener that neither completes nor dispatches makes
     * the container end the request as an error, cutting the connection. Tomcat times out the
     * open requests of an application it is stopping, which can land between close()'s release
     * and its complete().
     */
    @Override
    public void onTimeout(AsyncEvent event) {
        release("timed out");
        order.complete();
    }

    @Override
    public void onError(AsyncEvent event) {
        failedInContainer("async error: " + event.getThrowable());
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
        // not re-dispatched: nothing to do
    }
}
