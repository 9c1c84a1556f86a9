package org.ssechat.app;

import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.ssechat.auth.Identity;
import org.ssechat.auth.RoomAccess;
import org.ssechat.auth.TokenKeys;
import org.ssechat.auth.TokenVerifier;
import org.ssechat.broker.Broker;
import org.ssechat.chat.ChatRequestException;
import org.ssechat.chat.MessageValidator;
import org.ssechat.publish.PublishBodyParser;
import org.ssechat.clock.ClockTicker;
import org.ssechat.config.ChatConfig;
import org.ssechat.config.ConfigException;
import org.ssechat.http.ClientAddress;
import org.ssechat.stream.HeapWatch;
import org.ssechat.publish.PublishToken;
import org.ssechat.publish.RateLimiter;
import org.ssechat.stream.StreamAdmission;
import org.ssechat.sse.container.StreamBudget;
import org.ssechat.hub.ChatHub;
import org.ssechat.hub.StreamReplay;
import org.ssechat.metrics.ChatMetrics;
import org.ssechat.sse.ClientRegistry;
import org.ssechat.sse.FanOut;
import org.ssechat.sse.Heartbeat;
import org.ssechat.sse.SseStreamOpener;
import org.ssechat.sse.StreamRefusal;

/**
 * The composition root: builds every part of one sse-chat instance from its configuration,
 * hands them to the servlets through the servlet context, and closes them in reverse order.
 * Nothing is static, so two instances (two WARs in one container, or a test) never share state.
 *
 * <p>The two roads, as wired here:
 * <pre>
 * POST /chat ── PublishExchange ── guards, parser, validator ──> broker.publish
 *     broker (in-process, or Redis channel ──> subscriber ──> delivery queue) ──> hub
 *     hub ── LiveFanOut: encode once ──> chatClients.broadcastEvent ──> each SseClient
 * GET /sse ── admission ──> chatStreams (StreamReplay: history, then live) ──> chatClients
 * </pre>
 */
public final class ChatApplication implements AutoCloseable {

    /** The servlet context attribute the servlets find this instance under. */
    public static final String ATTRIBUTE = ChatApplication.class.getName();

    private static final Logger LOG = Logger.getLogger(ChatApplication.class.getName());
    private static final long SHUTDOWN_WAIT_MILLIS = 2000;
    /** How long the stop waits for the container to finish the completed streams' requests. */
    private static final long FINISH_WAIT_MILLIS = 500;
    /** New streams are refused while more of the heap than this stays in use after a collection. */
    private static final double HEAP_MAX_USED_FRACTION = 0.8;
    /** How often the registries look for streams whose client the container saw close. */
    private static final long SWEEP_MILLIS = 250;
    /** How long open streams get to write their last frame when the application stops. */
    private static final long STOPPING_GRACE_MILLIS = 500;
    /** Client addresses the rate limiter tracks at most. */
    private static final int RATE_LIMITER_MAX_KEYS = 100_000;

    private final ChatConfig config;
    private final Clock clock;
    private final HeapWatch heapWatch;
    private final StreamAdmission admission;
    private final ClientAddress clientAddress;
    private final FanOut fanOut;
    private final ClientRegistry chatClients;
    private final ClientRegistry clockClients;
    private final ChatMetrics metrics;
    private final SseStreamOpener streamOpener;
    private final PublishBodyParser publishParser;
    private final MessageValidator validator;
    private final PublishToken publishToken;
    private final RoomAccess roomAccess;
    private final RateLimiter rateLimiter;
    private final ScheduledExecutorService scheduler;
    private final ExecutorService completer;
    private final DaemonThreads completerThreads = new DaemonThreads("sse-chat-completer");
    private final DaemonThreads schedulerThreads = new DaemonThreads("sse-chat-scheduler");
    private final Thread warmUp;
    private final Broker broker;
    private final StreamReplay chatStreams;

