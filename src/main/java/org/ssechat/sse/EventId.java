package org.ssechat.sse;

/**
 * An event id sse-chat can order: {@code <milliseconds>-<sequence>}, the form of Redis Stream
 * ids, which the in-process broker uses too. Ids from a client's {@code Last-Event-ID} are parsed
 * with {@link #parse}; anything else is not an id of ours.
 */
public record EventId(long millis, long sequence) implements Comparable<EventId> {

    /** Before every real id: a cursor that has seen nothing. */
    public static final EventId ZERO = new EventId(0, 0);

    /** The id, or null when the text is not of the form {@code digits-digits}. */
    public static EventId parse(String text) {
        if (text == null) {
            return null;
        }
        int dash = text.indexOf('-');
        if (dash < 1 || dash > 18 || text.length() - dash - 1 < 1 || text.length() - dash - 1 > 18) {
            return null; // at most 18 digits a part: always fits a long
        }
        long millis = digits(text, 0, dash);
        long sequence = digits(text, dash + 1, text.length());
        return millis < 0 || sequence < 0 ? null : new EventId(millis, sequence);
    }

    /** The number written in text[from, to), or -1 if anything there is not an ASCII digit. */
    private static long digits(String text, int from, int to) {
        long value = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    public boolean isAfter(EventId other) {
        return compareTo(other) > 0;
    }

    @Override
    public int compareTo(EventId other) {
        int byMillis = Long.compare(millis, other.millis);
        return byMillis != 0 ? byMillis : Long.compare(sequence, other.sequence);
    }

    @Override
    public String toString() {
        return millis + "-" + sequence;
    }
}
