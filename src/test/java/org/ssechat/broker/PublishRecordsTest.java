package org.ssechat.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.ssechat.chat.ChatMessage;
import org.ssechat.sse.EventId;

/** The in-process memory of retry keys, and the in-process broker's publish-once with it. */
class PublishRecordsTest {

    private static ChatMessage draft(String room, String text) {
        return new ChatMessage(null, room, "ann", text, Instant.parse("2026-12-08T10:00:00Z"));
    }

    @Test
    void aKeyIsAnsweredAgainForTheSameMessageAndIsAConflictForAnother() {
        PublishRecords records = new PublishRecords(1 << 20);
        ChatMessage sent = draft("dev", "hi").withId(new EventId(5, 0));
        PublishOnce once = PublishOnce.of("10.0.0.1", "k", draft("dev", "hi"), 1000);
        ChatMessage retried = new ChatMessage(null, "dev", "ann", "hi", Instant.parse("2026-12-08T10:00:09Z"));
        assertNull(records.find(once, retried, 0));
        records.keep(once, sent, 0);
        assertEquals(Published.replayed(sent), records.find(once, retried, 999), "the first's id and time");
        assertEquals(Published.Outcome.CONFLICT, records.find(PublishOnce.of("10.0.0.1", "k", draft("dev", "other"),
                1000), draft("dev", "other"), 999).outcome());
        assertNull(records.find(PublishOnce.of("10.0.0.2", "k", draft("dev", "hi"), 1000), retried, 999),
                "another sender's key of the same name is its own");
        assertNull(records.find(once, retried, 1000), "forgotten after the window");
        assertEquals(0, records.size());
        assertEquals(0, records.bytes());
    }

    @Test
    void theRecordsStayWithinTheirBytesTheOldestGoingFirst() {
        long max = 10 * PublishRecords.RECORD_BYTES;
        PublishRecords records = new PublishRecords(max);
        List<PublishOnce> keys = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            ChatMessage draft = draft("dev", "m" + i);
            PublishOnce once = PublishOnce.of("10.0.0.1", "k" + i, draft, 60_000);
            keys.add(once);
            records.keep(once, draft.withId(new EventId(i, 0)), i);
            assertTrue(records.bytes() <= max, "bytes " + records.bytes());
        }
        assertNull(records.find(keys.get(0), draft("dev", "m0"), 100), "the oldest went first");
        assertEquals(Published.Outcome.REPLAYED, records.find(keys.get(99), draft("dev", "m99"), 100).outcome());
        assertEquals(10, records.size());
    }

    @Test
    void retriesThatRaceOnTheInProcessBrokerPublishOnce() throws Exception {
        List<ChatMessage> delivered = java.util.Collections.synchronizedList(new ArrayList<>());
        InMemoryBroker broker = new InMemoryBroker(1000, 1 << 20, Clock.fixed(Instant.EPOCH, ZoneOffset.UTC));
        broker.start(delivered::add);
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            List<Future<Published>> answers = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                ChatMessage draft = draft("dev", "m" + i);
                PublishOnce once = PublishOnce.of("10.0.0.1", "key-" + i, draft, 60_000);
                for (int attempt = 0; attempt < 3; attempt++) {
                    answers.add(threads.submit(() -> broker.publish(draft, once)));
                }
            }
            HashSet<EventId> ids = new HashSet<>();
            int fresh = 0;
            for (Future<Published> answer : answers) {
                Published published = answer.get();
                ids.add(published.message().id());
                fresh += published.outcome() == Published.Outcome.NEW ? 1 : 0;
            }
            assertEquals(200, ids.size());
            assertEquals(200, fresh);
            assertEquals(200, delivered.size());
            assertEquals(200, broker.history("dev", null, 1000).messages().size());
        } finally {
            threads.shutdownNow();
        }
    }
}
