package org.ssechat.publish;

import org.ssechat.chat.ChatRequestException;

/**
 * Reads the {@code Idempotency-Key} header (IETF draft-ietf-httpapi-idempotency-key-header):
 * a structured-field string, {@code "8e03978e-40d5-43e8-bc93-6894a57f9324"}, or the same
 * without quotes, as most clients send it. One to {@link #MAX_LENGTH} visible ASCII characters.
 */
public final class IdempotencyKey {

    public static final String HEADER = "Idempotency-Key";
    static final int MAX_LENGTH = 255;

    private IdempotencyKey() {
    }

    /**
     * @return the key, or null when the header is absent
     * @throws ChatRequestException (400) when it is not a key
     */
    public static String parse(String header) throws ChatRequestException {
        if (header == null) {
            return null;
        }
        String key = header.strip();
        if (key.length() >= 2 && key.startsWith("\"") && key.endsWith("\"")) {
            key = key.substring(1, key.length() - 1);
        }
        if (key.isEmpty() || key.length() > MAX_LENGTH) {
            throw new ChatRequestException(400, HEADER + " must be 1 to " + MAX_LENGTH + " characters");
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < 0x21 || c > 0x7e || c == '"' || c == '\\') {
                throw new ChatRequestException(400, HEADER + " may hold visible ASCII characters only"
                        + " (no spaces, quotes or backslashes)");
            }
        }
        return key;
    }
}
