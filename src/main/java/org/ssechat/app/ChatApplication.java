package org.ssechat.app;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.Servlet;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletRegistration;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.logging.Logger;
import org.ssechat.auth.RoomAccess;
import org.ssechat.broker.Broker;
import org.ssechat.chat.MessageValidator;
import org.ssechat.clock.ClockTicker;
import org.ssechat.clock.TimeServlet;
import org.ssechat.config.ChatConfig;
import org.ssechat.config.ConfigException;
import org.ssechat.history.HistoryServlet;
import org.ssechat.http.ClientAddress;
import org.ssechat.http.CorsFilter;
import org.ssechat.http.SecurityHeadersFilter;
import org.ssechat.hub.ChatHub;
import org.ssechat.hub.StreamReplay;
import org.ssechat.metrics.ChatMetrics;
import org.ssechat.ops.HealthServlet;
import org.ssechat.ops.IdentityServlet;
import org.ssechat.ops.MetricsServlet;
import org.ssechat.presence.PresenceHub;
import org.ssechat.presence.PresenceServlet;
import org.ssechat.presence.TypingPost;
import org.ssechat.publish.ChatPublishServlet;
import org.ssechat.publish.PublishBodyParser;
import org.ssechat.publish.PublishHead;
import org.ssechat.publish.PublishRate;
import org.ssechat.publish.PublishToken;
import org.ssechat.publish.Publisher;
import org.ssechat.publish.RateLimiter;
import org.ssechat.sse.ClientRegistry;
import org.ssechat.sse.EventBatch;
import org.ssechat.sse.FanOut;
import org.ssechat.sse.Heartbeat;
import org.ssechat.sse.SseStreamOpener;
import org.ssechat.sse.StreamRefusal;
import org.ssechat.sse.container.ServletContainer;
import org.ssechat.sse.container.StreamBudget;
import org.ssechat.stream.ChatStreamServlet;
import org.ssechat.stream.HeapWatch;
import org.ssechat.stream.StreamAdmission;
import org.ssechat.stream.StreamGate;
import org.ssechat.stream.TokenExpiry;

/**
 * The composition root: builds every part of one sse-chat instance from its configuration,
 * registers the servlets and filters with the parts each uses, and closes the parts in reverse
 * order. Nothing calls back up into it, and nothing is static, so two instances (two WARs in
 * one container, or a test) never share state.
 *
 * <p>The two roads, as wired here:
 * <pre>
 * POST /chat ── PublishHead ── Publisher (parser, validator, access) ──> broker.publish
 *     broker (in-process, or Redis channel ──> subscriber ──> delivery queue) ──> hub
 *     hub ── LiveFanOut: encode once, batch ──> chatClients.broadcastBatch ──> each SseClient
 * GET /sse ── StreamGate ──> chatStreams (StreamReplay: history, then live) ──> chatClients
 * GET /history ── HistoryServlet ──> broker.historyBefore
 * </pre>
 */
