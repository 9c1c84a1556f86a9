package org.ssechat.sse.container;

import jakarta.servlet.ServletOutputStream;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;

/**
 * Writes a frame larger than the stream's response buffer in one piece. Jetty writes a heap
 * array larger than its buffer in buffer-sized slices, each its own chunk and system call (so
 * a 32 KiB event left a 2 KiB-buffered stream in 16 pieces); a direct {@link ByteBuffer} it
 * writes whole. So on Jetty's stream, which has a public {@code write(ByteBuffer)}, a large
 * frame goes out as one, from a direct copy made once per frame and thread and shared by every
 * client that thread writes it to. Tomcat writes a large array whole already (measured: one read
 * per delivery at 32 KiB): there the array goes as it is.
 */
public final class LargeFrames {

    /** The stream class's public {@code write(ByteBuffer)}, or null when it has none. */
    private static final ClassValue<MethodHandle> BUFFER_WRITE = new ClassValue<>() {
        @Override
        protected MethodHandle computeValue(Class<?> type) {
            if (!type.getName().startsWith("org.eclipse.jetty.")) {
                return null;
            }
            try {
                return MethodHandles.publicLookup().findVirtual(type, "write",
                        MethodType.methodType(void.class, ByteBuffer.class));
            } catch (NoSuchMethodException | IllegalAccessException none) {
                return null;
            }
        }
    };

    /** The newest frame this thread wrote in one piece, and its direct copy. */
    private static final ThreadLocal<Copy> LAST = new ThreadLocal<>();

    private record Copy(byte[] frame, ByteBuffer direct) {
    }

    private LargeFrames() {
    }

    /** @return false when the stream cannot take a buffer: the caller writes the array */
    public static boolean write(ServletOutputStream out, byte[] frame) throws IOException {
        MethodHandle write = BUFFER_WRITE.get(out.getClass());
        if (write == null) {
            return false;
        }
        Copy copy = LAST.get();
        if (copy == null || copy.frame() != frame) {
            ByteBuffer direct = ByteBuffer.allocateDirect(frame.length).put(frame).flip();
            copy = new Copy(frame, direct);
            LAST.set(copy);
        }
        try {
            write.invoke(out, copy.direct().duplicate()); // a view of its own: the position is per write
            return true;
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IOException(e);
        }
    }
}
