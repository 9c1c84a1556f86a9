package org.ssechat.sse;

/**
 * An event id sse-chat can order: {@code <milliseconds>-<sequence>}, the form of Redis Stream
 * ids, which the in-process broker uses too. Each part is an unsigned 64-bit number, as in Redis
 * (up to {@code 18446744073709551615}), held in a {@code long} and compared unsigned. Ids from a
 * client's {@code Last-Event-ID} or another program's payload are parsed with {@link #parse};
 * anything else is not an id of ours.
 */
public record EventId(long millis, long sequence) implements Comparable<EventId> {

    /** Before every real id: a cursor that has seen nothing. */
    public static final EventId ZERO = new EventId(0, 0);

    /** The most digits a part has: 2^64 - 1 has 20. */
    private static final int MAX_DIGITS = 20;
    /** The longest an id's text can be: two parts of 20 digits and the dash. */
    public static final int MAX_TEXT_LENGTH = 2 * MAX_DIGITS + 1;

    /**
     * The id, or null when the text is not of the form {@code digits-digits} with each part below
     * 2^64. Leading zeros are taken ({@code 007-0} is {@code 7-0}), as Redis takes them.
     */
    public static EventId parse(String text) {
        if (text == null) {
            return null;
        }
        int dash = text.indexOf('-');
        if (dash < 1 || dash > MAX_DIGITS || text.length() - dash - 1 < 1 || text.length() - dash - 1 > MAX_DIGITS
                || !digits(text, 0, dash) || !digits(text, dash + 1, text.length())) {
            return null;
        }
        try {
            return new EventId(Long.parseUnsignedLong(text, 0, dash, 10),
                    Long.parseUnsignedLong(text, dash + 1, text.length(), 10));
        } catch (NumberFormatException past64Bits) {
            return null;
        }
    }

    /** Whether text[from, to) is all ASCII digits (parseUnsignedLong would also take a '+'). */
    private static boolean digits(String text, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    public boolean isAfter(EventId other) {
        return compareTo(other) > 0;
    }

    @Override
    public int compareTo(EventId other) {
        int byMillis = Long.compareUnsigned(millis, other.millis);
        return byMillis != 0 ? byMillis : Long.compareUnsigned(sequence, other.sequence);
    }

    @Override
    public String toString() {
        return Long.toUnsignedString(millis) + "-" + Long.toUnsignedString(sequence);
    }
}
