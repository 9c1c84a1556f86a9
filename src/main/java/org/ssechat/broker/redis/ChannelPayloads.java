package org.ssechat.broker.redis;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import org.ssechat.chat.ChatMessage;
import org.ssechat.chat.ChatRequestException;
import org.ssechat.chat.MessageValidator;
import org.ssechat.sse.EventId;

/**
 * Turns what arrives on the Redis channel into a message. sse-chat nodes publish the message's
 * JSON with its id; other programs may publish a JSON object with at least {@code text} (a
 * missing user, room or time gets a default) or any other text, which becomes the message's
 * text as it is. Whatever arrives is checked like a POST: a payload that fails is refused.
 */
public final class ChannelPayloads {

    /** Who an external message is from when it does not say. */
    static final String DEFAULT_USER = MessageValidator.SYSTEM_USER;

    private final MessageValidator validator;
    private final int maxPayloadChars;

    /** The longest sender id kept from a payload; a longer one is dropped, not the message. */
    static final int MAX_USER_ID_CHARS = 256;

    /** @param maxPayloadChars longer payloads are refused before parsing */
    public ChannelPayloads(MessageValidator validator, int maxPayloadChars) {
        this.validator = validator;
        this.maxPayloadChars = maxPayloadChars;
    }

    /** A payload that cannot be delivered; the message says why, for one log line. */
    static final class RefusedPayload extends Exception {
        RefusedPayload(String reason) {
            super(reason, null, false, false);
        }
    }

    ChatMessage decode(String payload, Instant now) throws RefusedPayload {
        if (payload.length() > maxPayloadChars) {
            throw new RefusedPayload("payload of " + payload.length() + " characters is over the limit of "
                    + maxPayloadChars);
        }
        JsonObject json = jsonObjectWithText(payload);
        try {
            if (json == null) {
                return validator.validateFromChannel(DEFAULT_USER, payload, null, now);
            }
            ChatMessage message = validator.validateFromChannel(
                    string(json, "user", DEFAULT_USER), string(json, "text", null), string(json, "room", null),
                    time(json, now));
            String userId = string(json, "userId", null);
            if (userId != null && userId.length() <= MAX_USER_ID_CHARS) {
                message = message.from(message.user(), userId); // a program with Redis access is trusted to say
            }
            // Ids are Redis Stream ids; anything else from outside is not trusted as an SSE id.
            EventId id = EventId.parse(string(json, "id", null));
            return id != null ? message.withId(id) : message;
        } catch (ChatRequestException e) {
            throw new RefusedPayload(e.getMessage());
        }
    }

    /** The payload as a JSON object if it is one with a string {@code text}; null for plain text. */
    private static JsonObject jsonObjectWithText(String payload) {
        if (!payload.startsWith("{")) {
            return null;
        }
        try {
            JsonElement element = JsonParser.parseString(payload);
            if (element.isJsonObject()) {
                JsonElement text = element.getAsJsonObject().get("text");
                if (text != null && text.isJsonPrimitive() && text.getAsJsonPrimitive().isString()) {
                    return element.getAsJsonObject();
                }
            }
        } catch (RuntimeException notJson) {
            // plain text that happens to start with '{'
        }
        return null;
    }

    private static String string(JsonObject json, String name, String fallback) {
        JsonElement value = json.get(name);
        return value != null && value.isJsonPrimitive() && value.getAsJsonPrimitive().isString()
                ? value.getAsString() : fallback;
    }

    /** The message's own time if it has a valid one; the time of receipt otherwise. */
    private static Instant time(JsonObject json, Instant now) {
        String time = string(json, "time", null);
        if (time != null) {
            try {
                return Instant.parse(time);
            } catch (DateTimeParseException ignored) {
                // fall back to now
            }
        }
        return now;
    }
}
