package org.eclipse.jetty.fake;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A stand-in for Jetty's output stream in sse-chat's tests: in a Jetty package, with a public
 * {@code write(ByteBuffer)}, as Jetty's {@code HttpOutput} is (sse-chat's LargeFrames goes by both).
 */
public class BufferWritingOutput extends ServletOutputStream {

    public final ByteArrayOutputStream written = new ByteArrayOutputStream();
    public final List<ByteBuffer> buffers = new ArrayList<>();

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

    public void write(ByteBuffer buffer) {
        buffers.add(buffer);
    }
}
