package org.ssechat.chat;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.time.Instant;
import org.ssechat.sse.EventId;

/**
 * The JSON form of a message, {@code {"id","room","user","text","time"}} and {@code "userId"}
 * when a token said who sent it, as sent in SSE
 * {@code data:} lines and POST /chat answers. Gson escapes every control character, CR and LF
 * included, so the JSON is always a single line.
 */
public final class MessageJson {

    /** HTML escaping (a six-character escape for '<') adds nothing for JSON readers and hurts curl users. */
    public static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();
    /** The same, writing null members as null instead of leaving them out: for answers whose members are all documented. */
    public static final Gson GSON_WITH_NULLS = new GsonBuilder().disableHtmlEscaping().serializeNulls().create();

    private MessageJson() {
    }

    public static String toJson(ChatMessage message) {
        JsonObject json = new JsonObject();
        json.addProperty("id", message.id() == null ? null : message.id().toString());
        json.addProperty("room", message.room());
        json.addProperty("user", message.user());
        json.addProperty("text", message.text());
        json.addProperty("time", message.time().toString());
        if (message.userId() != null) {
            json.addProperty("userId", message.userId());
        }
        return GSON.toJson(json);
    }

    /**
     * A message from what {@link #toJson} wrote, given its id: sse-chat's own history entries,
     * whose fields are known and were checked when the message was posted. (What other
     * programs publish into the channel is decoded and checked by the broker's ChannelPayloads.)
     *
     * @throws IllegalArgumentException when the JSON is not such a message
     */
    public static ChatMessage fromJson(EventId id, String json) {
        try {
            JsonObject object = JsonParser.parseString(json).getAsJsonObject();
            JsonElement userId = object.get("userId");
            return new ChatMessage(id, required(object, "room"), required(object, "user"), required(object, "text"),
                    Instant.parse(required(object, "time")), userId == null ? null : userId.getAsString());
        } catch (RuntimeException e) { // not JSON, not an object, a member of another type, a bad time
            throw new IllegalArgumentException("not a message of sse-chat (" + e.getMessage() + ")", e);
        }
    }

    private static String required(JsonObject object, String name) {
        JsonElement value = object.get(name);
        if (value == null || !value.isJsonPrimitive() || !value.getAsJsonPrimitive().isString()) {
            throw new IllegalArgumentException("no string \"" + name + "\"");
        }
        return value.getAsString();
    }
}
