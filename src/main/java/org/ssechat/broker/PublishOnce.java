package org.ssechat.broker;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.UUID;
import org.ssechat.chat.ChatMessage;

/**
 * What makes a publish safe to retry ({@code Idempotency-Key}): the sender's key, and the
 * fingerprint of the message it was first sent with. A broker that finds the key within the
 * window answers the first publish again instead of publishing; with another fingerprint it
 * answers a conflict.
 *
 * @param key          the sender's scope and key, hashed: safe in a Redis key, equal only for one sender's one key
 * @param fingerprint  the hash of what the message says (room, sender, text), not of when it was sent
 * @param windowMillis how long the first answer is kept
 */
public record PublishOnce(String key, String fingerprint, long windowMillis) {

    /**
     * @param sender who sends: {@code sub:<token subject>}, or the client's address
     * @param key    the {@code Idempotency-Key} the sender chose
     */
    public static PublishOnce of(String sender, String key, ChatMessage message, long windowMillis) {
        return new PublishOnce(hash(sender + '\n' + key),
                hash(message.room() + '\n' + message.user() + '\n' + message.userId() + '\n' + message.text()),
                windowMillis);
    }

    /** For a publish the broker retries on its own: a key nobody else can have. */
    public static PublishOnce internal(ChatMessage message, long windowMillis) {
        return of("internal", UUID.randomUUID().toString(), message, windowMillis);
    }

    /** Whether a kept answer was for this same message. */
    public boolean sameMessage(String keptFingerprint) {
        return fingerprint.equals(keptFingerprint);
    }

    /** 128 bits of SHA-256, in hex: collisions are out of reach, and a key stays short. */
    private static String hash(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }
}
