package org.ssechat.testing;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A non-blocking output stream that behaves like a container's: writing while not ready is an
 * error, concurrent use is detected, becoming ready again calls onWritePossible, and once the
 * container has taken the response back ({@link #recycle()}) any touch is a misuse.
 */
public final class FakeOutput extends ServletOutputStream {

    private final ByteArrayOutputStream written = new ByteArrayOutputStream();
    private final AtomicInteger users = new AtomicInteger();
    private volatile boolean ready = true;
    private volatile boolean failWrites;
    private volatile RuntimeException throwOnWrite;
    private volatile Runnable onWrite = () -> { };
    private volatile boolean fillUpOnNextWrite;
    private volatile WriteListener listener;
    /** The container took the response back: it may serve another connection now. */
    private volatile boolean recycled;
    public volatile int flushes;
    public volatile boolean misused;
    /**
     * Jetty's rule: in non-blocking mode each write and flush must follow an {@code isReady()}
     * that said true (or the container's {@code onWritePossible}); its output refuses another,
     * "isReady() not called".
     */
    private volatile boolean askedReady;

    @Override
    public boolean isReady() {
        if (recycled) {
            misused = true;
        }
        boolean now = ready; // read once: the container's thread may make it ready meanwhile
        askedReady = now;
        return now;
    }

    /** Jetty's rule (see {@link #askedReady}): a write or flush uses up one true {@code isReady()}. */
    private void useReadiness() {
        if (!askedReady) {
            misused = true;
            throw new IllegalStateException("isReady() not called");
        }
        askedReady = false;
    }

    @Override
    public void setWriteListener(WriteListener writeListener) {
        this.listener = writeListener;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        enter();
        try {
            if (!ready) {
                misused = true;
                throw new IllegalStateException("write while not ready");
            }
            useReadiness();
            if (failWrites) {
                throw new IOException("Broken pipe");
            }
            if (throwOnWrite != null) {
                throw throwOnWrite;
            }
            onWrite.run();
            synchronized (written) {
                written.write(b, off, len);
            }
            if (fillUpOnNextWrite) {
                fillUpOnNextWrite = false;
                ready = false; // as a container does when a write fills its buffer
            }
        } finally {
            users.decrementAndGet();
        }
    }

    @Override
    public void flush() {
        enter();
        try {
            useReadiness();
            flushes++;
        } finally {
            users.decrementAndGet();
        }
    }

    private void enter() {
        if (users.incrementAndGet() != 1 || recycled) {
            misused = true; // two threads inside the stream at once, or a touch of a recycled response
        }
    }

    /** Whether a thread is inside write or flush now. */
    public boolean inUse() {
        return users.get() != 0;
    }

    /**
     * The container completed the request and took its response back, as Tomcat recycles it for
     * the next connection: from now on a write, flush or isReady would reach a stranger.
     */
    public void recycle() {
        if (inUse()) {
            misused = true; // completed while a thread was inside
        }
        recycled = true;
    }

    /** The container reports a failed write to the write listener, as it does on its own thread. */
    public void reportWriteError(Throwable error) {
        listener.onError(error);
    }

    /** Makes the stream ready and calls the listener, as the container does. */
    public void becomeReady() throws IOException {
        ready = true;
        askedReady = true; // as Jetty: onWritePossible is called ready
        listener.onWritePossible();
    }

    /** The socket is full: only the writer's own thread may see this change (see fillUpSoon). */
    public void blockWrites() {
        ready = false;
    }

    /** The next write fills the buffer: readiness drops inside the writer's own write. */
    public void fillUpSoon() {
        fillUpOnNextWrite = true;
    }

    /** The container's side: a stream that reported not-ready is made writable again. */
    public void becomeReadyIfBlocked() throws IOException {
        if (!ready) {
            becomeReady();
        }
    }

    /** Runs on every write, before the bytes are kept: to see in which order streams were written. */
    public void onWrite(Runnable hook) {
        onWrite = hook;
    }

    public void failWrites() {
        failWrites = true;
    }

    /**
     * Every later write throws this, as Tomcat's output stream throws a NullPointerException
     * when the container recycled the response between {@code isReady()} and {@code write()}.
     */
    public void throwOnWrite(RuntimeException exception) {
        throwOnWrite = exception;
    }

    public String text() {
        synchronized (written) {
            return written.toString(StandardCharsets.UTF_8);
        }
    }
}
