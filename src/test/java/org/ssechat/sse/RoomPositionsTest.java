package org.ssechat.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.ssechat.chat.RoomNames;

class RoomPositionsTest {

    private static String line(RoomPositions positions) {
        return new String(positions.idLine(), StandardCharsets.US_ASCII);
    }

    @Test
    void theIdNamesEveryRoomWithAPositionInTheOrderAskedFor() {
        RoomPositions positions = new RoomPositions(List.of("dev", "ops", "news"));
        assertFalse(positions.anySet());
        positions.set(1, EventId.ZERO);
        assertEquals("id: ops:0-0\n", line(positions));
        positions.set(0, new EventId(1795535276117L, 0), "1795535276117-0".getBytes(StandardCharsets.US_ASCII));
        positions.set(2, new EventId(-1, 3)); // the largest millis: 2^64 - 1, unsigned
        assertEquals("id: dev:1795535276117-0,ops:0-0,news:18446744073709551615-3\n", line(positions));
        assertTrue(positions.anySet());
    }

    @Test
    void aRoomIsFoundByNameWhateverHowMany() {
        List<String> rooms = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            rooms.add("room-" + i);
        }
        RoomPositions many = new RoomPositions(rooms);
        RoomPositions few = new RoomPositions(rooms.subList(0, 3));
        for (int i = 0; i < 32; i++) {
            assertEquals(i, many.indexOf("room-" + i));
            assertEquals(i < 3 ? i : -1, few.indexOf("room-" + i));
        }
        assertEquals(-1, many.indexOf("other"));
        assertEquals(-1, new RoomPositions(List.of("a")).indexOf("b"));
    }

    @Test
    void whatItWritesItReadsBack() {
        RoomPositions positions = new RoomPositions(List.of("a", "b_2", "C-3"));
        positions.set(0, new EventId(5, 1));
        positions.set(2, new EventId(7, 0));
        String id = line(positions).substring("id: ".length()).strip();
        Map<String, EventId> expected = new LinkedHashMap<>();
        expected.put("a", new EventId(5, 1));
        expected.put("C-3", new EventId(7, 0));
        assertEquals(expected, RoomPositions.parse(id, RoomNames::isValid));
    }

    @Test
    void anythingElseIsNotAPosition() {
        for (String bad : new String[] {"", "5-0", "a:", "a:5", ":5-0", "a:5-0,", ",a:5-0", "a:5-0,a:6-0", "a b:5-0",
                "a:5-0;b:6-0", "a:5-0:6-0", "a:-1-0", "a:18446744073709551616-0"}) {
            assertNull(RoomPositions.parse(bad, RoomNames::isValid), bad);
        }
        assertNull(RoomPositions.parse(null, RoomNames::isValid));
    }
}
