package org.ssechat.broker;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.ssechat.chat.ChatMessage;

/**
 * The in-process broker's memory of publishes made with an {@code Idempotency-Key}: each
 * sender's key, the message's fingerprint and the message as published, for a window, bounded
 * in bytes (the oldest go first when full). Not thread-safe: the broker's lock guards it.
 */
final class PublishRecords {

    /** What one record costs besides its text: the map entry, the keys, the message's other fields. */
    static final long RECORD_OVERHEAD_BYTES = 400;

    private record Kept(String fingerprint, ChatMessage message, long expiresAtMillis, long bytes) {
    }

    private final long maxBytes;
    /** In the order they were made, which is also the order they expire in (one window for all). */
    private final LinkedHashMap<String, Kept> kept = new LinkedHashMap<>();
    private long bytes;

    PublishRecords(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** The record of a key that has not expired, or null. */
    Published find(PublishOnce once, long nowMillis) {
        forgetExpired(nowMillis);
        Kept record = kept.get(once.key());
        if (record == null) {
            return null;
        }
        return once.sameMessage(record.fingerprint()) ? Published.replayed(record.message()) : Published.conflict();
    }

    void keep(PublishOnce once, ChatMessage published, long nowMillis) {
        long size = RECORD_OVERHEAD_BYTES + 2L * (published.text().length() + published.user().length()
                + published.room().length());
        Kept old = kept.remove(once.key()); // so the order stays the order of expiry
        kept.put(once.key(), new Kept(once.fingerprint(), published, nowMillis + once.windowMillis(), size));
        bytes += size - (old == null ? 0 : old.bytes());
        Iterator<Map.Entry<String, Kept>> oldest = kept.entrySet().iterator();
        while (bytes > maxBytes && oldest.hasNext()) {
            bytes -= oldest.next().getValue().bytes();
            oldest.remove();
        }
    }

    private void forgetExpired(long nowMillis) {
        Iterator<Map.Entry<String, Kept>> oldest = kept.entrySet().iterator();
        while (oldest.hasNext()) {
            Kept record = oldest.next().getValue();
            if (record.expiresAtMillis() > nowMillis) {
                return;
            }
            bytes -= record.bytes();
            oldest.remove();
        }
    }

    int size() {
        return kept.size();
    }

    long bytes() {
        return bytes;
    }
}