public final class ChatApplication implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ChatApplication.class.getName());
    /** New streams are refused while more of the heap than this stays in use after a collection. */
    private static final double HEAP_MAX_USED_FRACTION = 0.8;
    /** How often the registries look for streams whose client the container saw close. */
    private static final long SWEEP_MILLIS = 250;
    /** How long open streams get to write their last frame when the application stops. */
    private static final long STOPPING_GRACE_MILLIS = 500;
    /** How long the stop waits for the container to finish the completed streams' requests. */
    private static final long FINISH_WAIT_MILLIS = 500;
    /** Typing signals one person may send per second, on average, and at once (POST /typing). */
    private static final int TYPING_PER_SECOND = 1;
    private static final int TYPING_BURST = 3;
    /** How long the stop waits for the warm-up thread, interrupted, to end. */
    private static final long WARM_UP_STOP_MILLIS = 2000;

    private final ChatConfig config;
    private final Clock clock;
    private final ServletContainer container;
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
    private final RoomAccess roomAccess;
    private final PublishRate publishRate;
    private final PublishRate typingRate;
    private final Timers timers = new Timers();
    private final DaemonThreads completerThreads = new DaemonThreads("sse-chat-completer");
    private final ExecutorService completer = Executors.newSingleThreadExecutor(completerThreads);
    private final DaemonThreads presenceThreads = new DaemonThreads("sse-chat-presence");
    private final ScheduledExecutorService presenceThread = Executors.newSingleThreadScheduledExecutor(presenceThreads);
    private final PresenceHub presence;
    private final Thread warmUp;
    private final Broker broker;
    private final StreamReplay chatStreams;

    /** @param container the container that serves the WAR: what a stream needs and costs depends on it */
    public ChatApplication(ChatConfig config, Clock clock, ServletContainer container) {
        this.config = config;
        this.clock = clock;
        this.container = container;
        // What a setting can still refuse comes first, before anything starts a thread.
        this.validator = new MessageValidator(config.maxTextLength(), config.maxUserLength());
        this.roomAccess = Tokens.roomAccess(config, validator, clock);
        if (config.presenceIntervalMillis() > config.presenceTtlSeconds() * 1000L / 3) {
            // Shares are refreshed at the presence thread's wakes: wakes further apart than a third
            // of the time to live would let live nodes' shares expire between refreshes.
            throw new ConfigException("CHAT_PRESENCE_INTERVAL_MILLIS=" + config.presenceIntervalMillis()
                    + " must be at most a third of CHAT_PRESENCE_TTL_SECONDS=" + config.presenceTtlSeconds()
                    + " (in milliseconds)");
        }
        this.heapWatch = new HeapWatch(HEAP_MAX_USED_FRACTION);
        int maxStreams = config.maxClients() > 0 ? config.maxClients()
                : StreamBudget.defaultMaxStreams(Runtime.getRuntime().maxMemory(), container.streamBytes());
        this.admission = new StreamAdmission(maxStreams, config.maxStreamsPerAddress(), heapWatch::isShort);
        this.clientAddress = new ClientAddress(config.trustForwardedFor());
        this.fanOut = new FanOut(config.fanOutThreads());
        this.chatClients = new ClientRegistry(fanOut);
        this.clockClients = new ClientRegistry();
        this.metrics = new ChatMetrics(chatClients::size, clockClients::size);
        admission.registerMetrics(metrics);
        heapWatch.registerMetrics(metrics);
        // Streams found gone or too slow are completed on the completer, not on the fan-out or sweep that found them.
        this.streamOpener = new SseStreamOpener(config.retryMillis(), config.clientBufferBytes(), metrics, completer,
                container);
        this.publishParser = new PublishBodyParser(config.maxBodyBytes());
        roomAccess.registerMetrics(metrics);
        this.publishRate = new PublishRate(config.ratePerSecond() == 0 ? null : new RateLimiter(config.ratePerSecond(),
                config.rateBurst(), PublishRate.MAX_KEYS, System::nanoTime), clientAddress);
        this.typingRate = new PublishRate(new RateLimiter(TYPING_PER_SECOND, TYPING_BURST, PublishRate.MAX_KEYS,
                System::nanoTime), clientAddress);

        // The message road: the broker delivers to the hub, the hub to the chat streams.
        this.broker = Brokers.create(config, validator, clock, timers.executor());
        chatClients.onRoomChanges(broker::subscribe, broker::unsubscribe);
        broker.registerMetrics(metrics);
        // Who is in each room, shared through the broker; the broker's signals reach it through the hub.
        this.presence = new PresenceHub(chatClients, broker, config.presenceTtlSeconds() * 1000L,
                config.presenceIntervalMillis(), presenceThread);
        presence.registerMetrics(metrics);
        broker.start(new ChatHub(chatClients, broker, config.historySize(), metrics, clock, presence::onSignal,
                EventBatch.maxBytesFor(config.clientBufferBytes())));
        // The stream road: an admitted GET /sse replays its history, then goes live.
        this.chatStreams = new StreamReplay(chatClients, broker, streamOpener, config.historySize(), metrics);

        // Four times a second, streams whose client closed its connection leave, before a message
        // meets them: a share of them each time (ClientRegistry.closeGone, PeerWatch).
        timers.every(() -> {
            chatClients.closeGone();
            clockClients.closeGone();
        }, SWEEP_MILLIS, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
        long heartbeat = config.heartbeatSeconds() * 1000L;
        timers.every(new Heartbeat(chatClients, timers.executor(), heartbeat), heartbeat, heartbeat,
                TimeUnit.MILLISECONDS);
        // On the second, so a page's clock changes when the real second does.
        timers.every(new ClockTicker(clockClients, clock), ClockTicker.millisToNextSecond(clock.instant()), 1000,
                TimeUnit.MILLISECONDS);
        timers.every(() -> {
            publishRate.forgetIdle();
            typingRate.forgetIdle();
        }, 1, 1, TimeUnit.MINUTES);
        this.warmUp = WarmUp.start(validator, publishParser);
    }

    /** Registers the filters and servlets, each with the parts it uses. */
    public void register(ServletContext context) {
        // In this order: a CORS preflight answered by the second still carries the first's headers.
        filter(context, "security-headers", new SecurityHeadersFilter());
        filter(context, "cors", new CorsFilter(config.allowedOrigins()));
        StreamGate gate = new StreamGate(admission, clientAddress, metrics, config.retryMillis());
        TokenExpiry expiry = new TokenExpiry(timers.executor(), clock,
                Duration.ofSeconds(config.jwtClockSkewSeconds()));
        servlet(context, "chat-stream", "/sse", true,
                new ChatStreamServlet(gate, roomAccess, chatStreams, expiry, clock, config.historySize(),
                        config.maxRoomsPerStream(), presence, validator));
        servlet(context, "chat-history", "/history", false, new HistoryServlet(roomAccess, broker));
        PublishHead head = new PublishHead(roomAccess, publishRate,
                new PublishToken(config.publishToken().orElse(null)), publishParser, config.allowedOrigins());
        Publisher publisher = new Publisher(publishParser, validator, roomAccess, broker, metrics, clock,
                config.idempotencyWindowSeconds() * 1000L);
        servlet(context, "chat-publish", "/chat", true,
                new ChatPublishServlet(head, publisher, metrics, config.bodyTimeoutSeconds()));
        // POST /typing: a post's rules, its own rate, and a body that is a message without its text.
        PublishHead typingHead = new PublishHead(roomAccess, typingRate,
                new PublishToken(config.publishToken().orElse(null)), publishParser, config.allowedOrigins());
        servlet(context, "typing", "/typing", true, new ChatPublishServlet(typingHead,
                new TypingPost(publishParser, validator, roomAccess, presence), metrics, config.bodyTimeoutSeconds()));
        servlet(context, "presence", "/presence", false, new PresenceServlet(roomAccess, presence));
        servlet(context, "time-stream", "/time", true, new TimeServlet(gate, streamOpener, clockClients, clock));
        servlet(context, "health", "/health", true,
                new HealthServlet(broker, chatClients, clockClients, admission, heapWatch, roomAccess));
        servlet(context, "metrics", "/metrics", false, new MetricsServlet(metrics));
        servlet(context, "identity", "/me", false, new IdentityServlet(roomAccess));
    }

    private static void filter(ServletContext context, String name, Filter filter) {
        FilterRegistration.Dynamic registration = context.addFilter(name, filter);
        if (registration == null) {
            throw new IllegalStateException("a filter named " + name + " is already registered (an old class left in the"
                    + " WAR, or web.xml?)");
        }
        registration.setAsyncSupported(true);
        registration.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), true, "/*");
    }

    private static void servlet(ServletContext context, String name, String path, boolean async, Servlet servlet) {
        ServletRegistration.Dynamic registration = context.addServlet(name, servlet);
        if (registration == null) {
            throw new IllegalStateException("a servlet named " + name + " is already registered (an old class left in"
                    + " the WAR, or web.xml?)");
        }
        registration.setAsyncSupported(async);
        registration.addMapping(path);
    }

    /** What the start's log line says of this node. */
    public String describe() {
        return "the " + broker.name() + " broker, at most " + admission.maxStreams() + " streams";
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
        // The presence thread first (a wake could write a share back), then this node's shares
        // out of Redis, before the broker closes.
        presenceThreads.stop(presenceThread, false);
        presence.close();
        broker.close();
        timers.close();
        fanOut.close(); // the broker, the only caller, has stopped
        for (ClientRegistry registry : List.of(chatClients, clockClients)) {
            registry.endAll(() -> StreamRefusal.drawnFrame(StreamRefusal.Reason.STOPPING, config.retryMillis()));
        }
        awaitUntil(() -> chatClients.size() + clockClients.size() == 0, STOPPING_GRACE_MILLIS);
        chatClients.closeAll("the application is stopping");
        clockClients.closeAll("the application is stopping");
        completerThreads.stop(completer, true); // the completions it holds still run
        // The container finishes each completed request on a thread of its own, with this
        // application's class loader set on it: Tomcat's leak check, run once this returns,
        // takes a thread still doing so for one the application left running. Bounded: Jetty,
        // stopping its connector first, does not finish every request it cut off.
        if (!awaitUntil(() -> metrics.unfinishedStreams() == 0, FINISH_WAIT_MILLIS)) {
            LOG.info(metrics.unfinishedStreams() + " stream(s) not yet finished by the container " + FINISH_WAIT_MILLIS
                    + " ms after they were completed");
        }
        heapWatch.close();
        try {
            warmUp.join(WARM_UP_STOP_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        container.close();
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
}
