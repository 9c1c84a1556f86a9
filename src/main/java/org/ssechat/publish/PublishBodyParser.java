package org.ssechat.publish;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.ssechat.chat.ChatRequestException;
import org.ssechat.chat.MessageJson;
import org.ssechat.http.FormDecoding;
import org.ssechat.http.StrictUtf8;

/**
 * Parses the body of a POST /chat, JSON or form-encoded, into its fields. The body arrives as
 * bytes (read without blocking a thread, see the web package), at most the configured number,
 * and is decoded as strict UTF-8: the container's own form parsing would read bigger bodies and
 * decode them as ISO-8859-1 by default.
 */
public final class PublishBodyParser {

    /** The submitted fields; any of them may be null (absent). */
    public record Fields(String user, String text, String room) {
    }

    private static final String JSON = "application/json";
    private static final String FORM = "application/x-www-form-urlencoded";

    private final int maxBodyBytes;

    public PublishBodyParser(int maxBodyBytes) {
        this.maxBodyBytes = maxBodyBytes;
    }

    /** The most bytes a body may have. */
    public int maxBodyBytes() {
        return maxBodyBytes;
    }

    /**
     * Checks what the request head says about the body, before any of it is read.
     *
     * @param contentLength the declared length, or -1 when unknown (chunked)
     * @return the media type, to hand to {@link #parse}
     * @throws ChatRequestException 415 for another content type or charset, 413 for a declared
     *                              length over the limit
     */
    public String checkHead(String contentType, long contentLength) throws ChatRequestException {
        String mediaType = mediaType(contentType);
        if (!JSON.equals(mediaType) && !FORM.equals(mediaType)) {
            throw new ChatRequestException(415, "Content-Type must be " + JSON + " or " + FORM);
        }
        if (contentLength > maxBodyBytes) {
            throw tooLarge();
        }
        return mediaType;
    }

    /**
     * Parses a whole body.
     *
     * @param mediaType what {@link #checkHead} returned
     * @param length    how many bytes of {@code body} are the body
     * @throws ChatRequestException 400 for malformed UTF-8, JSON or form encoding; 413 when too long
     */
    public Fields parse(String mediaType, byte[] body, int length) throws ChatRequestException {
        if (length > maxBodyBytes) {
            throw tooLarge();
        }
        String text = StrictUtf8.decode(body, length, "the body is not valid UTF-8");
        return JSON.equals(mediaType) ? json(text) : form(text);
    }

    /** The media type without parameters, lower case; a charset other than UTF-8 is refused. */
    private static String mediaType(String contentType) throws ChatRequestException {
        if (contentType == null) {
            return "";
        }
        String[] parts = contentType.split(";");
        for (int i = 1; i < parts.length; i++) {
            String[] param = parts[i].trim().split("=", 2);
            if (param.length == 2 && param[0].trim().equalsIgnoreCase("charset")
                    && !param[1].trim().replace("\"", "").equalsIgnoreCase("utf-8")) {
                throw new ChatRequestException(415, "the body must be UTF-8 (charset=utf-8)");
            }
        }
        return parts[0].trim().toLowerCase(Locale.ROOT);
    }

    /** A 413: the body is larger than the limit. */
    public ChatRequestException tooLarge() {
        return new ChatRequestException(413, "the body is larger than " + maxBodyBytes + " bytes");
    }

    private static Fields json(String body) throws ChatRequestException {
        JsonElement root;
        try {
            JsonReader reader = new JsonReader(new StringReader(body));
            reader.setStrictness(Strictness.STRICT);
            root = MessageJson.GSON.getAdapter(JsonElement.class).read(reader);
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw ChatRequestException.badRequest("malformed JSON: unexpected content after the object");
            }
        } catch (IOException | JsonParseException | IllegalStateException e) {
            throw ChatRequestException.badRequest("malformed JSON");
        }
        if (root == null || !root.isJsonObject()) {
            throw ChatRequestException.badRequest("the body must be a JSON object");
        }
        JsonObject object = root.getAsJsonObject();
        return new Fields(string(object, "user"), string(object, "text"), string(object, "room"));
    }

    /** A string member; null when absent or JSON null; unknown members are ignored. */
    private static String string(JsonObject object, String name) throws ChatRequestException {
        JsonElement value = object.get(name);
        if (value == null || value.isJsonNull()) {
            return null;
        }
        if (!value.isJsonPrimitive() || !value.getAsJsonPrimitive().isString()) {
            throw ChatRequestException.badRequest(name + " must be a string");
        }
        return value.getAsString();
    }

    private static Fields form(String body) throws ChatRequestException {
        Map<String, String> fields = new HashMap<>();
        for (String pair : body.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = FormDecoding.decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : FormDecoding.decode(pair.substring(eq + 1));
            fields.putIfAbsent(name, value); // the first of repeated fields wins, as in getParameter
        }
        return new Fields(fields.get("user"), fields.get("text"), fields.get("room"));
    }
}
