package org.ssechat.chat;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Decides whether a submitted message may be published, and normalises it: line ends become
 * LF, the user name is trimmed, a missing room becomes {@link ChatMessage#DEFAULT_ROOM}.
 *
 * <p>A name must look like what it is: format characters (Unicode category Cf: bidi overrides,
 * zero-width spaces and joiners, ...) are refused, because they make {@code "\u202Eadmin\u200B"}
 * display as someone else; and {@link #SYSTEM_USER}, the name of messages other programs publish
 * into the channel, is reserved for them.
 */
public final class MessageValidator {

    /** Who a message published straight into the channel is from when it does not say. */
    public static final String SYSTEM_USER = "system";

    private final int maxTextLength;
    private final int maxUserLength;

    /** Limits are in characters (Unicode code points), so an emoji counts as one. */
    public MessageValidator(int maxTextLength, int maxUserLength) {
        this.maxTextLength = maxTextLength;
        this.maxUserLength = maxUserLength;
    }

    /**
     * @param user, text, room as submitted; null when absent
     * @return the message to publish, without id, stamped with {@code now}
     * @throws ChatRequestException (400) saying what is wrong
     */
    public ChatMessage validate(String user, String text, String room, Instant now) throws ChatRequestException {
        String name = checkSender(user);
        return new ChatMessage(null, RoomNames.requested(room), name, checkText(text),
                now.truncatedTo(ChronoUnit.MILLIS));
    }

    /**
     * The checks of a posted sender's name (also a token's {@code name}): the name as it will be
     * shown, or why it cannot be one.
     */
    public String checkSender(String user) throws ChatRequestException {
        String name = checkUser(user);
        if (name.equalsIgnoreCase(SYSTEM_USER)) {
            throw ChatRequestException.badRequest("user '" + SYSTEM_USER + "' is reserved for messages from other programs");
        }
        return name;
    }

    /**
     * The same checks for a message another program published into the channel, which may be
     * from {@link #SYSTEM_USER}.
     */
    public ChatMessage validateFromChannel(String user, String text, String room, Instant now)
            throws ChatRequestException {
        return new ChatMessage(null, RoomNames.requested(room), checkUser(user), checkText(text),
                now.truncatedTo(ChronoUnit.MILLIS));
    }

    private String checkText(String text) throws ChatRequestException {
        if (text == null) {
            throw ChatRequestException.badRequest("text is required");
        }
        String normalised = text.replace("\r\n", "\n").replace('\r', '\n');
        if (normalised.isBlank()) {
            throw ChatRequestException.badRequest("text must not be blank");
        }
        checkCharacters("text", normalised, true);
        if (normalised.codePointCount(0, normalised.length()) > maxTextLength) {
            throw ChatRequestException.badRequest("text is longer than " + maxTextLength + " characters");
        }
        return normalised;
    }

    private String checkUser(String user) throws ChatRequestException {
        if (user == null) {
            throw ChatRequestException.badRequest("user is required");
        }
        String trimmed = user.strip();
        if (trimmed.isEmpty()) {
            throw ChatRequestException.badRequest("user must not be blank");
        }
        checkCharacters("user", trimmed, false);
        if (trimmed.codePoints().anyMatch(cp -> Character.getType(cp) == Character.FORMAT)) {
            throw ChatRequestException.badRequest(
                    "user must not contain invisible format characters (bidi controls, zero-width characters)");
        }
        if (trimmed.codePointCount(0, trimmed.length()) > maxUserLength) {
            throw ChatRequestException.badRequest("user is longer than " + maxUserLength + " characters");
        }
        return trimmed;
    }

    /**
     * Refuses control characters (C0, DEL, C1), except LF and TAB in text, and unpaired
     * surrogates, which cannot be encoded as UTF-8 and would reach clients as '?'.
     */
    private static void checkCharacters(String field, String value, boolean multiLine) throws ChatRequestException {
        for (int i = 0; i < value.length(); ) {
            int cp = value.codePointAt(i);
            if (Character.getType(cp) == Character.CONTROL && !(multiLine && (cp == '\n' || cp == '\t'))) {
                throw ChatRequestException.badRequest(field + " must not contain control characters"
                        + (multiLine ? " other than newline and tab" : ""));
            }
            if (Character.getType(cp) == Character.SURROGATE) {
                throw ChatRequestException.badRequest(field + " is not valid Unicode (unpaired surrogate)");
            }
            i += Character.charCount(cp);
        }
    }
}