    /** @param serverInfo the container's {@code ServletContext.getServerInfo()}: what a stream costs depends on it */
    public ChatApplication(ChatConfig config, Clock clock, String serverInfo) {
        this.config = config;
        this.clock = clock;
        this.heapWatch = new HeapWatch(HEAP_MAX_USED_FRACTION);
        int maxStreams = config.maxClients() > 0 ? config.maxClients()
                : StreamBudget.defaultMaxStreams(Runtime.getRuntime().maxMemory(), serverInfo);
        this.admission = new StreamAdmission(maxStreams, config.maxStreamsPerAddress(), heapWatch::isShort);
        this.clientAddress = new ClientAddress(config.trustForwardedFor());
        this.fanOut = new FanOut(config.fanOutThreads());
        this.chatClients = new ClientRegistry(fanOut);
        this.clockClients = new ClientRegistry();
        this.metrics = new ChatMetrics(chatClients::size, clockClients::size);
        metrics.gauge("sse_chat_stream_addresses", "Client addresses with open streams.", admission::addresses);
        metrics.gauge("sse_chat_max_streams", "Streams this node takes at most (CHAT_MAX_CLIENTS, or derived from the heap).",
                admission::maxStreams);
        metrics.gauge("sse_chat_heap_headroom_bytes", "Heap left after the newest garbage collection.",
                heapWatch::headroomBytes);
        // Streams found gone or too slow are completed here, not on the fan-out or sweep that found them.
        this.completer = Executors.newSingleThreadExecutor(completerThreads);
        this.streamOpener = new SseStreamOpener(config.retryMillis(), config.clientBufferBytes(), metrics, completer);
        this.publishParser = new PublishBodyParser(config.maxBodyBytes());
        this.validator = new MessageValidator(config.maxTextLength(), config.maxUserLength());
        this.publishToken = new PublishToken(config.publishToken().orElse(null));
        this.roomAccess = roomAccess(config, validator, clock);
        Map<String, LongSupplier> authRefusals = new LinkedHashMap<>();
        for (RoomAccess.Reason reason : RoomAccess.Reason.values()) {
            authRefusals.put(reason.code(), () -> roomAccess.refusals(reason));
        }
        metrics.counters("sse_chat_auth_refusals_total", "Streams and posts refused for their token, by reason"
                + " (missing, malformed, algorithm, signature, expired, claims: 401; forbidden: 403).", "reason", authRefusals);
        this.rateLimiter = config.ratePerSecond() == 0 ? null
                : new RateLimiter(config.ratePerSecond(), config.rateBurst(), RATE_LIMITER_MAX_KEYS, System::nanoTime);

        // One thread for every timer: heartbeats for all streams, the clock, the broker's watchdog.
        ScheduledThreadPoolExecutor timers = new ScheduledThreadPoolExecutor(1, schedulerThreads);
        // A stream's token expiry is cancelled when the stream ends: gone from the queue at once,
        // not held (with its stream) until the time it was set for.
        timers.setRemoveOnCancelPolicy(true);
        this.scheduler = timers;

        // The message road: the broker delivers to the hub, the hub to the chat streams.
        this.broker = Brokers.create(config, validator, clock, scheduler, chatClients::hasClients);
        chatClients.onRoomChanges(broker::roomChanged);
        broker.registerMetrics(metrics);
        broker.start(new ChatHub(chatClients, broker, config.historySize(), metrics, clock));
        // The stream road: an admitted GET /sse replays its history, then goes live.
        this.chatStreams = new StreamReplay(chatClients, broker, streamOpener, config.historySize(), metrics);

        // Four times a second, streams whose client closed its connection leave, before a message
        // meets them: a share of them each time (ClientRegistry.closeGone, PeerWatch).
        every(() -> {
            chatClients.closeGone();
            clockClients.closeGone();
        }, SWEEP_MILLIS, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
        long heartbeat = config.heartbeatSeconds() * 1000L;
        every(new Heartbeat(chatClients, scheduler, heartbeat), heartbeat, heartbeat, TimeUnit.MILLISECONDS);
        // On the second, so a page's clock changes when the real second does.
        every(new ClockTicker(clockClients, clock), ClockTicker.millisToNextSecond(clock.instant()), 1000,
                TimeUnit.MILLISECONDS);
        if (rateLimiter != null) {
            every(rateLimiter::forgetIdle, 1, 1, TimeUnit.MINUTES);
        }
        this.warmUp = WarmUp.start(validator, publishParser);
    }

    /** Tokens from the configured keys, or none (every room open) when no key is set. */
    private static RoomAccess roomAccess(ChatConfig config, MessageValidator names, Clock clock) {
        Optional<TokenKeys> keys = TokenKeys.from(config.jwtSecret(), config.jwtPublicKey());
        if (keys.isEmpty() && config.authRequired()) {
            throw new ConfigException("CHAT_AUTH=required needs a key to check tokens with: set CHAT_JWT_SECRET or"
                    + " CHAT_JWT_PUBLIC_KEY");
        }
        TokenVerifier.NameRule nameRule = name -> {
            try {
                names.checkSender(name);
                return null;
            } catch (ChatRequestException e) {
                return e.getMessage();
            }
        };
        return new RoomAccess(keys.map(k -> new TokenVerifier(k, Duration.ofSeconds(config.jwtClockSkewSeconds()),
                nameRule, clock)).orElse(null), config.authRequired());
    }

    /** The instance the listener stored in a servlet context. */
    public static ChatApplication from(ServletContext context) {
        Object app = context.getAttribute(ATTRIBUTE);
        if (app == null) {
            throw new IllegalStateException("sse-chat did not start: see the log for the configuration error");
        }
        return (ChatApplication) app;
    }

    /** Runs a task periodically; an exception is logged and does not cancel later runs. */
    private void every(Runnable task, long initialDelay, long period, TimeUnit unit) {
        scheduler.scheduleAtFixedRate(() -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "Scheduled task failed; it runs again next period", e);
            }
        }, initialDelay, period, unit);
    }

    public ChatConfig config() {
        return config;
    }

    public Clock clock() {
        return clock;
    }

    /** Asks for a new stream of the request's client address (see {@link StreamAdmission}). */
    public StreamAdmission.Decision admitStream(HttpServletRequest req) {
        return admission.admit(clientAddress.of(req));
    }

    public StreamAdmission admission() {
        return admission;
    }

    public HeapWatch heapWatch() {
        return heapWatch;
    }

    public ClientRegistry chatClients() {
        return chatClients;
    }

    public ClientRegistry clockClients() {
        return clockClients;
    }

    /** Opens chat streams: history first, then live. */
    public StreamReplay chatStreams() {
        return chatStreams;
    }

    public SseStreamOpener streamOpener() {
        return streamOpener;
    }

    public Broker broker() {
        return broker;
    }

    public ChatMetrics metrics() {
        return metrics;
    }

    public PublishBodyParser publishParser() {
        return publishParser;
    }

    public MessageValidator validator() {
        return validator;
    }

    public PublishToken publishToken() {
        return publishToken;
    }

    /**
     * Spends one publish of the request's client address.
     *
     * @return 0 when allowed, else the seconds to wait
     */
    public long rateLimit(HttpServletRequest req) {
        return rateLimiter == null ? 0 : rateLimiter.acquire(clientAddress.of(req));
    }

    /**
     * Spends one publish of a token's subject: with a token, the limit is the user's, wherever
     * they post from (a subject cannot look like an address: it has the prefix).
     *
     * @return 0 when allowed, else the seconds to wait
     */
    public long rateLimit(Identity identity) {
        return rateLimiter == null ? 0 : rateLimiter.acquire("sub:" + identity.subject());
    }

    /** A century: timers set further out wait this long (a stream does not live that long). */
    private static final Duration LONGEST_TIMER = Duration.ofDays(36_525);

    /** Runs a task at a time (a token's expiry), on the node's timer thread; cancel it when it is no longer due. */
    public ScheduledFuture<?> at(Instant time, Runnable task) {
        // Saturating: a token may say it expires in the year 292 million, past what milliseconds count.
        Duration until = Duration.between(clock.instant(), time);
        long delay = until.isNegative() ? 0 : until.compareTo(LONGEST_TIMER) > 0 ? LONGEST_TIMER.toMillis() : until.toMillis();
        return scheduler.schedule(task, delay, TimeUnit.MILLISECONDS);
    }

    /** Who may read and post where (tokens). */
    public RoomAccess roomAccess() {
        return roomAccess;
    }

    /**
     * Refuses new streams (as {@code stopping}), stops the broker (no more messages), then the
     * timers and fan-out threads, then ends every open stream: each first gets the
     * {@code stopping} refusal, whose random {@code retry:} spreads the reconnections of a
     * redeploy over a few seconds instead of all coming back at once.
     */
    @Override
    public void close() {
        admission.stop();
        warmUp.interrupt();
        broker.close();
        stop(scheduler, schedulerThreads, false);
        fanOut.close(); // the broker, the only caller, has stopped
        for (ClientRegistry registry : List.of(chatClients, clockClients)) {
            registry.endAll(() -> StreamRefusal.drawnFrame(StreamRefusal.Reason.STOPPING, config.retryMillis()));
        }
        awaitEnded(STOPPING_GRACE_MILLIS);
        chatClients.closeAll("the application is stopping");
        clockClients.closeAll("the application is stopping");
        stop(completer, completerThreads, true); // the completions it holds still run
        // The container finishes each completed request on a thread of its own, with this
        // application's class loader set on it: Tomcat's leak check, run once this returns,
        // takes a thread still doing so for one the application left running. Bounded: Jetty,
        // stopping its connector first, does not finish every request it cut off.
        awaitFinished(FINISH_WAIT_MILLIS);
        heapWatch.close();
        try {
            warmUp.join(SHUTDOWN_WAIT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits until the container has finished every stream's request; says so when it has not. */
    private void awaitFinished(long millis) {
        if (!awaitUntil(() -> metrics.unfinishedStreams() == 0, millis)) {
            LOG.info(metrics.unfinishedStreams() + " stream(s) not yet finished by the container " + millis
                    + " ms after they were completed");
        }
    }

    /** Waits a little for streams to write their last frame and end by themselves. */
    private void awaitEnded(long millis) {
        awaitUntil(() -> chatClients.size() + clockClients.size() == 0, millis);
    }

    /** Polls until done or the time is up (or this thread is interrupted); whether it got done. */
    private static boolean awaitUntil(BooleanSupplier done, long millis) {
        long deadline = System.nanoTime() + millis * 1_000_000;
        try {
            while (!done.getAsBoolean() && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return done.getAsBoolean();
    }

    /**
     * Stops an executor and waits until its threads have died.
     *
     * @param finishQueued whether the tasks it holds still run (else they are dropped and the
     *                     running one interrupted)
     */
    private static void stop(ExecutorService executor, DaemonThreads threads, boolean finishQueued) {
        if (finishQueued) {
            executor.shutdown();
        } else {
            executor.shutdownNow();
        }
        try {
            if (!executor.awaitTermination(SHUTDOWN_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                LOG.warning("The " + threads.name() + " thread did not stop within " + SHUTDOWN_WAIT_MILLIS + " ms");
                executor.shutdownNow();
            }
            threads.join(SHUTDOWN_WAIT_MILLIS);
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
