package org.ssechat.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Parses an event stream the way the WHATWG HTML spec ("Interpreting an event stream") tells a
 * browser to: one leading U+FEFF is ignored; lines end with CRLF, LF or CR (the caller splits
 * them); {@code field: value} with one optional space removed; {@code data} lines joined with LF;
 * an empty line dispatches the event if it has data, with type {@code message} when none or an
 * empty one was given; an {@code id} containing NUL is ignored; unknown fields are ignored.
 * Comments and {@code retry} values are kept apart, as written.
 *
 * <p>Where a browser's {@code lastEventId} carries over from event to event, {@link Event#id()}
 * is the id the event itself set, or null: what tests usually mean to check.
 * {@link #lastEventId()} is the spec's last event ID buffer; {@link #resumeId()} is the last
 * event ID string a browser sends back when it reconnects, which only a blank line moves.
 *
 * <p>Not thread-safe: one thread feeds it.
 */
public final class SseParser {

    /** One dispatched event; {@code id} is null when the event set none. */
    public record Event(String id, String event, String data) {
    }

    private static final String BOM = "\uFEFF";

    private final List<Event> events = new ArrayList<>();
    private final Consumer<Event> onEvent;
    private final List<String> comments = new ArrayList<>();
    private final List<String> retries = new ArrayList<>();
    private boolean firstLine = true;
    private String lastEventId = "";
    private String resumeId = "";
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
        if (firstLine) {
            firstLine = false;
            if (line.startsWith(BOM)) {
                line = line.substring(BOM.length());
            }
        }
        if (line.isEmpty()) {
            dispatch();
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
            case "id" -> {
                if (value.indexOf('\0') < 0) {
                    id = value;
                    lastEventId = value;
                }
            }
            case "event" -> event = value;
            case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
            case "retry" -> retries.add(value);
            default -> { } // unknown fields are ignored
        }
    }

    private void dispatch() {
        resumeId = lastEventId; // the spec's first step, before an event without data is dropped
        if (data != null) {
            Event dispatched = new Event(id, event == null || event.isEmpty() ? "message" : event, data.toString());
            events.add(dispatched);
            onEvent.accept(dispatched);
        }
        id = null;
        event = null;
        data = null;
    }

    public List<Event> events() {
        return events;
    }

    /** Comment lines, without the colon and surrounding blanks. */
    public List<String> comments() {
        return comments;
    }

    /** The values of {@code retry} lines, as written. */
    public List<String> retries() {
        return retries;
    }

    /** The spec's last event ID buffer: the newest id set, kept across events ("" before any). */
    public String lastEventId() {
        return lastEventId;
    }

    /**
     * The spec's last event ID string: the buffer as it stood at the last blank line, so moved
     * by an event with only an {@code id} too, and not by an event the connection cut off before
     * its blank line. What a browser sends as {@code Last-Event-ID} when it reconnects.
     */
    public String resumeId() {
        return resumeId;
    }
}
