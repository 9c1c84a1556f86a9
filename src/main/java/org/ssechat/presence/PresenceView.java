package org.ssechat.presence;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ssechat.chat.MessageJson;

/**
 * A room's presence as GET /presence and {@code event: presence} show it: the streams and the
 * distinct people on every node, and the named people (at most {@link #MAX_LISTED}).
 *
 * @param partial true when only this node could be asked (Redis is out)
 */
public record PresenceView(String room, int streams, int people, List<Reader> members, int unnamed, boolean more,
        boolean partial) {

    /** The most people an answer or event names: the counts go on past it. */
    static final int MAX_LISTED = 100;

    private static final Comparator<Reader> BY_NAME = Comparator.comparing(Reader::name, String.CASE_INSENSITIVE_ORDER)
            .thenComparing(Reader::key);

    /** Every live node's share merged: one person with streams on two nodes is one person. */
    static PresenceView merge(String room, List<NodeShare> shares, boolean partial) {
        int streams = 0;
        int unnamed = 0;
        int others = 0;
        Map<String, Reader> named = new LinkedHashMap<>();
        for (NodeShare share : shares) {
            streams += share.streams();
            unnamed += share.unnamed();
            others += share.others();
            share.people().forEach(person -> named.putIfAbsent(person.key(), person));
        }
        List<Reader> members = new ArrayList<>(named.values());
        members.sort(BY_NAME);
        boolean more = members.size() > MAX_LISTED || others > 0;
        if (members.size() > MAX_LISTED) {
            members = List.copyOf(members.subList(0, MAX_LISTED));
        }
        return new PresenceView(room, streams, named.size() + others + unnamed, List.copyOf(members), unnamed, more,
                partial);
    }

    /** {@code {"room","streams","people","members":[{"userId","name"}],"unnamed","more"}}, and {@code "partial":true} when so. */
    public String toJson() {
        JsonObject json = new JsonObject();
        json.addProperty("room", room);
        json.addProperty("streams", streams);
        json.addProperty("people", people);
        JsonArray list = new JsonArray();
        for (Reader member : members) {
            JsonObject person = new JsonObject();
            if (member.userId() != null) {
                person.addProperty("userId", member.userId());
            }
            person.addProperty("name", member.name());
            list.add(person);
        }
        json.add("members", list);
        json.addProperty("unnamed", unnamed);
        json.addProperty("more", more);
        if (partial) {
            json.addProperty("partial", true);
        }
        return MessageJson.GSON.toJson(json);
    }
}
