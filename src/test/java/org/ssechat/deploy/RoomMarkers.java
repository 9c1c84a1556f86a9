package org.ssechat.deploy;

import java.util.List;

/**
 * Message texts that say whose they are in every few bytes: the marker of the room and the
 * message's number, {@code <secret#123>}, over and over. Any piece of such a message that turns
 * up on a connection, even a slice of a frame between two chunk heads, names its room.
 */
final class RoomMarkers {

    private RoomMarkers() {
    }

    static String marker(String room, int number) {
        return "<" + room + "#" + number + ">";
    }

    /** The marker of {@code room} and {@code number} repeated to about {@code length} characters (once at least). */
    static String text(String room, int number, int length) {
        String marker = marker(room, number);
        return marker.repeat(Math.max(1, length / marker.length()));
    }

    /** The number of a text {@link #text} made for {@code room}, or -1 if it is not one. */
    static int number(String room, String text) {
        String prefix = "<" + room + "#";
        int end = text.indexOf('>');
        if (!text.startsWith(prefix) || end < 0) {
            return -1;
        }
        String marker = text.substring(0, end + 1);
        if (text.length() % marker.length() != 0 || !text.equals(marker.repeat(text.length() / marker.length()))) {
            return -1;
        }
        try {
            return Integer.parseInt(marker.substring(prefix.length(), marker.length() - 1));
        } catch (NumberFormatException notANumber) {
            return -1;
        }
    }

    /**
     * The rooms of {@code rooms}, other than {@code own} (null: none is), whose marker, or its
     * part {@code room#} that a chunk head cannot split off, appears in what a connection received.
     */
    static List<String> foreign(String received, String own, List<String> rooms) {
        return rooms.stream().filter(room -> !room.equals(own) && received.contains(room + "#")).toList();
    }
}
