package org.ssechat.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class EventIdTest {

    @Test
    void parsesAndPrintsStreamIds() {
        assertEquals(new EventId(1795535270030L, 7), EventId.parse("1795535270030-7"));
        assertEquals("1795535270030-7", new EventId(1795535270030L, 7).toString());
    }

    @Test
    void ordersByMillisThenSequenceNumerically() {
        assertTrue(EventId.parse("10-2").isAfter(EventId.parse("9-99")));
        assertTrue(EventId.parse("10-10").isAfter(EventId.parse("10-9")));
        assertTrue(EventId.parse("0-1").isAfter(EventId.ZERO));
    }

    @Test
    void takesEveryIdRedisCanMakeEachPartUpToTwoToThe64Minus1() {
        EventId largest = EventId.parse("18446744073709551615-18446744073709551615");
        assertEquals("18446744073709551615-18446744073709551615", largest.toString());
        assertTrue(largest.isAfter(EventId.parse("9223372036854775807-0")), "compared unsigned");
        assertTrue(EventId.parse("9223372036854775808-0").isAfter(EventId.parse("9223372036854775807-99")));
        assertEquals("7-0", EventId.parse("007-0").toString(), "leading zeros are taken, as Redis takes them");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-", "12", "12-", "-3", "a-1", "1-b", "1-2-3", "+1-2", "1-+2", " 1-2",
            "18446744073709551616-1", "1-18446744073709551616", "123456789012345678901-1", "1--2"})
    void anythingElseIsNotAnId(String text) {
        assertNull(EventId.parse(text));
    }
}
