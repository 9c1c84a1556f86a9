package org.ssechat.broker;

import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.ssechat.chat.ChatMessage;
import org.ssechat.sse.EventId;

/**
 * The in-process broker's memory of publishes made with an {@code Idempotency-Key}: each
 * sender's key, the message's fingerprint, and the id and time it was published with, for a
 * window. What the message said needs no keeping: a retry the fingerprint matches says the same.
 * Bounded in bytes: when full, the oldest go first (a retry of one of those would publish
 * again; the bound is far above what the rate limit lets in over a window).
 * Not thread-safe: the broker's lock guards it.
 */
final class PublishRecords {

    /** What one record costs: the map entry, the two hex strings, the id and the time. */
    static final long RECORD_BYTES = 320;

    private record Kept(String fingerprint, EventId id, Instant time, long expiresAtMillis) {
    }

    private final long maxBytes;
    /** In the order they were made, which is also the order they expire in (one window for all). */
    private final LinkedHashMap<String, Kept> kept = new LinkedHashMap<>();

    PublishRecords(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /**
     * The first publish of a key that has not expired, as {@code asked} was published then; null
     * when the key is new.
     */
    Published find(PublishOnce once, ChatMessage asked, long nowMillis) {
        forgetExpired(nowMillis);
        Kept record = kept.get(once.key());
        if (record == null) {
            return null;
        }
        if (!once.sameMessage(record.fingerprint())) {
            return Published.conflict();
        }
        return Published.replayed(new ChatMessage(record.id(), asked.room(), asked.user(), asked.text(), record.time(),
                asked.userId()));
    }

    void keep(PublishOnce once, ChatMessage published, long nowMillis) {
        kept.remove(once.key()); // so the order stays the order of expiry
        kept.put(once.key(), new Kept(once.fingerprint(), published.id(), published.time(),
                nowMillis + once.windowMillis()));
        Iterator<Map.Entry<String, Kept>> oldest = kept.entrySet().iterator();
        while (bytes() > maxBytes && oldest.hasNext()) {
            oldest.next();
            oldest.remove();
        }
    }

    private void forgetExpired(long nowMillis) {
        Iterator<Map.Entry<String, Kept>> oldest = kept.entrySet().iterator();
        while (oldest.hasNext() && oldest.next().getValue().expiresAtMillis() <= nowMillis) {
            oldest.remove();
        }
    }

    int size() {
        return kept.size();
    }

    long bytes() {
        return kept.size() * RECORD_BYTES;
    }
}
