package org.ssechat.chat;

import java.time.Instant;
import org.ssechat.sse.EventId;

/**
 * One chat message as every node and client sees it.
 *
 * @param id   the event id, increasing within the room; null until the broker assigns it (and for a
 *             message another program published without one)
 * @param room the room it was sent to
 * @param user who sent it
 * @param text what it says; may contain newlines
 * @param time when the accepting node received it (UTC)
 * @param userId the sender's id ({@code sub}) when a signed token said who sent it; null otherwise
 */
public record ChatMessage(EventId id, String room, String user, String text, Instant time, String userId) {

    /** A message whose sender no token vouches for. */
    public ChatMessage(EventId id, String room, String user, String text, Instant time) {
        this(id, room, user, text, time, null);
    }

    /** A room everybody is in unless they pick another. */
    public static final String DEFAULT_ROOM = "general";

    /** The same message with the id the broker assigned. */
    public ChatMessage withId(EventId newId) {
        return new ChatMessage(newId, room, user, text, time, userId);
    }

    /** The same message from the sender a token names: its name, and its id. */
    public ChatMessage from(String name, String id) {
        return new ChatMessage(this.id, room, name, text, time, id);
    }
}
