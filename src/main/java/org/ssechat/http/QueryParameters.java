package org.ssechat.http;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.ssechat.chat.ChatRequestException;

/**
 * The parameters of a request's query string, decoded strictly: a malformed {@code %}-escape
 * is a 400 with a JSON error. The containers do not agree here: Tomcat drops such a parameter
 * without a word (so {@code ?room=a%} would have streamed room {@code general}), Jetty answers
 * with an HTML 400 of its own.
 */
public final class QueryParameters {

    private final Map<String, List<String>> values;

    private QueryParameters(Map<String, List<String>> values) {
        this.values = values;
    }

    /**
     * @param rawQuery the query string as the client sent it ({@code getQueryString()}), or null
     * @throws ChatRequestException (400) when a name or value is not validly encoded
     */
    public static QueryParameters parse(String rawQuery) throws ChatRequestException {
        Map<String, List<String>> values = new HashMap<>();
        if (rawQuery != null) {
            for (String pair : rawQuery.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                try {
                    String name = FormDecoding.decode(eq < 0 ? pair : pair.substring(0, eq));
                    String value = eq < 0 ? "" : FormDecoding.decode(pair.substring(eq + 1));
                    values.computeIfAbsent(name, n -> new ArrayList<>(1)).add(value);
                } catch (ChatRequestException e) {
                    throw ChatRequestException.badRequest("malformed query string: a %-escape is incomplete or not UTF-8");
                }
            }
        }
        return new QueryParameters(values);
    }

    /** The value of a parameter (the first, when it is repeated), or null when it is absent. */
    public String get(String name) {
        List<String> all = values.get(name);
        return all == null ? null : all.get(0);
    }

    /** Every value of a parameter, in the order given; empty when it is absent. */
    public List<String> all(String name) {
        return values.getOrDefault(name, List.of());
    }
}
