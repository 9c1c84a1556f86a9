package org.ssechat.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;

/**
 * A test's event-stream client on a plain socket: sends a GET, reads the status and headers,
 * then reads the (chunked) body on a thread of its own, parses it as a browser would
 * ({@link SseParser}) and queues each event. Closing it drops the connection at once from the
 * client's side, as a closed browser tab does; JDK HTTP clients instead try to drain the body.
 *
 * <p>Every wait has a deadline and fails the test saying what did not come: the response head
 * within {@link #WAIT_MILLIS} (a stream must commit its headers at once), an event within
 * {@link #WAIT_MILLIS} ({@link #next()}), the end of the stream within the time given.
 *
 * <pre>{@code
 * try (SseStream stream = SseStream.open(base.resolve("sse?room=dev"))) {
 *     assertEquals(200, stream.status());
 *     SseParser.Event event = stream.next();
 * }
 * }</pre>
 */
public final class SseStream implements AutoCloseable {

    /** How long a test waits for an event before it fails. */
    public static final long WAIT_MILLIS = 10_000;
    private static final String HTTP_1_1 = "HTTP/1.1";

    private final Socket socket;
    private final InputStream in;
    private final int status;
    private final Map<String, String> headers;
    private final BlockingQueue<SseParser.Event> events = new LinkedBlockingQueue<>();
    private final List<String> lines = new CopyOnWriteArrayList<>();
    /** Counted down when the first body line arrives or the stream ends, whichever comes first. */
    private final CountDownLatch firstLine = new CountDownLatch(1);
    private final Thread reader;
    private volatile boolean ended;
    /** Why the connection broke, if it broke rather than ended or was closed by the test. */
    private volatile IOException failure;
    private volatile boolean closing;

    private SseStream(Socket socket, InputStream in, int status, Map<String, String> headers) {
        this.socket = socket;
        this.in = in;
        this.status = status;
        this.headers = Collections.unmodifiableMap(headers);
        this.reader = new Thread(this::read, "sse-test-reader");
        reader.setDaemon(true);
    }

    /** Opens a stream; the status and headers have arrived when this returns. */
    public static SseStream open(URI uri, Map<String, String> requestHeaders) throws IOException {
        return open(uri, requestHeaders, null);
    }

    /** Opens a stream from one loopback address of the test's (127.0.0.2, say): another client address. */
    public static SseStream open(URI uri, Map<String, String> requestHeaders, InetAddress from) throws IOException {
        SseStream stream = connect(uri, requestHeaders, 0, from, HTTP_1_1);
        stream.reader.start();
        return stream;
    }

    /**
     * Opens a stream over HTTP/1.0, as nginx proxies a request unless told otherwise
     * ({@code proxy_http_version}): the body is not chunked, and ends with the connection.
     */
    public static SseStream openHttp10(URI uri) throws IOException {
        SseStream stream = connect(uri, Map.of("Accept", "text/event-stream"), 0, null, "HTTP/1.0");
        stream.reader.start();
        return stream;
    }

    /**
     * Opens a stream that does not read its body until {@link #startReading()}, with a small
     * socket receive buffer: a client that stopped reading, whose server soon cannot send more.
     */
    public static SseStream openPaused(URI uri, Map<String, String> requestHeaders) throws IOException {
        return connect(uri, requestHeaders, 4096, null, HTTP_1_1);
    }

    /** Starts reading a stream opened with {@link #openPaused}. */
    public void startReading() {
        reader.start();
    }

