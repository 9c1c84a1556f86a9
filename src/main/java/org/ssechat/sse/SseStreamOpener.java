package org.ssechat.sse;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.Executor;
import org.ssechat.sse.container.FrameSink;
import org.ssechat.sse.container.ServletContainer;

/**
 * Turns an admitted GET request into an open event stream: the headers, an async context
 * without a container timeout, a registered {@link SseClient}, and a first frame that commits
 * the response at once.
 */
public final class SseStreamOpener {

    public static final String CONTENT_TYPE = "text/event-stream;charset=UTF-8";
    /** The response buffer of a stream; frames larger than it are written through. */
    static final int STREAM_BUFFER_BYTES = 2048;

    private final long retryMillis;
    private final long clientBufferBytes;
    private final StreamStats stats;
    private final Executor completer;
    private final ServletContainer container;
    /** How the container takes a frame into a stream with this opener's response buffer. */
    private final FrameSink sink;

    /**
     * @param retryMillis       the reconnection delay announced to browsers in the first frame
     * @param clientBufferBytes the byte limit of each client's outgoing queue
     * @param stats             where the streams' writes and overflows are counted
     * @param completer         where the completions of clients found gone or too slow run (see {@link SseClient})
     * @param container         the container that serves the streams: how they are written and watched
     */
    public SseStreamOpener(long retryMillis, long clientBufferBytes, StreamStats stats, Executor completer,
            ServletContainer container) {
        this.retryMillis = retryMillis;
        this.clientBufferBytes = clientBufferBytes;
        this.stats = stats;
        this.completer = completer;
        this.container = container;
        this.sink = container.frameSink(STREAM_BUFFER_BYTES);
    }

    /**
     * The headers of every event stream, also of a HEAD request's answer and of a refusal. Any
     * {@code Accept} header is fine: {@code curl -N} sends {@code *}{@code /*}.
     */
    public static void setStreamHeaders(HttpServletResponse resp) {
        resp.setContentType(CONTENT_TYPE);
        resp.setHeader("Cache-Control", "no-cache");
        // nginx buffers proxied responses unless told not to, which would hold events back.
        resp.setHeader("X-Accel-Buffering", "no");
    }

    /**
     * Opens the stream and registers it. The caller has checked the request and admitted it;
     * the response must not be committed yet.
     *
     * @param rooms          the stream's rooms, each once, in the order asked for
     * @param holdLiveEvents whether live events wait until the caller has replayed history and
     *                       called {@link SseClient#releaseHeldEvents()}
     * @param onClosed       runs once when the stream ends, for any reason (its admission ends)
     * @param firstFrames    frames sent right after the {@code retry:} line
     */
    public SseClient open(HttpServletRequest req, HttpServletResponse resp, List<String> rooms, ClientRegistry registry,
            boolean holdLiveEvents, Runnable onClosed, byte[]... firstFrames) throws IOException {
        // A stream flushes after every burst of frames, so a large response buffer would only be
        // memory held for as long as the stream is open (Jetty keeps 32 KB, Tomcat 8 KB).
        resp.setBufferSize(STREAM_BUFFER_BYTES);
        resp.setStatus(HttpServletResponse.SC_OK);
        setStreamHeaders(resp);

        AsyncContext async = req.startAsync();
        // Tomcat and Jetty end an async request after 30 s by default; a stream lives until closed.
        async.setTimeout(0);
        SseClient client = new SseClient(async, rooms, clientBufferBytes, closed -> {
            registry.remove(closed);
            onClosed.run();
        }, stats, completer, sink, container::watch);
        // The first frame commits the headers with a flush, so clients see the stream open now.
        client.send(SseEvent.builder().retry(retryMillis).encode());
        for (byte[] frame : firstFrames) {
            client.send(frame);
        }
        if (holdLiveEvents) {
            client.holdLiveEvents(); // before registering: no live event may slip past the replay
        }
        client.start();
        registry.add(client);
        return client;
    }
}
