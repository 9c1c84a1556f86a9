package org.ssechat.chat;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Reads the body of a POST /chat, JSON or form-encoded, into its fields. The body is read
 * by hand, at most the configured number of bytes, and decoded as strict UTF-8: the container's
 * own form parsing would read bigger bodies and decode them as ISO-8859-1 by default.
 */
public final class PublishRequestReader {

    /** The submitted fields; any of them may be null (absent). */
    public record Fields(String user, String text, String room) {
    }

    private static final String JSON = "application/json";
    private static final String FORM = "application/x-www-form-urlencoded";

    /** How much of a refused body is read and dropped, so that the client sees the error. */
    static final long DISCARD_LIMIT = 1024 * 1024;

    private final int maxBodyBytes;

    public PublishRequestReader(int maxBodyBytes) {
        this.maxBodyBytes = maxBodyBytes;
    }

    public Fields read(HttpServletRequest req) throws IOException, ChatRequestException {
        String mediaType = mediaType(req.getContentType());
        if (!JSON.equals(mediaType) && !FORM.equals(mediaType)) {
            throw new ChatRequestException(415, "Content-Type must be " + JSON + " or " + FORM);
        }
        if (req.getContentLengthLong() > maxBodyBytes) {
            throw tooLarge();
        }
        byte[] bytes = readAtMost(req.getInputStream());
        String body = StrictUtf8.decode(bytes, bytes.length, "the body is not valid UTF-8");
        return JSON.equals(mediaType) ? json(body) : form(body);
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

    /** Reads the body, stopping one byte past the limit so a chunked flood is never kept whole. */
    private byte[] readAtMost(InputStream in) throws IOException, ChatRequestException {
        ByteArrayOutputStream body = new ByteArrayOutputStream(Math.min(maxBodyBytes, 8192));
        byte[] chunk = new byte[8192];
        int n;
        while ((n = in.read(chunk, 0, Math.min(chunk.length, maxBodyBytes + 1 - body.size()))) > 0) {
            body.write(chunk, 0, n);
            if (body.size() > maxBodyBytes) {
                throw tooLarge();
            }
        }
        return body.toByteArray();
    }

    /**
     * Reads and drops what is left of a body the server refuses, up to {@link #DISCARD_LIMIT},
     * before the error is sent. Otherwise the container closes the connection after answering:
     * a client still sending then gets a TCP reset and never sees the error, and a client that
     * reuses the connection finds it dead. Past the limit it asks for the connection to close.
     */
    public static void discardBody(HttpServletRequest req, HttpServletResponse resp) {
        try {
            if (req.getContentLengthLong() <= DISCARD_LIMIT) {
                InputStream in = req.getInputStream();
                byte[] sink = new byte[8192];
                long left = DISCARD_LIMIT;
                int n;
                while (left > 0 && (n = in.read(sink, 0, (int) Math.min(sink.length, left))) > 0) {
                    left -= n;
                }
                if (left > 0) {
                    return; // read to its end
                }
            }
        } catch (IOException | IllegalStateException e) {
            // the client went away, or the body was read in another way: closing is all that is left
        }
        resp.setHeader("Connection", "close");
    }

    private ChatRequestException tooLarge() {
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
