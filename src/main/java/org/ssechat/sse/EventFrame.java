package org.ssechat.sse;

import java.util.Arrays;

/**
 * One event, encoded once for every stream it goes to. A stream of one room sends it whole,
 * with the message's own {@code id:} line; a stream of many rooms writes its own position as
 * the {@code id} (see {@link RoomPositions}) and then the rest of this same frame, which is cut
 * from it once, the first time such a stream needs it.
 */
public final class EventFrame {

    private static final byte[] ID_FIELD = {'i', 'd', ':', ' '};

    private final byte[] whole;
    /** The length of the frame's leading {@code id: ...\n} line; 0 when it has none. */
    private final int idLineLength;
    /** The frame after its id line; made once, when a stream of many rooms first needs it. */
    private volatile byte[] afterId;
    /** The id's text; made once, as {@link #afterId}. */
    private volatile byte[] idText;

    private EventFrame(byte[] whole, int idLineLength) {
        this.whole = whole;
        this.idLineLength = idLineLength;
    }

    /** A frame as it is: one without an id, or one that every stream is sent whole. */
    public static EventFrame of(byte[] frame) {
        return new EventFrame(frame, 0);
    }

    /** A frame that starts with its id line ({@link SseEvent.Builder#id} first). */
    public static EventFrame withId(byte[] frame) {
        if (!startsWithId(frame)) {
            return of(frame);
        }
        int lineEnd = 0;
        while (frame[lineEnd] != '\n') {
            lineEnd++;
        }
        return new EventFrame(frame, lineEnd + 1);
    }

    private static boolean startsWithId(byte[] frame) {
        if (frame.length < ID_FIELD.length) {
            return false;
        }
        for (int i = 0; i < ID_FIELD.length; i++) {
            if (frame[i] != ID_FIELD[i]) {
                return false;
            }
        }
        return true;
    }

    /** The frame with its own id line, as a one-room stream sends it. */
    public byte[] whole() {
        return whole;
    }

    /** The frame without its id line (the whole frame when it has none). */
    byte[] afterId() {
        if (idLineLength == 0) {
            return whole;
        }
        byte[] cut = afterId;
        if (cut == null) {
            cut = Arrays.copyOfRange(whole, idLineLength, whole.length);
            afterId = cut; // two streams racing here cut two equal copies: harmless
        }
        return cut;
    }

    /** The text of the frame's id, for a many-room stream's position; null without one. Made once. */
    byte[] idText() {
        if (idLineLength == 0) {
            return null;
        }
        byte[] text = idText;
        if (text == null) {
            text = Arrays.copyOfRange(whole, ID_FIELD.length, idLineLength - 1);
            idText = text;
        }
        return text;
    }

    /**
     * The frame's length, counted against a stream's limit; a stream of many rooms adds its own
     * id line (see {@link SseClient#ownBytesPerEvent()}), which is longer than the one it replaces.
     */
    int length() {
        return whole.length;
    }
}
