package org.ssechat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.ssechat.testing.ChatHttp;
import org.ssechat.testing.Metrics;
import org.ssechat.testing.SseParser;
import org.ssechat.testing.SseStream;
import org.ssechat.testing.WarServer;

/**
 * The in-process history is bounded in bytes, and a flood of new room names cannot take the
 * history of the rooms people use (hostile pattern 4).
 */
class HistoryFloodIT {

    private static final long BUDGET = 4 * 1024 * 1024;
    /** 2,000 characters of three UTF-8 bytes each: the largest message a default node takes. */
    private static final String BIG = "€".repeat(2000);

    @ParameterizedTest
    @EnumSource(WarServer.Kind.class)
    void aFloodOfNewRoomNamesLeavesTheUsedRoomsTheirHistory(WarServer.Kind kind) throws Exception {
        try (WarServer server = kind.start("/sse-chat", Map.of("CHAT_RATE_LIMIT_PER_SECOND", "0",
                "CHAT_HISTORY_MAX_BYTES", String.valueOf(BUDGET)))) {
            URI base = server.base();
            String first = ChatHttp.publish(base, "general", "ann", "before the flood").get("id").getAsString();
            String quietFirst = ChatHttp.publish(base, "quiet", "ann", "a quiet room").get("id").getAsString();
            ChatHttp.publish(base, "quiet", "ann", "its second message");
            try (SseStream listener = SseStream.open(base.resolve("sse?room=general"))) {
                listener.awaitFirstLine();
                flood(base, 1_200, "hi");
                JsonObject after = ChatHttp.publish(base, "general", "bob", "after the flood");
                assertEquals(after.get("id").getAsString(), listener.next().id());
            }
            assertResumes(base, "general", first, "after the flood");
            assertResumes(base, "quiet", quietFirst, "its second message");
            System.out.printf("[hostile 4a] %s: 1,200 new room names; general and quiet keep their history; %s%n",
                    server.name(), historyFigures(base));
        }
    }

    @ParameterizedTest
    @EnumSource(WarServer.Kind.class)
    void theHistoryStaysWithinItsByteBudgetAndTheRoomWithListenersKeepsItsOwn(WarServer.Kind kind) throws Exception {
        try (WarServer server = kind.start("/sse-chat", Map.of("CHAT_RATE_LIMIT_PER_SECOND", "0",
                "CHAT_HISTORY_MAX_BYTES", String.valueOf(BUDGET)))) {
            URI base = server.base();
            String first = ChatHttp.publish(base, "general", "ann", "before the flood").get("id").getAsString();
            try (SseStream listener = SseStream.open(base.resolve("sse?room=general"))) {
                listener.awaitFirstLine();
                // 3,000 messages of about 6 KB each in memory: more than four times the budget, in 900 rooms.
                flood(base, 3_000, BIG);
                ChatHttp.publish(base, "general", "bob", "after the flood");
                long held = Metrics.value(base, "sse_chat_history_bytes");
                assertTrue(held > 0 && held <= BUDGET, "the history holds " + held + " bytes, budget " + BUDGET);
                assertTrue(Metrics.value(base, "sse_chat_history_evicted_total") > 0, "messages were evicted, and counted");
            }
            assertResumes(base, "general", first, "after the flood");
            System.out.printf("[hostile 4b] %s: 3,000 messages of 2,000 three-byte characters in 900 rooms; %s%n",
                    server.name(), historyFigures(base));
        }
    }

    /** Posts {@code count} messages into rooms flood-0 ... flood-899, from four threads. */
    private static void flood(URI base, int count, String text) throws Exception {
        ExecutorService posters = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> posted = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String room = "flood-" + (i % 900) + (count < 1000 ? "" : "-" + (i / 900));
                posted.add(posters.submit(() -> ChatHttp.publish(base, room, "mallory", text)));
            }
            for (Future<?> post : posted) {
                post.get();
            }
        } finally {
            posters.shutdown();
        }
    }

    /** A client resuming after {@code lastEventId} gets no reset and reaches the text given. */
    private static void assertResumes(URI base, String room, String lastEventId, String until) throws Exception {
        try (SseStream resumed = SseStream.open(base.resolve("sse?room=" + room),
                Map.of("Accept", "text/event-stream", "Last-Event-ID", lastEventId))) {
            while (true) {
                SseParser.Event event = resumed.next();
                assertEquals("message", event.event(), "room " + room + " lost its history to the flood: " + event.data());
                if (event.data().contains("\"text\":\"" + until + "\"")) {
                    return;
                }
            }
        }
    }

    private static String historyFigures(URI base) throws Exception {
        return "history " + Metrics.value(base, "sse_chat_history_bytes") + " bytes held, "
                + Metrics.value(base, "sse_chat_history_evicted_total") + " messages evicted";
    }
}
