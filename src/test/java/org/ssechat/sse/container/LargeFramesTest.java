package org.ssechat.sse.container;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.eclipse.jetty.fake.BufferWritingOutput;
import org.junit.jupiter.api.Test;

/** A frame larger than the response buffer goes to Jetty in one piece; anywhere else the array goes as it is. */
class LargeFramesTest {

    private static final int RESPONSE_BUFFER = 2048;

    private final FrameSink jettySink = ServletContainer.of(ServletContainer.Kind.JETTY).frameSink(RESPONSE_BUFFER);

    /** Jetty's fake stream's twin outside Jetty's package (a filter's wrapper, say): its write(ByteBuffer) is not used. */
    public static class NotJettys extends BufferWritingOutput {
        @Override
        public void write(ByteBuffer buffer) {
            throw new AssertionError("not asked of a stream that is not Jetty's");
        }
    }

    private static byte[] largeFrame() {
        byte[] frame = new byte[32 * 1024];
        frame[0] = 'a';
        frame[frame.length - 1] = 'z';
        return frame;
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }

    @Test
    void jettysStreamGetsALargeFrameWholeAsADirectBufferSharedBetweenWrites() throws Exception {
        byte[] frame = largeFrame();
        BufferWritingOutput out = new BufferWritingOutput();
        jettySink.write(out, frame);
        jettySink.write(out, frame);
        assertEquals(2, out.buffers.size());
        for (ByteBuffer buffer : out.buffers) {
            assertTrue(buffer.isDirect(), "a direct buffer: Jetty writes it whole");
            assertArrayEquals(frame, bytes(buffer), "the whole frame, from its own view");
        }
        assertNotSame(out.buffers.get(0), out.buffers.get(1), "each write has a view of its own");
        assertEquals(0, out.written.size(), "nothing went the array way");
    }

    @Test
    void everyThreadWritesFromTheOneCopyOfAFrame() throws Exception {
        LargeFrames frames = new LargeFrames(type -> true);
        byte[] frame = largeFrame();
        ByteBuffer copy = frames.copyOf(frame);
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            List<Future<ByteBuffer>> copies = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                copies.add(threads.submit(() -> frames.copyOf(frame)));
            }
            for (Future<ByteBuffer> other : copies) {
                assertSame(copy, other.get(), "the fan-out's threads share the copy");
            }
        } finally {
            threads.shutdownNow();
        }
        assertArrayEquals(frame, bytes(copy.duplicate()));
    }

    @Test
    void aSmallFrameAndAStreamThatIsNotJettysGoTheArrayWay() throws Exception {
        BufferWritingOutput out = new BufferWritingOutput();
        jettySink.write(out, new byte[RESPONSE_BUFFER]);
        assertEquals(RESPONSE_BUFFER, out.written.size(), "fits the response buffer: the array as it is");

        NotJettys wrapper = new NotJettys();
        jettySink.write(wrapper, largeFrame());
        assertEquals(32 * 1024, wrapper.written.size());
    }

    @Test
    void tomcatAndOtherContainersWriteTheArrayAsItIs() throws Exception {
        for (ServletContainer.Kind kind : List.of(ServletContainer.Kind.TOMCAT, ServletContainer.Kind.OTHER)) {
            assertSame(FrameSink.ARRAY, ServletContainer.of(kind).frameSink(RESPONSE_BUFFER), kind.name());
        }
    }

    @Test
    void afterTheStopAFrameIsStillWrittenWholeButItsCopyIsNotKept() throws Exception {
        LargeFrames frames = new LargeFrames(type -> true);
        byte[] frame = largeFrame();
        ByteBuffer kept = frames.copyOf(frame);
        frames.release();
        ByteBuffer afterwards = frames.copyOf(frame);
        assertNotSame(kept, afterwards, "released: the kept copy is let go");
        assertNotSame(afterwards, frames.copyOf(frame), "and a copy made afterwards is not kept");
        BufferWritingOutput out = new BufferWritingOutput();
        frames.write(out, frame);
        assertArrayEquals(frame, bytes(out.buffers.get(0)));
    }
}
