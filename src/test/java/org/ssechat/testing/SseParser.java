package org.ssechat.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Parses an event stream the way the WHATWG spec tells a browser to: lines end with CRLF, LF or
 * CR; {@code field: value} with one optional space removed; {@code data} lines joined with LF;
 * an empty line dispatches; comments are kept apart.
 */
public final class SseParser {

    /** One dispatched event; {@code id} is null when the event set none. */
    public record Event(String id, String event, String data) {
    }

    private final List<Event> events = new ArrayList<>();
    private final Consumer<Event> onEvent;
    private final List<String> comments = new ArrayList<>();
    private final List<String> retries = new ArrayList<>();
    private String id;
    private String event;
    private StringBuilder data;

    /** A parser that keeps what it parsed; see {@link #events()}. */
    public SseParser() {
        this(event -> { });
    }

    /** A parser that also hands each event, as it is dispatched, to {@code onEvent}. */
    public SseParser(Consumer<Event> onEvent) {
        this.onEvent = onEvent;
    }

    public static SseParser parse(String stream) {
        SseParser parser = new SseParser();
        for (String line : stream.split("\r\n|\r|\n", -1)) {
            parser.line(line);
        }
        return parser;
    }

    /** Feeds one line, without its line end. */
    public void line(String line) {
        if (line.isEmpty()) {
            if (data != null) {
                Event dispatched = new Event(id, event == null ? "message" : event, data.toString());
                events.add(dispatched);
                onEvent.accept(dispatched);
            }
            id = null;
            event = null;
            data = null;
            return;
        }
        if (line.startsWith(":")) {
            comments.add(line.substring(1).strip());
            return;
        }
        int colon = line.indexOf(':');
        String field = colon < 0 ? line : line.substring(0, colon);
        String value = colon < 0 ? "" : line.substring(colon + 1);
        if (value.startsWith(" ")) {
            value = value.substring(1);
        }
        switch (field) {
            case "id" -> id = value;
            case "event" -> event = value;
            case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
            case "retry" -> retries.add(value);
            default -> { } // unknown fields are ignored
        }
    }

    public List<Event> events() {
        return events;
    }

    public List<String> comments() {
        return comments;
    }

    public List<String> retries() {
        return retries;
    }
}
