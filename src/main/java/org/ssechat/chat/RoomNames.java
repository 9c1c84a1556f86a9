package org.ssechat.chat;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
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
     * The rooms a stream request names ({@code ?room=} repeated), each once, in the order given:
     * {@link ChatMessage#DEFAULT_ROOM} when it names none.
     *
     * @param maxRooms the most rooms one stream may follow
     * @throws ChatRequestException (400) for a name that is not a valid one, or more than {@code maxRooms}
     */
    public static List<String> requested(List<String> rooms, int maxRooms) throws ChatRequestException {
        Set<String> named = new LinkedHashSet<>();
        for (String room : rooms) {
            if (!room.isEmpty()) { // ?room=a&room= is room a: an empty value names none
                named.add(requested(room));
            }
        }
        if (named.size() > maxRooms) {
            throw ChatRequestException.badRequest("a stream follows at most " + maxRooms + " rooms; this one asks for "
                    + named.size());
        }
        return named.isEmpty() ? List.of(ChatMessage.DEFAULT_ROOM) : List.copyOf(named);
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
