package org.ssechat.sse;

import java.nio.charset.StandardCharsets;

/**
 * One Server-Sent Events frame, built once and encoded once to the UTF-8 bytes that every
 * client receiving it is sent.
 *
 * <p>Framing follows the WHATWG HTML "event stream" format: each field is {@code name: value},
 * lines end with LF, and an empty line dispatches the event. A value can never leave its field:
 * {@code data} and comments are split at every CR, LF and CRLF into one line each (the browser
 * joins {@code data} lines back with LF); {@code id} and {@code event} are single-line by nature,
 * so CR, LF and NUL in them are refused rather than silently rewritten.
 *
 * <pre>{@code
 * byte[] frame = SseEvent.builder().id("17").event("message").data("{\"text\":\"hi\"}").encode();
 * // id: 17\nevent: message\ndata: {"text":"hi"}\n\n
 * }</pre>
 */
public final class SseEvent {

    /**
     * A comment line: ignored by EventSource, so it keeps an idle connection (and proxies) alive.
     * A new array each time: one kept in a static would be state every instance shares.
     */
    public static byte[] heartbeat() {
        return builder().comment("keep-alive").encode();
    }

    private SseEvent() {
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Collects fields in wire order; {@link #encode()} produces the frame's bytes. */
    public static final class Builder {
        private final StringBuilder text = new StringBuilder(128);

        private Builder() {
        }

        /** A comment; each of its lines becomes one {@code :} line. */
        public Builder comment(String comment) {
            for (String line : lines(comment)) {
                text.append(':');
                if (!line.isEmpty()) {
                    text.append(' ').append(line);
                }
                text.append('\n');
            }
            return this;
        }

        /** The reconnection time the browser should use, in milliseconds. */
        public Builder retry(long millis) {
            if (millis < 0) {
                throw new IllegalArgumentException("retry must not be negative: " + millis);
            }
            text.append("retry: ").append(millis).append('\n');
            return this;
        }

        /** The event id, which the browser sends back as {@code Last-Event-ID}. */
        public Builder id(String id) {
            // The spec ignores an id containing NUL, and CR/LF would end the field early.
            return singleLineField("id", id, true);
        }

        /** The event type; without one the browser dispatches a {@code message} event. */
        public Builder event(String event) {
            return singleLineField("event", event, false);
        }

        /** The payload; multi-line text becomes several {@code data:} lines. */
        public Builder data(String data) {
            for (String line : lines(data)) {
                text.append("data: ").append(line).append('\n');
            }
            return this;
        }

        /** The frame's bytes, ended by the blank line that dispatches the event. */
        public byte[] encode() {
            return new StringBuilder(text.length() + 1).append(text).append('\n')
                    .toString().getBytes(StandardCharsets.UTF_8);
        }

        private Builder singleLineField(String name, String value, boolean refuseNul) {
            if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0
                    || (refuseNul && value.indexOf('\0') >= 0)) {
                throw new IllegalArgumentException(
                        "SSE " + name + " must not contain CR, LF" + (refuseNul ? " or NUL" : ""));
            }
            text.append(name).append(": ").append(value).append('\n');
            return this;
        }
    }

    /** Splits at CRLF, CR and LF, exactly the line ends an event stream parser recognises. */
    static String[] lines(String value) {
        return value.split("\r\n|\r|\n", -1);
    }
}
