package org.ssechat.broker;

import org.ssechat.chat.ChatMessage;

/**
 * What a publish with a {@link PublishOnce} came to.
 *
 * @param message the message as first published (its id and time); null for a conflict
 * @param outcome whether it was published now, answered again, or refused
 */
public record Published(ChatMessage message, Outcome outcome) {

    public enum Outcome {
        /** Published now. */
        NEW,
        /** The key was used before for the same message: this is the first answer, nothing was published. */
        REPLAYED,
        /** The key was used before for another message: nothing was published. */
        CONFLICT
    }

    public static Published fresh(ChatMessage message) {
        return new Published(message, Outcome.NEW);
    }

    public static Published replayed(ChatMessage message) {
        return new Published(message, Outcome.REPLAYED);
    }

    public static Published conflict() {
        return new Published(null, Outcome.CONFLICT);
    }
}
