package org.ssechat.http;

import java.util.HashMap;
import java.util.Map;
import org.ssechat.chat.ChatRequestException;

/**
 * The parameters of a request's query string, decoded strictly: a malformed {@code %}-escape
 * is a 400 with a JSON error. The containers do not agree here: Tomcat drops such a parameter
 * without a word (so {@code ?room=a%} would have streamed room {@code general}), Jetty answers
 * with an HTML 400 of its own.
 */
public final class QueryParameters {

    private final Map<String, String> values;

    private QueryParameters(Map<String, String> values) {
        this.values = values;
    }

    /**
     * @param rawQuery the query string as the client sent it ({@code getQueryString()}), or null
     * @throws ChatRequestException (400) when a name or value is not validly encoded
     */
    public static QueryParameters parse(String rawQuery) throws ChatRequestException {
        Map<String, String> values = new HashMap<>();
        if (rawQuery != null) {
            for (String pair : rawQuery.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                try {
                    String name = FormDecoding.decode(eq < 0 ? pair : pair.substring(0, eq));
                    String value = eq < 0 ? "" : FormDecoding.decode(pair.substring(eq + 1));
                    values.putIfAbsent(name, value); // the first of repeated parameters wins, as in getParameter
                } catch (ChatRequestException e) {
                    throw ChatRequestException.badRequest("malformed query string: a %-escape is incomplete or not UTF-8");
                }
            }
        }
        return new QueryParameters(values);
    }

    /** The value of a parameter, or null when it is absent. */
    public String get(String name) {
        return values.get(name);
    }
}