    private static SseStream connect(URI uri, Map<String, String> requestHeaders, int receiveBuffer, InetAddress from,
            String httpVersion) throws IOException {
        Socket socket = new Socket();
        if (from != null) {
            socket.bind(new InetSocketAddress(from, 0));
        }
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer); // before connecting, so the TCP window stays small
        }
        socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), (int) WAIT_MILLIS);
        socket.setSoTimeout((int) WAIT_MILLIS);
        StringBuilder request = new StringBuilder()
                .append("GET ").append(uri.getRawPath()).append(uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery())
                .append(' ').append(httpVersion)
                .append("\r\nHost: ").append(uri.getHost()).append(':').append(uri.getPort()).append("\r\n");
        requestHeaders.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
        request.append("\r\n");
        OutputStream out = socket.getOutputStream();
        out.write(request.toString().getBytes(StandardCharsets.UTF_8));
        out.flush();

        InputStream raw = new BufferedInputStream(socket.getInputStream());
        int status;
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        try {
            String statusLine = headerLine(raw);
            status = Integer.parseInt(statusLine.split(" ")[1]);
            for (String line = headerLine(raw); !line.isEmpty(); line = headerLine(raw)) {
                int colon = line.indexOf(':');
                headers.put(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
            }
        } catch (SocketTimeoutException e) {
            socket.close();
            throw new AssertionError("GET " + uri + " sent no complete response head within " + WAIT_MILLIS
                    + " ms: a stream must commit its headers at once", e);
        }
        socket.setSoTimeout((int) WAIT_MILLIS * 3); // a stream that goes silent this long is broken
        InputStream body = "chunked".equalsIgnoreCase(headers.get("Transfer-Encoding")) ? new Chunked(raw)
                : headers.containsKey("Content-Length") ? new Bounded(raw, Long.parseLong(headers.get("Content-Length")))
                : raw;
        return new SseStream(socket, body, status, headers);
    }

    public static SseStream open(URI uri) throws IOException {
        return open(uri, Map.of("Accept", "text/event-stream"));
    }

    /** One way to open a stream: {@code () -> SseStream.openHttp10(uri)}, say. */
    @FunctionalInterface
    public interface Opener {
        SseStream open() throws IOException;
    }

    /**
     * Opens {@code count} streams one after another, each past its first line before the next,
     * and adds each to {@code into} as it opens: the caller's list, which its {@code finally}
     * closes, holds whatever was opened even if a later one fails.
     */
    public static void openEach(URI uri, int count, List<SseStream> into) throws IOException, InterruptedException {
        openEach(count, into, () -> open(uri));
    }

    /** As {@link #openEach(URI, int, List)}, each stream opened by {@code opener}. */
    public static void openEach(int count, List<SseStream> into, Opener opener) throws IOException, InterruptedException {
        for (int i = 0; i < count; i++) {
            SseStream stream = opener.open();
            into.add(stream);
            stream.awaitFirstLine();
        }
    }

    public int status() {
        return status;
    }

    /** A response header (the name in any case), or null. */
    public String header(String name) {
        return headers.get(name);
    }

    /** Every response header, by case-insensitive name; of a repeated header, the last. */
    public Map<String, String> headers() {
        return headers;
    }

    /** The next event, waiting at most {@link #WAIT_MILLIS}; fails the test if none comes. */
    public SseParser.Event next() throws InterruptedException {
        SseParser.Event event = events.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS);
        if (event == null) {
            Assertions.fail("no event within " + WAIT_MILLIS + " ms" + endState() + "; lines so far: " + lines, failure);
        }
        return event;
    }

    /** The next event if one comes within the time given, else null. */
    public SseParser.Event poll(long millis) throws InterruptedException {
        return events.poll(millis, TimeUnit.MILLISECONDS);
    }

    /** Every body line received so far, without line ends; comments and retry lines included. */
    public List<String> lines() {
        return List.copyOf(lines);
    }

    /** The comment lines received so far (such as heartbeats), without the colon and surrounding blanks. */
    public List<String> comments() {
        return lines.stream().filter(line -> line.startsWith(":")).map(line -> line.substring(1).strip()).toList();
    }

    /** Waits until the first body line (the retry line) has arrived: the stream is open and registered. */
    public String awaitFirstLine() throws InterruptedException {
        if (!firstLine.await(WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
            Assertions.fail("the stream sent nothing within " + WAIT_MILLIS + " ms");
        }
        if (lines.isEmpty()) {
            Assertions.fail("the stream sent nothing" + endState(), failure);
        }
        return lines.get(0);
    }

    /** Whether the server ended the stream (or the connection broke). */
    public boolean hasEnded() {
        return ended;
    }

    /** Why the connection broke, or null if it did not (it is open, ended, or was closed by the test). */
    public IOException failure() {
        return failure;
    }

    private String endState() {
        return !ended ? "" : failure == null ? " (the stream ended)" : " (the connection broke: " + failure + ")";
    }

    /**
     * Whether the server completed the response (its last chunk arrived), as an application does
     * when it ends a stream, rather than the connection breaking or being cut by the container.
     */
    public boolean hasEndedCleanly() {
        return ended && failure == null;
    }

    /** Waits until the server ends the stream; fails the test if it does not within the time given. */
    public void awaitEnd(long millis) throws InterruptedException {
        reader.join(millis);
        if (!ended) {
            Assertions.fail("the stream did not end within " + millis + " ms");
        }
    }

    private void read() {
        SseParser parser = new SseParser(events::add);
        try {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            boolean afterCr = false;
            int b;
            while ((b = in.read()) != -1) {
                if (b == '\n' && afterCr) {
                    afterCr = false;
                    continue; // the LF of a CRLF
                }
                afterCr = b == '\r';
                if (b == '\r' || b == '\n') {
                    String text = line.toString(StandardCharsets.UTF_8);
                    line.reset();
                    lines.add(text);
                    firstLine.countDown();
                    parser.line(text);
                } else {
                    line.write(b);
                }
            }
        } catch (IOException e) {
            if (!closing) {
                failure = e;
            }
        } finally {
            ended = true;
            firstLine.countDown();
        }
    }

    /** Drops the connection from the client's side. */
    @Override
    public void close() {
        closing = true;
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    private static String headerLine(InputStream in) throws IOException {
        return RawHttp.line(in);
    }

    private static String chunkLine(InputStream in) throws IOException {
        try {
            return headerLine(in);
        } catch (EOFException e) {
            throw new EOFException("the connection ended without the last chunk: the server cut the stream off");
        }
    }

    /** Decodes a chunked body: {@code size CRLF bytes CRLF}, ended by a chunk of size 0. */
    private static final class Chunked extends InputStream {
        private final InputStream in;
        private long left;
        private boolean done;

        Chunked(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            if (done) {
                return -1;
            }
            if (left == 0) {
                String size = chunkLine(in);
                if (size.isEmpty()) {
                    size = chunkLine(in); // the CRLF that ends the previous chunk
                }
                int semicolon = size.indexOf(';');
                String hex = (semicolon < 0 ? size : size.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
                try {
                    left = Long.parseLong(hex, 16);
                } catch (NumberFormatException e) {
                    // Bytes that are not this response's framing: a broken stream, not a dead reader thread.
                    throw new IOException("not a chunk head: '" + size.substring(0, Math.min(size.length(), 100)) + "'", e);
                }
                if (left == 0) {
                    done = true;
                    return -1;
                }
            }
            int b = in.read();
            if (b == -1) {
                throw new EOFException("the connection ended inside a chunk");
            }
            left--;
            return b;
        }
    }

    /** A body of a known length (a refusal, an error): it ends there, though the connection stays open. */
    private static final class Bounded extends InputStream {
        private final InputStream in;
        private long left;

        Bounded(InputStream in, long length) {
            this.in = in;
            this.left = length;
        }

        @Override
        public int read() throws IOException {
            if (left == 0) {
                return -1;
            }
            int b = in.read();
            if (b == -1) {
                throw new EOFException("the connection ended " + left + " bytes before the end of the body");
            }
            left--;
            return b;
        }
    }
}
