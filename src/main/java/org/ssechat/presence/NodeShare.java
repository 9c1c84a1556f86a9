package org.ssechat.presence;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.ArrayList;
import java.util.List;
import org.ssechat.chat.MessageJson;

/**
 * One node's share of a room's presence, as it goes through Redis: its streams, its unnamed
 * readers, and its named people (at most {@link #MAX_PEOPLE}; the rest only counted), so the
 * nodes' shares can be merged with each person counted once.
 *
 * @param others named people past {@link #MAX_PEOPLE}: counted, not listed, not told apart
 */
record NodeShare(int streams, int unnamed, List<Reader> people, int others) {

    /** The most people one node lists for one room: about 60 kB of JSON. */
    static final int MAX_PEOPLE = 1000;

    String toJson() {
        JsonObject json = new JsonObject();
        json.addProperty("s", streams);
        json.addProperty("u", unnamed);
        json.addProperty("o", others);
        JsonArray list = new JsonArray();
        for (Reader person : people) {
            JsonArray entry = new JsonArray();
            entry.add(person.key());
            entry.add(person.userId());
            entry.add(person.name());
            list.add(entry);
        }
        json.add("p", list);
        return MessageJson.GSON.toJson(json);
    }

    /** @throws IllegalArgumentException when the JSON is not a share */
    static NodeShare fromJson(String text) {
        try {
            JsonObject json = JsonParser.parseString(text).getAsJsonObject();
            List<Reader> people = new ArrayList<>();
            for (JsonElement element : json.getAsJsonArray("p")) {
                JsonArray entry = element.getAsJsonArray();
                people.add(new Reader(entry.get(0).getAsString(), string(entry.get(1)), string(entry.get(2))));
            }
            return new NodeShare(json.get("s").getAsInt(), json.get("u").getAsInt(), people, json.get("o").getAsInt());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a presence share: " + e.getMessage(), e);
        }
    }

    private static String string(JsonElement element) {
        return element == null || element.isJsonNull() ? null : element.getAsString();
    }
}
