package org.ssechat.sse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A frame larger than the response buffer goes to the container in one piece where it can take one. */
class LargeFramesTest {

    /** A stream without write(ByteBuffer), as Servlet 6.0 has it. */
    public static class ArrayOnly extends ServletOutputStream {
        final ByteArrayOutputStream written = new ByteArrayOutputStream();

        @Override
        public boolean isReady() {
            return true;
        }

        @Override
        public void setWriteListener(WriteListener listener) {
        }

        @Override
        public void write(int b) {
            written.write(b);
        }
    }

    /** One with a public write(ByteBuffer), as Jetty's and every Servlet 6.1 stream has. */
    public static final class BufferWriting extends ArrayOnly {
        final List<ByteBuffer> buffers = new ArrayList<>();

        public void write(ByteBuffer buffer) {
            buffers.add(buffer);
        }
    }

    @Test
    void aStreamThatTakesBuffersGetsTheFrameWholeAsADirectBufferSharedBetweenWrites() throws Exception {
        byte[] frame = new byte[32 * 1024];
        frame[0] = 'a';
        frame[frame.length - 1] = 'z';
        BufferWriting out = new BufferWriting();
        assertTrue(LargeFrames.write(out, frame));
        assertTrue(LargeFrames.write(out, frame));
        assertEquals(2, out.buffers.size());
        for (ByteBuffer buffer : out.buffers) {
            assertTrue(buffer.isDirect(), "a direct buffer: Jetty writes it whole");
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            assertArrayEquals(frame, bytes, "the whole frame, from its own view");
        }
        assertEquals(0, out.written.size(), "nothing went the array way");
    }

    @Test
    void aStreamWithoutIsLeftToTheArrayWrite() throws Exception {
        assertFalse(LargeFrames.write(new ArrayOnly(), new byte[32 * 1024]));
    }
}
