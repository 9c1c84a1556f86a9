package repro;

import jakarta.servlet.*;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.*;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.*;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/** GET /sse[?lock=1]: async, non-blocking SSE stream written by one application thread every 2 ms. */
@WebServlet(urlPatterns = "/sse", asyncSupported = true)
public class SseServlet extends HttpServlet {
    static final byte[] EVENT = "data: tick\n\n".getBytes(StandardCharsets.US_ASCII);
    static final AtomicLong IO_ERRORS = new AtomicLong(), OTHER_ERRORS = new AtomicLong(), FRESH_ON_ERROR = new AtomicLong();
    final Set<Stream> streams = ConcurrentHashMap.newKeySet();
    ScheduledExecutorService ticker;

    @Override public void init() {
        ticker = Executors.newSingleThreadScheduledExecutor(r -> { Thread t = new Thread(r, "sse-ticker"); t.setDaemon(true); return t; });
        ticker.scheduleWithFixedDelay(() -> { for (Stream s : streams) s.tick(); }, 2, 2, TimeUnit.MILLISECONDS);
    }
    @Override public void destroy() { ticker.shutdownNow(); }

    @Override protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.setContentType("text/event-stream");
        AsyncContext ac = req.startAsync();
        ac.setTimeout(0);
        Stream s = new Stream(req.getInputStream(), resp.getOutputStream(), "1".equals(req.getParameter("lock")));
        ac.addListener(s);
        s.in.setReadListener(s);
        s.out.setWriteListener(s);
    }

    final class Stream implements ReadListener, WriteListener, AsyncListener {
        final ServletInputStream in; final ServletOutputStream out;
        final ReentrantLock lock;          // null = no application-side guard
        volatile boolean dead, wrote;
        Stream(ServletInputStream in, ServletOutputStream out, boolean useLock) {
            this.in = in; this.out = out; this.lock = useLock ? new ReentrantLock() : null;
        }
        /** Application thread (sse-ticker): write + flush one event. */
        void tick() {
            if (lock != null) lock.lock();
            try {
                if (dead || !out.isReady()) return;
                out.write(EVENT); wrote = true;
                if (out.isReady()) out.flush();
            } catch (IOException e) {
                IO_ERRORS.incrementAndGet(); drop();      // client gone; Tomcat's error dispatch completes the request
            } catch (RuntimeException e) {
                OTHER_ERRORS.incrementAndGet(); drop();
                log("ticker: unexpected " + e);
            } finally {
                if (lock != null) lock.unlock();
            }
        }
        void drop() { dead = true; streams.remove(this); }
        /** Container thread: must not return while the application thread is inside the stream. */
        void fence() { drop(); if (lock != null) { lock.lock(); lock.unlock(); } }

        @Override public void onWritePossible() { if (!dead) streams.add(this); }
        @Override public void onDataAvailable() throws IOException {
            byte[] b = new byte[256];
            while (in.isReady() && in.read(b) != -1) { /* discard */ }
        }
        @Override public void onAllDataRead() { }
        @Override public void onError(Throwable t) {                            // Read- and WriteListener
            if (!wrote && FRESH_ON_ERROR.incrementAndGet() <= 3) log("SSE stream that never wrote got onError(" + t + ")");
            fence();
        }
        @Override public void onError(AsyncEvent e) { fence(); }                // AsyncListener
        @Override public void onComplete(AsyncEvent e) { drop(); }
        @Override public void onTimeout(AsyncEvent e) { drop(); e.getAsyncContext().complete(); }
        @Override public void onStartAsync(AsyncEvent e) { }
    }
}
