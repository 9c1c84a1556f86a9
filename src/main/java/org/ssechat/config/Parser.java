package org.ssechat.config;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import org.ssechat.broker.redis.RedisUrl;

/**
 * How a setting's text becomes its value. {@code accepted} says what is allowed, in the words
 * of the error; a parse that refuses the text throws IllegalArgumentException, whose message,
 * if any, follows in parentheses. {@code echo} is the text as an error may show it.
 */
record Parser<T>(String accepted, Function<String, T> parse, UnaryOperator<String> echo) {

    private static final Pattern ORIGIN =
            Pattern.compile("https?://[A-Za-z0-9.-]+(:\\d{1,5})?|https?://\\[[0-9A-Fa-f:.]+\\](:\\d{1,5})?");

    /** The value of a setting found in {@code value}'s origin, or the ConfigException that stops the start. */
    T read(SettingSource.Value value) {
        try {
            return parse.apply(value.value());
        } catch (IllegalArgumentException e) {
            String detail = e.getMessage() == null ? "" : " (" + e.getMessage() + ")";
            throw ConfigException.invalid(value.name(), echo.apply(value.value()), value.origin(), accepted + detail);
        }
    }

    <U> Parser<U> map(Function<? super T, ? extends U> then) {
        return new Parser<>(accepted, text -> then.apply(parse.apply(text)), echo);
    }

    static Parser<Long> wholeNumber(long min, long max) {
        return new Parser<>("a whole number from " + min + " to " + max, text -> {
            try {
                long n = Long.parseLong(text);
                if (n >= min && n <= max) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // refused below: the range says all the error needs to
            }
            throw new IllegalArgumentException();
        }, UnaryOperator.identity());
    }

    static Parser<Integer> integer(int min, int max) {
        return wholeNumber(min, max).map(Long::intValue);
    }

    static Parser<String> text() {
        return new Parser<>("any text", Function.identity(), UnaryOperator.identity());
    }

    static <T> Parser<Optional<T>> optional(Parser<T> parser) {
        return parser.map(Optional::of);
    }

    static Parser<Boolean> flag() {
        return new Parser<>("true or false", text -> switch (text.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "1", "on" -> true;
            case "false", "no", "0", "off" -> false;
            default -> throw new IllegalArgumentException();
        }, UnaryOperator.identity());
    }

    /** One of the words, in any case. */
    static Parser<String> choice(String... words) {
        return new Parser<>(String.join(" or ", words), text -> {
            for (String word : words) {
                if (word.equalsIgnoreCase(text.trim())) {
                    return word;
                }
            }
            throw new IllegalArgumentException();
        }, UnaryOperator.identity());
    }

    /** A comma-separated list of exact origins: scheme://host[:port], nothing after it. */
    static Parser<List<String>> origins() {
        return new Parser<>("origins like https://app.example.com or http://localhost:3000, separated by commas",
                text -> {
                    List<String> origins = new ArrayList<>();
                    for (String part : text.split(",")) {
                        String origin = part.trim();
                        if (!ORIGIN.matcher(origin).matches()) {
                            throw new IllegalArgumentException(
                                    "'" + origin + "' is not one; '*' is not allowed with credentials");
                        }
                        // Browsers send origins in lower case, with no default port: compare in that form.
                        origins.add(origin.toLowerCase(Locale.ROOT).replaceFirst("^(http://[^/]+):80$", "$1")
                                .replaceFirst("^(https://[^/]+):443$", "$1"));
                    }
                    return List.copyOf(origins);
                }, UnaryOperator.identity());
    }

    /** A Redis URL as {@link RedisUrl} reads it; a password in it is never echoed, even when it fails. */
    static Parser<URI> redis() {
        return new Parser<>("a URL like redis://host:6379, redis://:password@host:6379/0, rediss://host:6380 or"
                + " redis-sentinel://host:26379,host:26380#mymaster", text -> RedisUrl.parse(text).uri(),
                text -> text.replaceAll("//[^@/]*@", "//***@"));
    }

    /** The URL with its user part, which may hold a password, as {@code ***}. */
    static String redacted(URI uri) {
        return uri.getUserInfo() == null ? uri.toString() : uri.toString().replace(uri.getRawUserInfo(), "***");
    }
}
