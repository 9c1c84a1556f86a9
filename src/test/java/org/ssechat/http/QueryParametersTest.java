package org.ssechat.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.ssechat.chat.ChatRequestException;

class QueryParametersTest {

    @Test
    void decodesAndTheFirstOfRepeatedParametersWins() throws Exception {
        QueryParameters query = QueryParameters.parse("room=dev&history=20&room=other&x&lastEventId=1%2D0&a+b=c+d");
        assertEquals("dev", query.get("room"));
        assertEquals("20", query.get("history"));
        assertEquals("", query.get("x"));
        assertEquals("1-0", query.get("lastEventId"));
        assertEquals("c d", query.get("a b"));
        assertNull(query.get("missing"));
    }

    @Test
    void noQueryHasNoParameters() throws Exception {
        assertNull(QueryParameters.parse(null).get("room"));
        assertNull(QueryParameters.parse("").get("room"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"room=a%", "room=%zz", "room=%C3", "ok=1&history=%4", "%=x"})
    void aMalformedEscapeIsA400(String query) {
        assertEquals(400, assertThrows(ChatRequestException.class, () -> QueryParameters.parse(query)).status());
    }
}
