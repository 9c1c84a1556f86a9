package org.ssechat.publish;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PublishTokenTest {

    @Test
    void withoutATokenEverybodyMayPublish() {
        PublishToken none = new PublishToken(null);
        assertFalse(none.isRequired());
        assertTrue(none.permits(null));
        assertTrue(none.permits("Bearer anything"));
    }

    @Test
    void withATokenOnlyTheRightBearerMayPublish() {
        PublishToken token = new PublishToken("s3cret");
        assertTrue(token.isRequired());
        assertTrue(token.permits("Bearer s3cret"));
        assertTrue(token.permits("bearer s3cret"), "the scheme is case-insensitive (RFC 9110)");
        assertFalse(token.permits(null));
        assertFalse(token.permits(""));
        assertFalse(token.permits("Bearer"));
        assertFalse(token.permits("Bearer s3cre"));
        assertFalse(token.permits("Bearer s3cretx"));
        assertFalse(token.permits("Basic czNjcmV0"));
        assertFalse(token.permits("s3cret"));
    }
}
