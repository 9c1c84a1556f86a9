package org.ssechat.auth;

import java.util.List;

/**
 * The rooms a token allows, from its {@code rooms} or {@code publish} claim: each entry a room
 * name, a prefix ending in {@code *} ({@code "team-*"}), or {@code "*"} for every room.
 */
public record RoomGrant(List<String> patterns) {

    public static final RoomGrant NONE = new RoomGrant(List.of());

    public RoomGrant {
        patterns = List.copyOf(patterns);
    }

    public boolean allows(String room) {
        for (String pattern : patterns) {
            if (pattern.endsWith("*")
                    ? room.startsWith(pattern.substring(0, pattern.length() - 1))
                    : room.equals(pattern)) {
                return true;
            }
        }
        return false;
    }
}
