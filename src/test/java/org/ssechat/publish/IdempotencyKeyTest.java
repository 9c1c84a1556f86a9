package org.ssechat.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.ssechat.chat.ChatRequestException;

class IdempotencyKeyTest {

    @Test
    void aKeyIsTakenQuotedOrNot() throws Exception {
        assertNull(IdempotencyKey.parse(null));
        assertEquals("8e03978e-40d5", IdempotencyKey.parse("\"8e03978e-40d5\""));
        assertEquals("8e03978e-40d5", IdempotencyKey.parse(" 8e03978e-40d5 "));
        assertEquals("x".repeat(255), IdempotencyKey.parse("x".repeat(255)));
    }

    @Test
    void anythingElseIsA400() {
        for (String bad : new String[] {"", "\"\"", "x".repeat(256), "a b", "a\u0001b", "ä", "a\"b", "a\\b"}) {
            ChatRequestException e = assertThrows(ChatRequestException.class, () -> IdempotencyKey.parse(bad), bad);
            assertEquals(400, e.status(), bad);
        }
    }
}
