package org.ssechat.sse.container;

import jakarta.servlet.ServletOutputStream;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Predicate;

/**
 * Writes a frame larger than the stream's response buffer in one piece, in Jetty. Jetty writes
 * a heap array larger than its buffer in buffer-sized slices, each its own chunk and system call
 * (so a 32 KiB event left a 2 KiB-buffered stream in 16 pieces); a direct {@link ByteBuffer} it
 * writes whole. So on Jetty's stream, which has a public {@code write(ByteBuffer)}, a large
 * frame goes out as one, from a direct copy. Tomcat writes a large array whole already
 * (measured: one read per delivery at 32 KiB): there the array goes as it is.
 *
 * <p>The copy is made once per frame, not per stream: a message's frame is one array shared by
 * every client it goes to, so the copy is kept in a few slots, by the array's identity, and the
 * fan-out's writes (and the replays' on Jetty's threads) share it from whichever thread they
 * run on. Two frames in the same slot at once cost a copy each time they meet; a copy per write
 * would cost that at every write (a native allocation, zeroed, and freed only by a collection),
 * and a copy per thread (a thread-local) one per thread and frame. Each write gets a view of
 * its own (the position is per write), and a copy is never changed once made: Jetty may still
 * hold it, for a write that waits for the socket, after the slot has moved on.
 *
 * <p>The slots belong to the application, not to the threads: nothing is left on Jetty's
 * threads (which outlive an undeployed application, and a thread-local value of one of its
 * classes would keep its class loader). {@link #release()} empties them at the stop.
 */
final class LargeFrames {

    /** Frames whose copies are kept: about the ones being written at one time (a message, a replay or two). */
    private static final int SLOTS = 8;

    /** Whether a class is the container's own: a filter's wrapper of its stream is written the array way. */
    private final Predicate<Class<?>> containersOwn;
    /** Each stream class's public {@code write(ByteBuffer)}, or empty when it has none or is not the container's. */
    private final Map<Class<?>, Optional<MethodHandle>> bufferWrites = new ConcurrentHashMap<>();
    private final AtomicReferenceArray<Copy> copies = new AtomicReferenceArray<>(SLOTS);
    /** Set at the stop: copies made after it are not kept. */
    private volatile boolean released;

    /** A frame and its direct copy, filled once and then only read. */
    private record Copy(byte[] frame, ByteBuffer direct) {
    }

    LargeFrames(Predicate<Class<?>> containersOwn) {
        this.containersOwn = containersOwn;
    }

    /** @return false when the stream cannot take a buffer: the caller writes the array */
    boolean write(ServletOutputStream out, byte[] frame) throws IOException {
        Optional<MethodHandle> write = bufferWrites.computeIfAbsent(out.getClass(), this::bufferWrite);
        if (write.isEmpty()) {
            return false;
        }
        try {
            write.get().invoke(out, copyOf(frame).duplicate()); // a view of its own: the position is per write
            return true;
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IOException(e);
        }
    }

    /** The frame's direct copy: the one kept, or a new one, kept in its slot. */
    ByteBuffer copyOf(byte[] frame) {
        int slot = (System.identityHashCode(frame) & Integer.MAX_VALUE) % SLOTS;
        Copy kept = copies.get(slot);
        if (kept != null && kept.frame() == frame) {
            return kept.direct();
        }
        Copy copy = new Copy(frame, ByteBuffer.allocateDirect(frame.length).put(frame).flip());
        if (!released) {
            copies.set(slot, copy); // a volatile write: the copy's bytes are seen whole by whoever reads it
        }
        return copy.direct();
    }

    private Optional<MethodHandle> bufferWrite(Class<?> type) {
        if (!containersOwn.test(type)) {
            return Optional.empty();
        }
        try {
            return Optional.of(MethodHandles.publicLookup().findVirtual(type, "write",
                    MethodType.methodType(void.class, ByteBuffer.class)));
        } catch (NoSuchMethodException | IllegalAccessException none) {
            return Optional.empty();
        }
    }

    /** Lets go of the copies: the streams have ended, and what Jetty still writes it holds itself. */
    void release() {
        released = true;
        for (int slot = 0; slot < SLOTS; slot++) {
            copies.set(slot, null);
        }
    }
}
