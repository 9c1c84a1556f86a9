package org.ssechat.config;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.ssechat.broker.redis.RedisUrl;

/**
 * Every setting of sse-chat, read once at startup and checked. An invalid value stops the
 * application from starting with a message that says which setting, where it came from and
 * what is allowed; the README lists the same names and defaults.
 *
 * @param heartbeatSeconds  seconds between keep-alive comments on idle streams
 * @param retryMillis       the reconnection delay announced to browsers
 * @param maxTextLength     the longest message text, in characters (code points)
 * @param maxUserLength     the longest user name, in characters (code points)
 * @param maxBodyBytes      the largest POST /chat body
 * @param clientBufferBytes bytes that may wait for one slow client before it is cut off
 * @param maxClients        open streams allowed on this node; 0 when unset: derived from the heap
 * @param fanOutThreads     threads that share one message's fan-out to a big room
 * @param redisUrl          the Redis server to share messages through; empty for in-process
 * @param channel           the Redis pub/sub channel
 * @param historySize       messages kept per room for clients that resume
 * @param historyTtlSeconds how long Redis keeps a room's history after its last message
 * @param publishToken      the secret POST /chat requires as a Bearer token; empty for none
 * @param ratePerSecond     messages one client address may publish per second (0: no limit)
 * @param rateBurst         messages one client address may publish at once
 * @param trustForwardedFor whether the client address is taken from X-Forwarded-For
 * @param maxStreamsPerAddress open streams one client address may hold (0: no limit)
 * @param bodyTimeoutSeconds how long a POST /chat body may take to arrive, in all
 * @param historyMaxBytes   the most memory the in-process history may hold, all rooms together
 * @param redisQueueBytes   the most bytes of Redis messages that may wait for this node's fan-out
 * @param jwtSecret         the HS256 key tokens may be signed with; empty for none
 * @param jwtPublicKey      the RS256 or ES256 public key (PEM, or the path of a PEM file); empty for none
 * @param jwtClockSkewSeconds how far a token's exp and nbf may be off this node's clock
 * @param authRequired      whether every room needs a token ({@code CHAT_AUTH=required}), not only private- ones
 * @param allowedOrigins    the origins other than the page's own that may use the API from a browser (CORS)
 */
