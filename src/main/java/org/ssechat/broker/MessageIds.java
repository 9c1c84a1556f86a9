package org.ssechat.broker;

import org.ssechat.sse.EventId;

/**
 * Makes increasing ids in the form of Redis Stream ids, {@code <milliseconds>-<sequence>}: the
 * wall clock keeps them increasing across restarts, the sequence within one millisecond and
 * when the clock steps back. Not thread-safe: the caller serialises.
 */
final class MessageIds {

    private long lastMillis = -1;
    private long sequence;

    EventId next(long nowMillis) {
        if (nowMillis > lastMillis) {
            lastMillis = nowMillis;
            sequence = 0;
        } else {
            sequence++;
        }
        return new EventId(lastMillis, sequence);
    }
}
