package org.ssechat.chat;

import java.time.Instant;

/**
 * One chat message as every node and client sees it.
 *
 * @param id   the event id, increasing within the room; null until the broker assigns it
 * @param room the room it was sent to
 * @param user who sent it
 * @param text what it says; may contain newlines
 * @param time when the accepting node received it (UTC)
 */
public record ChatMessage(String id, String room, String user, String text, Instant time) {

    /** A room everybody is in unless they pick another. */
    public static final String DEFAULT_ROOM = "general";

    /** The same message with the id the broker assigned. */
    public ChatMessage withId(String newId) {
        return new ChatMessage(newId, room, user, text, time);
    }
}
