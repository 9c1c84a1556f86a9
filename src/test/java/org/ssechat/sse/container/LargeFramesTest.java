package org.ssechat.sse.container;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import org.eclipse.jetty.fake.BufferWritingOutput;
import org.junit.jupiter.api.Test;

/** A frame larger than the response buffer goes to Jetty in one piece. */
class LargeFramesTest {

    /** Jetty's fake stream's twin outside Jetty's package: it has write(ByteBuffer), which must not be used. */
    public static class NotJetty extends BufferWritingOutput {
        @Override
        public void write(ByteBuffer buffer) {
            throw new AssertionError("not asked of a stream that is not Jetty's");
        }
    }

    /** Jetty's stream, as far as LargeFrames can tell: it is in Jetty's package and has write(ByteBuffer). */
    @Test
    void aStreamThatIsNotJettysIsLeftToTheArrayWrite() throws Exception {
        assertFalse(LargeFrames.write(new NotJetty(), new byte[32 * 1024]), "Tomcat writes a large array whole");
    }

    @Test
    void jettysStreamGetsTheFrameWholeAsADirectBufferSharedBetweenWrites() throws Exception {
        byte[] frame = new byte[32 * 1024];
        frame[0] = 'a';
        frame[frame.length - 1] = 'z';
        BufferWritingOutput out = new BufferWritingOutput();
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
}
