package org.ssechat.publish;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The optional shared secret for publishing ({@code CHAT_PUBLISH_TOKEN}): when set, POST /chat
 * needs {@code Authorization: Bearer <token>}, for deployments where only a backend publishes
 * and browsers only listen.
 */
public final class PublishToken {

    private static final String BEARER = "Bearer ";
    private final String secret;
    private final byte[] expected;

    /** @param token the secret, or null for none (everybody may publish) */
    public PublishToken(String token) {
        this.secret = token;
        this.expected = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
    }

    /** The secret, or null: a bearer header that carries it is not a user's token. */
    public String secret() {
        return secret;
    }

    public boolean isRequired() {
        return expected != null;
    }

    /** Whether an Authorization header value lets its sender publish. */
    public boolean permits(String authorization) {
        if (expected == null) {
            return true;
        }
        if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return false;
        }
        byte[] given = authorization.substring(BEARER.length()).strip().getBytes(StandardCharsets.UTF_8);
        // Constant time: the time taken must not tell how much of a guess was right.
        return MessageDigest.isEqual(expected, given);
    }
}
