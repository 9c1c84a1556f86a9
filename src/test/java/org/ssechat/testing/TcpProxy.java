package org.ssechat.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP forwarder on loopback in front of a server, so a test can cut every connection and
 * refuse new ones for a while, as a network blip does, or answer them {@code 502} as a reverse
 * proxy does while its backend restarts, while the server keeps running; it also counts the
 * connections clients opened (to show that HTTP/2 requests shared one).
 */
public final class TcpProxy implements AutoCloseable {

    private final ServerSocket listener;
    private final int targetPort;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();
    private volatile boolean refusing;
    private volatile boolean badGateway;
    /** When set, the next request that holds these bytes reaches the server, and its answer never comes back. */
    private volatile byte[] cutAfter;
    private final AtomicInteger badGateways = new AtomicInteger();

    public TcpProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "tcp-proxy");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** How many connections clients opened through the proxy so far, refused ones included. */
    public int connectionsAccepted() {
        return accepted.get();
    }

    /** Cuts every open connection and refuses new ones until {@link #restore()}. */
    public void cut() {
        refusing = true;
        for (Socket socket : open) {
            closeQuietly(socket);
        }
    }

    /**
     * Cuts every open connection and answers each request on a new one with {@code 502 Bad
     * Gateway} (HTML, as nginx does), until {@link #restore()}.
     */
    public void answerBadGateway() {
        badGateway = true;
        cut();
    }

    /** How many requests were answered 502 so far. */
    public int badGatewaysAnswered() {
        return badGateways.get();
    }

    /**
     * Lets the next request whose bytes hold {@code marker} through to the server, drops
     * whatever the server answers on that connection, and then cuts it: a connection lost
     * between a command's write and its reply. Once.
     */
    public void cutAfterRequestContaining(String marker) {
        cutAfter = marker.getBytes(StandardCharsets.UTF_8);
    }

    public void restore() {
        badGateway = false;
        refusing = false;
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                accepted.incrementAndGet();
                if (badGateway) {
                    answerBadGateway(client);
                    continue;
                }
                if (refusing) {
                    closeQuietly(client);
                    continue;
                }
                Socket server = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                open.add(client);
                open.add(server);
                AtomicBoolean swallowing = new AtomicBoolean();
                pump(client, server, swallowing, true);
                pump(server, client, swallowing, false);
            } catch (IOException e) {
                // listener closed, or the target refused: the client sees its connection close
            }
        }
    }

    private void answerBadGateway(Socket client) {
        Thread thread = new Thread(() -> {
            try (client) {
                client.setSoTimeout(5000);
                InputStream in = client.getInputStream();
                int matched = 0;
                byte[] end = {'\r', '\n', '\r', '\n'};
                int b;
                while (matched < end.length && (b = in.read()) >= 0) {
                    matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
                }
                if (matched < end.length) {
                    return; // no whole request head: nothing to answer
                }
                byte[] body = "<html><body><h1>502 Bad Gateway</h1></body></html>\n".getBytes(StandardCharsets.US_ASCII);
                OutputStream out = client.getOutputStream();
                out.write(("HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html\r\nContent-Length: " + body.length
                        + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(body);
                out.flush();
                badGateways.incrementAndGet();
            } catch (IOException e) {
                // the client went away first
            }
        }, "tcp-proxy-502");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * @param swallowing the connection's answers are dropped (see {@link #cutAfterRequestContaining})
     * @param requests   whether this is the client's side, whose bytes are looked at
     */
    private void pump(Socket from, Socket to, AtomicBoolean swallowing, boolean requests) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[65536];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    byte[] marker = cutAfter;
                    boolean last = requests && marker != null && contains(buffer, n, marker);
                    if (last) {
                        cutAfter = null;
                        swallowing.set(true); // before the request goes: its answer cannot slip through
                    }
                    if (requests || !swallowing.get()) {
                        out.write(buffer, 0, n);
                        out.flush();
                    }
                    if (last) {
                        Thread.sleep(300); // the server does what it was asked, and answers into nothing
                        return;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (SocketException closed) {
                // cut() or the other side closed
            } catch (IOException e) {
                // the same, reported differently
            } finally {
                closeQuietly(from);
                closeQuietly(to);
                open.remove(from);
                open.remove(to);
            }
        }, "tcp-proxy-pump");
        thread.setDaemon(true);
        thread.start();
    }

    private static boolean contains(byte[] buffer, int length, byte[] marker) {
        outer:
        for (int i = 0; i + marker.length <= length; i++) {
            for (int j = 0; j < marker.length; j++) {
                if (buffer[i + j] != marker[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        cut();
    }
}
