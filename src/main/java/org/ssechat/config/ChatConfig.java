package org.ssechat.config;

import static org.ssechat.config.Default.derived;
import static org.ssechat.config.Default.heapShare;
import static org.ssechat.config.Default.literal;
import static org.ssechat.config.Default.unset;
import static org.ssechat.config.Parser.choice;
import static org.ssechat.config.Parser.flag;
import static org.ssechat.config.Parser.integer;
import static org.ssechat.config.Parser.optional;
import static org.ssechat.config.Parser.origins;
import static org.ssechat.config.Parser.redis;
import static org.ssechat.config.Parser.text;
import static org.ssechat.config.Parser.wholeNumber;
import static org.ssechat.config.Setting.hidden;
import static org.ssechat.config.Setting.zeroMeans;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Every setting of sse-chat, read once at startup and checked. Each is one row of the table below
 * (its name, parser and range, default, how the log shows it, and meaning); loading,
 * {@link #describe()} and the documentation check (ConfigurationDocTest) all go through the table,
 * so a new setting is a new row, a typed read below it, and its line in the docs. An invalid
 * value stops the application from starting with a message that says which setting, where it
 * came from and what is allowed.
 */
public final class ChatConfig {

    static final Setting<Integer> HEARTBEAT_SECONDS = row("CHAT_HEARTBEAT_SECONDS", integer(1, 3600), literal(15),
            "seconds between keep-alive comments on idle streams");
    static final Setting<Long> RETRY_MILLIS = row("CHAT_RETRY_MILLIS", wholeNumber(0, 3_600_000), literal(3000L),
            "the reconnection delay announced to browsers");
    static final Setting<Integer> MAX_TEXT_LENGTH = row("CHAT_MAX_TEXT_LENGTH", integer(1, 1_000_000),
            literal(2000), "the longest message text, in characters (code points)");
    static final Setting<Integer> MAX_USER_LENGTH = row("CHAT_MAX_USER_LENGTH", integer(1, 1000), literal(32),
            "the longest user name, in characters (code points)");
    static final Setting<Integer> MAX_BODY_BYTES = row("CHAT_MAX_BODY_BYTES", integer(256, 64 * 1024 * 1024),
            literal(16 * 1024), "the largest POST /chat body");
    static final Setting<Long> CLIENT_BUFFER_BYTES = row("CHAT_CLIENT_BUFFER_BYTES", wholeNumber(1024, 1L << 30),
            literal(1024L * 1024), "bytes that may wait for one slow client before it is cut off");
    /** 0 when unset: the application derives it from the heap and the container (see sse.container.StreamBudget). */
    static final Setting<Integer> MAX_CLIENTS = row("CHAT_MAX_CLIENTS", integer(1, 10_000_000),
            derived("derived from the heap", () -> 0), zeroMeans("(unset: derived from the heap)"),
            "open streams allowed on this node");
    /** One thread a core, at most 4: beyond that the sockets, not the threads, are the limit. */
    static final Setting<Integer> FAN_OUT_THREADS = row("CHAT_FANOUT_THREADS", integer(1, 64),
            derived("cores, at most `4`", () -> Math.min(4, Runtime.getRuntime().availableProcessors())),
            "threads that share one message's fan-out to a big room");
    static final Setting<Optional<URI>> REDIS_URL = row("REDIS_URL", optional(redis()), unset(Optional.empty()),
            url -> url.map(Parser::redacted).orElse("(unset: in-process broker)"),
            "the Redis server to share messages through; unset: the in-process broker");
    static final Setting<String> CHANNEL = row("CHAT_CHANNEL", text(), literal("chat"),
            "the Redis pub/sub channel");
    static final Setting<Integer> HISTORY_SIZE = row("CHAT_HISTORY_SIZE", integer(1, 1_000_000), literal(1000),
            "messages kept per room for clients that resume");
    static final Setting<Long> HISTORY_TTL_SECONDS = row("CHAT_HISTORY_TTL_SECONDS",
            wholeNumber(60, 10L * 365 * 24 * 3600), literal(7L * 24 * 3600),
            "how long Redis keeps a room's history after its last message");
    static final Setting<Optional<String>> PUBLISH_TOKEN = row("CHAT_PUBLISH_TOKEN", optional(text()),
            unset(Optional.empty()), hidden("(unset: anybody may publish)"),
            "the secret POST /chat requires as a Bearer token");
    static final Setting<Integer> RATE_PER_SECOND = row("CHAT_RATE_LIMIT_PER_SECOND", integer(0, 1_000_000),
            literal(10), zeroMeans("0 (no limit)"), "messages one client address may publish per second");
    static final Setting<Integer> RATE_BURST = row("CHAT_RATE_LIMIT_BURST", integer(1, 1_000_000), literal(20),
            "messages one client address may publish at once");
    static final Setting<Boolean> TRUST_FORWARDED_FOR = row("CHAT_TRUST_X_FORWARDED_FOR", flag(), literal(false),
            "whether the client address is taken from X-Forwarded-For");
    static final Setting<Integer> MAX_STREAMS_PER_ADDRESS = row("CHAT_MAX_STREAMS_PER_ADDRESS",
            integer(0, 10_000_000), literal(100), zeroMeans("0 (no limit)"),
            "open streams one client address may hold");
    static final Setting<Integer> BODY_TIMEOUT_SECONDS = row("CHAT_BODY_TIMEOUT_SECONDS", integer(1, 3600),
            literal(10), "how long a POST /chat body may take to arrive, in all");
    static final Setting<Long> HISTORY_MAX_BYTES = row("CHAT_HISTORY_MAX_BYTES", wholeNumber(64 * 1024, 1L << 40),
            heapShare("an eighth of the heap, 16 MiB to 1 GiB", 8, 16L << 20, 1L << 30),
            "the most memory the in-process history may hold, all rooms together");
    /** At most 32 MiB: the pubsub buffer after which Redis cuts a subscriber off. */
    static final Setting<Long> REDIS_QUEUE_BYTES = row("CHAT_REDIS_QUEUE_BYTES", wholeNumber(64 * 1024, 1L << 34),
            heapShare("a sixteenth of the heap, at most 32 MiB", 16, 1L << 20, 32L << 20),
            "the most bytes of Redis messages that may wait for this node's fan-out");
    static final Setting<Optional<String>> JWT_SECRET = row("CHAT_JWT_SECRET", optional(text()),
            unset(Optional.empty()), hidden("(unset)"), "the HS256 key tokens may be signed with");
    static final Setting<Optional<String>> JWT_PUBLIC_KEY = row("CHAT_JWT_PUBLIC_KEY", optional(text()),
            unset(Optional.empty()), hidden("(unset)"),
            "the RS256 or ES256 public key (PEM, or the path of a PEM file)");
    static final Setting<Integer> JWT_CLOCK_SKEW_SECONDS = row("CHAT_JWT_CLOCK_SKEW_SECONDS", integer(0, 3600),
            literal(30), "how far a token's exp and nbf may be off this node's clock");
    static final Setting<String> AUTH = row("CHAT_AUTH", choice("open", "required"), literal("open"),
            "required: every room needs a token; open: only private- ones do");
    static final Setting<List<String>> ALLOWED_ORIGINS = row("CHAT_ALLOWED_ORIGINS", origins(), unset(List.of()),
            list -> list.isEmpty() ? "(unset: same origin only)" : String.join(",", list),
            "the origins other than the page's own that may use the API from a browser (CORS)");

    static final Setting<Integer> MAX_ROOMS_PER_STREAM = row("CHAT_MAX_ROOMS_PER_STREAM",
            integer(1, 255), literal(32), // 255 as Nchan's; sse.RoomPositions reads no id naming more
            "the most rooms one stream may follow (GET /sse?room=a&room=b...); more is a 400");

    static final Setting<Integer> IDEMPOTENCY_WINDOW_SECONDS = row("CHAT_IDEMPOTENCY_WINDOW_SECONDS",
            integer(1, 86_400), literal(600),
            "how long POST /chat remembers a sender's Idempotency-Key (a retry within it publishes nothing)");
    static final Setting<Integer> PRESENCE_TTL_SECONDS = row("CHAT_PRESENCE_TTL_SECONDS", integer(3, 3600),
            literal(15), "how long a node's presence counts after its last refresh (it refreshes every third of it)");
    static final Setting<Integer> PRESENCE_INTERVAL_MILLIS = row("CHAT_PRESENCE_INTERVAL_MILLIS",
            integer(100, 60_000), literal(1000), "the least time between two presence events of a room");

    /** Every setting, in the order of the startup log (ChatConfigTest: every row above is here). */
    static final List<Setting<?>> SETTINGS = List.of(
            HEARTBEAT_SECONDS, RETRY_MILLIS, MAX_TEXT_LENGTH, MAX_USER_LENGTH, MAX_BODY_BYTES, CLIENT_BUFFER_BYTES,
            MAX_CLIENTS, FAN_OUT_THREADS, REDIS_URL, CHANNEL, HISTORY_SIZE, HISTORY_TTL_SECONDS, PUBLISH_TOKEN,
            RATE_PER_SECOND, RATE_BURST, TRUST_FORWARDED_FOR, MAX_STREAMS_PER_ADDRESS, BODY_TIMEOUT_SECONDS,
            HISTORY_MAX_BYTES, REDIS_QUEUE_BYTES, JWT_SECRET, JWT_PUBLIC_KEY, JWT_CLOCK_SKEW_SECONDS, AUTH,
            ALLOWED_ORIGINS, MAX_ROOMS_PER_STREAM, IDEMPOTENCY_WINDOW_SECONDS, PRESENCE_TTL_SECONDS,
            PRESENCE_INTERVAL_MILLIS);

    private final Map<Setting<?>, Object> values;

    private ChatConfig(Map<Setting<?>, Object> values) {
        this.values = values;
    }

    /** Reads and checks every setting. */
    public static ChatConfig load(SettingSource source) {
        Map<Setting<?>, Object> values = new LinkedHashMap<>();
        for (Setting<?> setting : SETTINGS) {
            values.put(setting, setting.load(source));
        }
        return new ChatConfig(values);
    }

    /** The settings as a map for the startup log: names and values, no secret and no Redis password. */
    public Map<String, String> describe() {
        Map<String, String> map = new LinkedHashMap<>();
        for (Setting<?> setting : SETTINGS) {
            map.put(setting.name(), shown(setting));
        }
        return map;
    }

    public int heartbeatSeconds() {
        return get(HEARTBEAT_SECONDS);
    }

    public long retryMillis() {
        return get(RETRY_MILLIS);
    }

    public int maxTextLength() {
        return get(MAX_TEXT_LENGTH);
    }

    public int maxUserLength() {
        return get(MAX_USER_LENGTH);
    }

    public int maxBodyBytes() {
        return get(MAX_BODY_BYTES);
    }

    public long clientBufferBytes() {
        return get(CLIENT_BUFFER_BYTES);
    }

    public int maxClients() {
        return get(MAX_CLIENTS);
    }

    public int fanOutThreads() {
        return get(FAN_OUT_THREADS);
    }

    public Optional<URI> redisUrl() {
        return get(REDIS_URL);
    }

    public String channel() {
        return get(CHANNEL);
    }

    public int historySize() {
        return get(HISTORY_SIZE);
    }

    public long historyTtlSeconds() {
        return get(HISTORY_TTL_SECONDS);
    }

    public Optional<String> publishToken() {
        return get(PUBLISH_TOKEN);
    }

    public int ratePerSecond() {
        return get(RATE_PER_SECOND);
    }

    public int rateBurst() {
        return get(RATE_BURST);
    }

    public boolean trustForwardedFor() {
        return get(TRUST_FORWARDED_FOR);
    }

    public int maxStreamsPerAddress() {
        return get(MAX_STREAMS_PER_ADDRESS);
    }

    public int maxRoomsPerStream() {
        return get(MAX_ROOMS_PER_STREAM);
    }

    public int idempotencyWindowSeconds() {
        return get(IDEMPOTENCY_WINDOW_SECONDS);
    }

    public int presenceTtlSeconds() {
        return get(PRESENCE_TTL_SECONDS);
    }

    public int presenceIntervalMillis() {
        return get(PRESENCE_INTERVAL_MILLIS);
    }

    public int bodyTimeoutSeconds() {
        return get(BODY_TIMEOUT_SECONDS);
    }

    public long historyMaxBytes() {
        return get(HISTORY_MAX_BYTES);
    }

    public long redisQueueBytes() {
        return get(REDIS_QUEUE_BYTES);
    }

    public Optional<String> jwtSecret() {
        return get(JWT_SECRET);
    }

    public Optional<String> jwtPublicKey() {
        return get(JWT_PUBLIC_KEY);
    }

    public int jwtClockSkewSeconds() {
        return get(JWT_CLOCK_SKEW_SECONDS);
    }

    public boolean authRequired() {
        return get(AUTH).equals("required");
    }

    public List<String> allowedOrigins() {
        return get(ALLOWED_ORIGINS);
    }

    /** The value of one setting. */
    <T> T get(Setting<T> setting) {
        @SuppressWarnings("unchecked") // load() put each setting's own parse or default under it
        T value = (T) values.get(setting);
        return value;
    }

    private <T> String shown(Setting<T> setting) {
        return setting.shown().apply(get(setting));
    }

    private static <T> Setting<T> row(String name, Parser<T> parser, Default<T> byDefault, String meaning) {
        return row(name, parser, byDefault, String::valueOf, meaning);
    }

    private static <T> Setting<T> row(String name, Parser<T> parser, Default<T> byDefault,
            Function<? super T, String> shown, String meaning) {
        return new Setting<>(name, parser, byDefault, shown, meaning);
    }
}
