package org.ssechat.chat;

import java.util.regex.Pattern;

/**
 * What a room name may be: 1 to 64 letters, digits, {@code _} or {@code -}. Names travel in
 * URLs, Redis keys and log lines, so nothing that needs escaping is allowed.
 */
public final class RoomNames {

    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private RoomNames() {
    }

    public static boolean isValid(String room) {
        return room != null && VALID.matcher(room).matches();
    }

    /** The explanation sent with a 400 for a bad room. */
    public static String rule() {
        return "room must be 1 to 64 characters: letters, digits, '_' or '-'";
    }

    /**
     * The room a request names (its {@code ?room=}, or null): {@link ChatMessage#DEFAULT_ROOM} when
     * it names none.
     *
     * @throws ChatRequestException (400) for a name that is not a valid one
     */
    public static String requested(String room) throws ChatRequestException {
        if (room == null || room.isEmpty()) {
            return ChatMessage.DEFAULT_ROOM;
        }
        if (!isValid(room)) {
            throw ChatRequestException.badRequest(rule());
        }
        return room;
    }
}
