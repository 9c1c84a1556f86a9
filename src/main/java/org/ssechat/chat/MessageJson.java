package org.ssechat.chat;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;

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
}
