package org.ssechat.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.ssechat.chat.ChatMessage;
import org.ssechat.sse.EventId;
import org.ssechat.testing.Await;

/** The in-process broker's delivery: at once when idle, together when messages queued up, in order, bounded. */
class GroupDeliveryTest {

    /** Records each hand-over; the first one can be held until the test lets it go. */
    private static final class Listener implements BrokerListener {
        final List<List<ChatMessage>> batches = Collections.synchronizedList(new ArrayList<>());
        final List<Thread> threads = Collections.synchronizedList(new ArrayList<>());
        final CountDownLatch firstStarted = new CountDownLatch(1);
        final CountDownLatch releaseFirst;

        Listener(boolean holdFirst) {
            releaseFirst = new CountDownLatch(holdFirst ? 1 : 0);
        }

        @Override
        public void onMessage(ChatMessage message) {
            onMessages(List.of(message));
        }

        @Override
        public void onMessages(List<ChatMessage> messages) {
            batches.add(List.copyOf(messages));
            threads.add(Thread.currentThread());
            firstStarted.countDown();
            try {
                releaseFirst.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        List<String> texts() {
            List<String> texts = new ArrayList<>();
            synchronized (batches) {
                batches.forEach(batch -> batch.forEach(m -> texts.add(m.text())));
            }
            return texts;
        }
    }

    private static ChatMessage message(String text) {
        return new ChatMessage(null, "r", "ann", text, Instant.EPOCH);
    }

    @Test
    void aMessageThatFindsTheFanOutIdleIsDeliveredAtOnceOnItsPublishersThread() {
        InMemoryBroker broker = new InMemoryBroker(10, 1L << 30, Clock.systemUTC());
        Listener listener = new Listener(false);
        broker.start(listener);
        broker.publish(message("a"));
        broker.publish(message("b"));
        assertEquals(List.of(List.of("a"), List.of("b")),
                listener.batches.stream().map(b -> b.stream().map(ChatMessage::text).toList()).toList(),
                "each delivered before publish returned, as a batch of one");
        assertSame(Thread.currentThread(), listener.threads.get(0));
        broker.close();
    }

    @Test
    void messagesPublishedWhileAFanOutRunsGoOutTogetherInTheOrderOfTheirIds() throws Exception {
        InMemoryBroker broker = new InMemoryBroker(100, 1L << 30, Clock.systemUTC());
        Listener listener = new Listener(true);
        broker.start(listener);
        ExecutorService publishers = Executors.newFixedThreadPool(4);
        try {
            Future<ChatMessage> first = publishers.submit(() -> broker.publish(message("first")));
            assertTrue(listener.firstStarted.await(10, TimeUnit.SECONDS));
            // Published while the first one's fan-out runs: they return at once, and wait.
            List<Future<ChatMessage>> more = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                String text = "m" + i;
                more.add(publishers.submit(() -> broker.publish(message(text))));
            }
            List<EventId> ids = new ArrayList<>();
            for (Future<ChatMessage> published : more) {
                ids.add(published.get(10, TimeUnit.SECONDS).id());
            }
            assertFalse(first.isDone(), "the first publisher is still delivering");
            assertEquals(1, listener.batches.size(), "nothing else was delivered meanwhile");

            listener.releaseFirst.countDown();
            first.get(10, TimeUnit.SECONDS);
            Await.until("the 20 waiting messages delivered", () -> listener.texts().size() == 21);
            assertEquals(2, listener.batches.size(), "the 20 that queued up went out as one batch");
            List<EventId> delivered = listener.batches.get(1).stream().map(ChatMessage::id).toList();
            List<EventId> sorted = new ArrayList<>(ids);
            sorted.sort(EventId::compareTo);
            assertEquals(sorted, delivered, "in the order of their ids");
        } finally {
            listener.releaseFirst.countDown();
            publishers.shutdownNow();
            broker.close();
        }
    }

    @Test
    void publishersWaitForTheFanOutOnceTooMuchWaitsAndNothingIsDropped() throws Exception {
        InMemoryBroker broker = new InMemoryBroker(10_000, 1L << 30, Clock.systemUTC());
        Listener listener = new Listener(true);
        broker.start(listener);
        ExecutorService publishers = Executors.newFixedThreadPool(2);
        try {
            Future<?> first = publishers.submit(() -> broker.publish(message("first")));
            assertTrue(listener.firstStarted.await(10, TimeUnit.SECONDS));
            String big = "x".repeat(10_000);
            long size = RoomHistories.sizeOf(message(big));
            int fit = (int) (GroupDelivery.MAX_WAITING_BYTES / size);
            for (int i = 0; i < fit; i++) {
                broker.publish(message(big)); // returns: there is room to wait
            }
            Thread[] blocked = new Thread[1];
            Future<?> overTheBound = publishers.submit(() -> {
                blocked[0] = Thread.currentThread();
                broker.publish(message(big + " one too many"));
            });
            Await.until("the publisher over the bound waits for the fan-out",
                    () -> blocked[0] != null && blocked[0].getState() == Thread.State.WAITING);
            assertFalse(overTheBound.isDone());

            listener.releaseFirst.countDown();
            overTheBound.get(10, TimeUnit.SECONDS);
            first.get(10, TimeUnit.SECONDS);
            Await.until("everything delivered", () -> listener.texts().size() == fit + 2);
            assertEquals(big + " one too many", listener.texts().get(fit + 1), "the last, after all the others");
        } finally {
            listener.releaseFirst.countDown();
            publishers.shutdownNow();
            broker.close();
        }
    }

    @Test
    void closingStopsTheDeliveryThread() throws Exception {
        InMemoryBroker broker = new InMemoryBroker(100, 1L << 30, Clock.systemUTC());
        Listener listener = new Listener(true);
        broker.start(listener);
        ExecutorService publishers = Executors.newFixedThreadPool(2);
        try {
            publishers.submit(() -> broker.publish(message("first")));
            assertTrue(listener.firstStarted.await(10, TimeUnit.SECONDS));
            publishers.submit(() -> broker.publish(message("second"))).get(10, TimeUnit.SECONDS);
            listener.releaseFirst.countDown();
            Await.until("the second delivered by the delivery thread", () -> listener.texts().size() == 2);
            assertEquals(GroupDelivery.THREAD_NAME, listener.threads.get(1).getName());
            broker.close();
            Await.until("the delivery thread stopped", () -> !listener.threads.get(1).isAlive());
        } finally {
            listener.releaseFirst.countDown();
            publishers.shutdownNow();
            broker.close();
        }
    }
}
