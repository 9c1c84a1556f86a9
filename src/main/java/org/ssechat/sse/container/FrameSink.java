package org.ssechat.sse.container;

import jakarta.servlet.ServletOutputStream;
import java.io.IOException;

/**
 * How one encoded frame goes into a stream's response: the container's way (see
 * {@link ServletContainer#frameSink}). Called by the stream's one writer at a time, inside its
 * order; a frame is shared by many streams and never modified.
 */
@FunctionalInterface
public interface FrameSink {

    /** The servlet API's array write: the way of every container but Jetty, and of a stand-in's stream. */
    FrameSink ARRAY = (out, frame) -> out.write(frame);

    void write(ServletOutputStream out, byte[] frame) throws IOException;
}
