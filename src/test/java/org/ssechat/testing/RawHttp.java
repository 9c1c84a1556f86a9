package org.ssechat.testing;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * HTTP/1.1 on a plain socket, for what the JDK client hides or refuses: a HEAD whose connection
 * the test closes at once, a request from another loopback address, a body sent a byte at a time,
 * every byte a connection received (heads and chunk framing included), and the three ways a
 * client leaves: a close (FIN), a reset (RST) and a half-close.
 */
public final class RawHttp implements AutoCloseable {

    /** How long a test waits for an answer's head before it fails. */
    public static final int WAIT_MILLIS = 10_000;

    /** A response's status line and headers (names in any case); the body is left unread. */
    public record Head(int status, Map<String, String> headers) {
        public String header(String name) {
            return headers.get(name);
        }
    }

    /** How {@link #readInto} stopped. */
    public enum End {
        /** The time or the byte budget ran out; the connection is still open. */
        OPEN,
        /** The server closed the connection (end of stream). */
        CLOSED,
        /** The connection broke: a reset, or any other error but the time running out. */
        BROKEN
    }

    private final Socket socket;
    private final URI uri;

    private RawHttp(Socket socket, URI uri) {
        this.socket = socket;
        this.uri = uri;
    }

    /** Connects to the URI's host and port from the given loopback address (null: any). */
    public static RawHttp connect(URI uri, InetAddress from) throws IOException {
        return connect(uri, from, 0);
    }

    /**
     * Connects with a socket receive buffer of this size (0: the system's): a small one keeps the
     * TCP window small, so a server writing to a client that stops reading soon finds it full.
     */
    public static RawHttp connect(URI uri, InetAddress from, int receiveBufferBytes) throws IOException {
        Socket socket = new Socket();
        if (from != null) {
            socket.bind(new InetSocketAddress(from, 0));
        }
        if (receiveBufferBytes > 0) {
            socket.setReceiveBufferSize(receiveBufferBytes); // before connecting, so the window stays small
        }
        socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), WAIT_MILLIS);
        socket.setSoTimeout(WAIT_MILLIS);
        return new RawHttp(socket, uri);
    }

    /** Sends a request head: method, the URI's path and query, Host, the given headers. */
    public RawHttp send(String method, Map<String, String> headers) throws IOException {
        return send(method, uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()), headers);
    }

    /** Sends a request head for a target written as it is, even one no URI class accepts ({@code /sse?room=a%}). */
    public RawHttp send(String method, String rawTarget, Map<String, String> headers) throws IOException {
        StringBuilder request = new StringBuilder()
                .append(method).append(' ').append(rawTarget)
                .append(" HTTP/1.1\r\nHost: ").append(uri.getHost()).append(':').append(uri.getPort()).append("\r\n");
        headers.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
        request.append("\r\n");
        write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
        return this;
    }

    /** Sends bytes of a body. */
    public void write(byte[] bytes) throws IOException {
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
    }

    /** Reads the status line and headers; fails the test if they do not come within the time given. */
    public Head readHead(int timeoutMillis) throws IOException {
        socket.setSoTimeout(timeoutMillis);
        InputStream in = socket.getInputStream();
        try {
            String statusLine = line(in);
            Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            for (String line = line(in); !line.isEmpty(); line = line(in)) {
                int colon = line.indexOf(':');
                headers.put(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
            }
            return new Head(Integer.parseInt(statusLine.split(" ")[1]), headers);
        } catch (SocketTimeoutException e) {
            throw new AssertionError(uri + " sent no response head within " + timeoutMillis + " ms", e);
        }
    }

    /** Reads the body of a response with a Content-Length, after {@link #readHead}. */
    public String readBody(Head head) throws IOException {
        int length = Integer.parseInt(head.header("Content-Length"));
        byte[] body = socket.getInputStream().readNBytes(length);
        return new String(body, StandardCharsets.UTF_8);
    }

    /**
     * Reads whatever comes, as it comes, into {@code into} until {@code millis} have passed,
     * {@code maxBytes} more bytes have arrived, or the server ends the connection; says which.
     * Call it again to read on.
     */
    public End readInto(ByteArrayOutputStream into, long millis, int maxBytes) throws IOException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[8192];
        int left = maxBytes;
        while (left > 0) {
            long remaining = (deadline - System.nanoTime()) / 1_000_000;
            if (remaining <= 0) {
                return End.OPEN;
            }
            socket.setSoTimeout((int) Math.min(remaining, Integer.MAX_VALUE));
            int n;
            try {
                n = in.read(buffer, 0, Math.min(buffer.length, left));
            } catch (SocketTimeoutException timeUp) {
                return End.OPEN;
            } catch (IOException broken) {
                return End.BROKEN;
            }
            if (n < 0) {
                return End.CLOSED;
            }
            into.write(buffer, 0, n);
            left -= n;
        }
        return End.OPEN;
    }

    /** Half-closes: the server reads the end of the request stream, and may still send. */
    public void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    /** Drops the connection with a reset (RST) instead of a close (FIN), as a crashed client or a lost network does. */
    public void reset() {
        try {
            socket.setSoLinger(true, 0);
        } catch (IOException ignored) {
            // closing anyway
        }
        close();
    }

    public boolean isClosed() {
        return socket.isClosed();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /** One line of a response head, without its line end; ISO-8859-1, as HTTP heads are. */
    static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != '\n') {
            if (b == -1) {
                throw new EOFException("the connection ended inside the response head");
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }
}
