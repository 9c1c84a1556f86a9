package org.ssechat.testing;

import java.io.IOException;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;

/**
 * A client that reconnects the way a browser's EventSource does (WHATWG HTML, "Server-sent
 * events"): when a stream ends it waits the reconnection time the server last gave in a
 * {@code retry:} line and opens it again with {@code Last-Event-ID}; an answer other than 200
 * with {@code text/event-stream} "fails the connection" and it gives up for good, as browsers
 * do. So a test sees what a page would.
 */
public final class EventSourceClient implements AutoCloseable {

    /** The spec leaves the first reconnection time to the browser; Chromium uses 3 s. */
    private static final long DEFAULT_RETRY_MILLIS = 3000;

    private final URI uri;
    private final BlockingQueue<SseParser.Event> events = new LinkedBlockingQueue<>();
    private final List<String> openings = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean closed;
    private volatile String failedWith;
    private volatile SseStream current;

    private EventSourceClient(URI uri) {
        this.uri = uri;
        this.thread = new Thread(this::run, "event-source-client");
        thread.setDaemon(true);
    }

    public static EventSourceClient open(URI uri) {
        EventSourceClient client = new EventSourceClient(uri);
        client.thread.start();
        return client;
    }

    private void run() {
        long retryMillis = DEFAULT_RETRY_MILLIS;
        String lastEventId = null;
        while (!closed) {
            Map<String, String> headers = new HashMap<>(Map.of("Accept", "text/event-stream"));
            if (lastEventId != null) {
                headers.put("Last-Event-ID", lastEventId);
            }
            try (SseStream stream = SseStream.open(uri, headers)) {
                current = stream;
                String type = stream.header("Content-Type");
                if (stream.status() != 200 || type == null
                        || !type.toLowerCase(Locale.ROOT).startsWith("text/event-stream")) {
                    failedWith = stream.status() + " " + type; // a browser gives up here, for good
                    return;
                }
                openings.add("opened");
                while (!closed) {
                    SseParser.Event event = stream.poll(100);
                    if (event != null) {
                        if (event.id() != null) {
                            lastEventId = event.id();
                        }
                        events.add(event);
                    } else if (stream.hasEnded()) {
                        break;
                    }
                }
                for (String line : stream.lines()) {
                    if (line.startsWith("retry:")) {
                        retryMillis = Long.parseLong(line.substring(6).trim());
                    }
                }
            } catch (IOException | AssertionError e) {
                // a network error: reconnect after the delay, as a browser does
            } catch (InterruptedException e) {
                return;
            }
            try {
                Thread.sleep(retryMillis);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** The next event of any type, waiting at most the time given; fails the test if none comes. */
    public SseParser.Event next(long millis) throws InterruptedException {
        SseParser.Event event = events.poll(millis, TimeUnit.MILLISECONDS);
        if (event == null) {
            Assertions.fail("no event within " + millis + " ms; connections opened: " + openings.size()
                    + (failedWith == null ? "" : "; gave up after " + failedWith));
        }
        return event;
    }

    /** How many times a stream was opened (answered 200 text/event-stream, a refusal included). */
    public int openings() {
        return openings.size();
    }

    /** Why it gave up for good (as a browser would), or null while it goes on. */
    public String failedWith() {
        return failedWith;
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        SseStream stream = current;
        if (stream != null) {
            stream.close();
        }
    }
}