public record ChatConfig(
        int heartbeatSeconds,
        long retryMillis,
        int maxTextLength,
        int maxUserLength,
        int maxBodyBytes,
        long clientBufferBytes,
        int maxClients,
        int fanOutThreads,
        Optional<URI> redisUrl,
        String channel,
        int historySize,
        long historyTtlSeconds,
        Optional<String> publishToken,
        int ratePerSecond,
        int rateBurst,
        boolean trustForwardedFor,
        int maxStreamsPerAddress,
        int bodyTimeoutSeconds,
        long historyMaxBytes,
        long redisQueueBytes,
        Optional<String> jwtSecret,
        Optional<String> jwtPublicKey,
        int jwtClockSkewSeconds,
        boolean authRequired,
        List<String> allowedOrigins) {

    public static final int DEFAULT_HEARTBEAT_SECONDS = 15;
    public static final long DEFAULT_RETRY_MILLIS = 3000;
    public static final int DEFAULT_MAX_TEXT_LENGTH = 2000;
    public static final int DEFAULT_MAX_USER_LENGTH = 32;
    public static final int DEFAULT_MAX_BODY_BYTES = 16 * 1024;
    public static final long DEFAULT_CLIENT_BUFFER_BYTES = 1024 * 1024;
    /** Unset: the application derives it from the heap and the container (see guard.StreamBudget). */
    public static final int DEFAULT_MAX_CLIENTS = 0;
    /** One thread a core, at most 4: beyond that the sockets, not the threads, are the limit. */
    public static final int DEFAULT_FAN_OUT_THREADS = Math.min(4, Runtime.getRuntime().availableProcessors());
    public static final String DEFAULT_CHANNEL = "chat";
    public static final int DEFAULT_HISTORY_SIZE = 1000;
    public static final long DEFAULT_HISTORY_TTL_SECONDS = 7 * 24 * 3600;
    public static final int DEFAULT_RATE_PER_SECOND = 10;
    public static final int DEFAULT_RATE_BURST = 20;
    public static final int DEFAULT_MAX_STREAMS_PER_ADDRESS = 100;
    public static final int DEFAULT_BODY_TIMEOUT_SECONDS = 10;
    /** An eighth of the heap, between 16 MiB and 1 GiB: 64 MiB in a JVM started with -Xmx512m. */
    public static final long DEFAULT_HISTORY_MAX_BYTES = heapShare(8, 16L << 20, 1L << 30);
    /** A sixteenth of the heap, at most 32 MiB (the pubsub buffer after which Redis cuts a subscriber off). */
    public static final long DEFAULT_REDIS_QUEUE_BYTES = heapShare(16, 1L << 20, 32L << 20);
    public static final int DEFAULT_JWT_CLOCK_SKEW_SECONDS = 30;

    private static long heapShare(int divisor, long min, long max) {
        return Math.max(min, Math.min(max, Runtime.getRuntime().maxMemory() / divisor));
    }

    /** Reads and checks every setting. */
    public static ChatConfig load(SettingSource source) {
        Reader r = new Reader(source);
        return new ChatConfig(
                (int) r.number("CHAT_HEARTBEAT_SECONDS", DEFAULT_HEARTBEAT_SECONDS, 1, 3600),
                r.number("CHAT_RETRY_MILLIS", DEFAULT_RETRY_MILLIS, 0, 3_600_000),
                (int) r.number("CHAT_MAX_TEXT_LENGTH", DEFAULT_MAX_TEXT_LENGTH, 1, 1_000_000),
                (int) r.number("CHAT_MAX_USER_LENGTH", DEFAULT_MAX_USER_LENGTH, 1, 1000),
                (int) r.number("CHAT_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES, 256, 64 * 1024 * 1024),
                r.number("CHAT_CLIENT_BUFFER_BYTES", DEFAULT_CLIENT_BUFFER_BYTES, 1024, 1L << 30),
                (int) r.number("CHAT_MAX_CLIENTS", DEFAULT_MAX_CLIENTS, 1, 10_000_000),
                (int) r.number("CHAT_FANOUT_THREADS", DEFAULT_FAN_OUT_THREADS, 1, 64),
                r.redisUrl("REDIS_URL"),
                r.text("CHAT_CHANNEL", DEFAULT_CHANNEL),
                (int) r.number("CHAT_HISTORY_SIZE", DEFAULT_HISTORY_SIZE, 1, 1_000_000),
                r.number("CHAT_HISTORY_TTL_SECONDS", DEFAULT_HISTORY_TTL_SECONDS, 60, 10L * 365 * 24 * 3600),
                r.optionalText("CHAT_PUBLISH_TOKEN"),
                (int) r.number("CHAT_RATE_LIMIT_PER_SECOND", DEFAULT_RATE_PER_SECOND, 0, 1_000_000),
                (int) r.number("CHAT_RATE_LIMIT_BURST", DEFAULT_RATE_BURST, 1, 1_000_000),
                r.flag("CHAT_TRUST_X_FORWARDED_FOR", false),
                (int) r.number("CHAT_MAX_STREAMS_PER_ADDRESS", DEFAULT_MAX_STREAMS_PER_ADDRESS, 0, 10_000_000),
                (int) r.number("CHAT_BODY_TIMEOUT_SECONDS", DEFAULT_BODY_TIMEOUT_SECONDS, 1, 3600),
                r.number("CHAT_HISTORY_MAX_BYTES", DEFAULT_HISTORY_MAX_BYTES, 64 * 1024, 1L << 40),
                r.number("CHAT_REDIS_QUEUE_BYTES", DEFAULT_REDIS_QUEUE_BYTES, 64 * 1024, 1L << 34),
                r.optionalText("CHAT_JWT_SECRET"),
                r.optionalText("CHAT_JWT_PUBLIC_KEY"),
                (int) r.number("CHAT_JWT_CLOCK_SKEW_SECONDS", DEFAULT_JWT_CLOCK_SKEW_SECONDS, 0, 3600),
                r.choice("CHAT_AUTH", "open", "required").equals("required"),
                r.origins("CHAT_ALLOWED_ORIGINS"));
    }

    /** The settings as a map for the startup log, with any password in the Redis URL hidden. */
    public Map<String, String> describe() {
        Map<String, String> map = new LinkedHashMap<>();
        map.put("CHAT_HEARTBEAT_SECONDS", String.valueOf(heartbeatSeconds));
        map.put("CHAT_RETRY_MILLIS", String.valueOf(retryMillis));
        map.put("CHAT_MAX_TEXT_LENGTH", String.valueOf(maxTextLength));
        map.put("CHAT_MAX_USER_LENGTH", String.valueOf(maxUserLength));
        map.put("CHAT_MAX_BODY_BYTES", String.valueOf(maxBodyBytes));
        map.put("CHAT_CLIENT_BUFFER_BYTES", String.valueOf(clientBufferBytes));
        map.put("CHAT_MAX_CLIENTS", maxClients == 0 ? "(unset: derived from the heap)" : String.valueOf(maxClients));
        map.put("CHAT_FANOUT_THREADS", String.valueOf(fanOutThreads));
        map.put("REDIS_URL", redisUrl.map(ChatConfig::redacted).orElse("(unset: in-process broker)"));
        map.put("CHAT_CHANNEL", channel);
        map.put("CHAT_HISTORY_SIZE", String.valueOf(historySize));
        map.put("CHAT_HISTORY_TTL_SECONDS", String.valueOf(historyTtlSeconds));
        map.put("CHAT_PUBLISH_TOKEN", publishToken.isPresent() ? "(set)" : "(unset: anybody may publish)");
        map.put("CHAT_RATE_LIMIT_PER_SECOND", ratePerSecond == 0 ? "0 (no limit)" : String.valueOf(ratePerSecond));
        map.put("CHAT_RATE_LIMIT_BURST", String.valueOf(rateBurst));
        map.put("CHAT_TRUST_X_FORWARDED_FOR", String.valueOf(trustForwardedFor));
        map.put("CHAT_MAX_STREAMS_PER_ADDRESS", maxStreamsPerAddress == 0 ? "0 (no limit)" : String.valueOf(maxStreamsPerAddress));
        map.put("CHAT_BODY_TIMEOUT_SECONDS", String.valueOf(bodyTimeoutSeconds));
        map.put("CHAT_HISTORY_MAX_BYTES", String.valueOf(historyMaxBytes));
        map.put("CHAT_REDIS_QUEUE_BYTES", String.valueOf(redisQueueBytes));
        map.put("CHAT_JWT_SECRET", jwtSecret.isPresent() ? "(set)" : "(unset)");
        map.put("CHAT_JWT_PUBLIC_KEY", jwtPublicKey.isPresent() ? "(set)" : "(unset)");
        map.put("CHAT_JWT_CLOCK_SKEW_SECONDS", String.valueOf(jwtClockSkewSeconds));
        map.put("CHAT_AUTH", authRequired ? "required" : "open");
        map.put("CHAT_ALLOWED_ORIGINS", allowedOrigins.isEmpty() ? "(unset: same origin only)" : String.join(",", allowedOrigins));
        return map;
    }

    static String redacted(URI uri) {
        return uri.getUserInfo() == null ? uri.toString() : uri.toString().replace(uri.getRawUserInfo(), "***");
    }

    /** Parses values and turns every bad one into a ConfigException that explains itself. */
    private record Reader(SettingSource source) {

        long number(String name, long defaultValue, long min, long max) {
            Optional<SettingSource.Value> value = source.get(name);
            if (value.isEmpty()) {
                return defaultValue;
            }
            try {
                long n = Long.parseLong(value.get().value());
                if (n >= min && n <= max) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // reported below, with the allowed range
            }
            throw invalid(value.get(), "a whole number from " + min + " to " + max);
        }

        Optional<String> optionalText(String name) {
            return source.get(name).map(SettingSource.Value::value);
        }

        boolean flag(String name, boolean defaultValue) {
            Optional<SettingSource.Value> value = source.get(name);
            if (value.isEmpty()) {
                return defaultValue;
            }
            switch (value.get().value().toLowerCase(Locale.ROOT)) {
                case "true", "yes", "1", "on" -> {
                    return true;
                }
                case "false", "no", "0", "off" -> {
                    return false;
                }
                default -> throw invalid(value.get(), "true or false");
            }
        }

        /** One of the allowed words (case-insensitive); the first when unset. */
        String choice(String name, String... allowed) {
            Optional<SettingSource.Value> value = source.get(name);
            if (value.isEmpty()) {
                return allowed[0];
            }
            for (String word : allowed) {
                if (word.equalsIgnoreCase(value.get().value().trim())) {
                    return word;
                }
            }
            throw invalid(value.get(), String.join(" or ", allowed));
        }

        /** A comma-separated list of exact origins: scheme://host[:port], nothing after it. */
        List<String> origins(String name) {
            Optional<SettingSource.Value> value = source.get(name);
            if (value.isEmpty() || value.get().value().isBlank()) {
                return List.of();
            }
            List<String> origins = new ArrayList<>();
            for (String part : value.get().value().split(",")) {
                String origin = part.trim();
                if (!ORIGIN.matcher(origin).matches()) {
                    throw invalid(value.get(), "origins like https://app.example.com or http://localhost:3000,"
                            + " separated by commas ('" + origin + "' is not one; '*' is not allowed with credentials)");
                }
                // Browsers send origins in lower case, with no default port: compare in that form.
                origins.add(origin.toLowerCase(Locale.ROOT).replaceFirst("^(http://[^/]+):80$", "$1")
                        .replaceFirst("^(https://[^/]+):443$", "$1"));
            }
            return List.copyOf(origins);
        }

        private static final Pattern ORIGIN =
                Pattern.compile("https?://[A-Za-z0-9.-]+(:\\d{1,5})?|https?://\\[[0-9A-Fa-f:.]+\\](:\\d{1,5})?");

        String text(String name, String defaultValue) {
            return source.get(name).map(SettingSource.Value::value).orElse(defaultValue);
        }

        Optional<URI> redisUrl(String name) {
            Optional<SettingSource.Value> value = source.get(name);
            if (value.isEmpty()) {
                return Optional.empty();
            }
            try {
                return Optional.of(RedisUrl.parse(value.get().value()).uri());
            } catch (IllegalArgumentException e) {
                throw invalid(new SettingSource.Value(name, redacted(value.get()), value.get().origin()),
                        "a URL like redis://host:6379, redis://:password@host:6379/0, rediss://host:6380 or"
                                + " redis-sentinel://host:26379,host:26380#mymaster (" + e.getMessage() + ")");
            }
        }

        private static String redacted(SettingSource.Value value) {
            // Never echo a password into the log, even from a URL that failed to parse.
            return value.value().replaceAll("//[^@/]*@", "//***@");
        }

        private static ConfigException invalid(SettingSource.Value value, String expected) {
            return new ConfigException("Invalid setting " + value.name() + "='" + value.value()
                    + "' (from " + value.origin() + "): expected " + expected);
        }
    }
}
