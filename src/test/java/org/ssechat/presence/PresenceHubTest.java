package org.ssechat.presence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.ssechat.auth.Identity;
import org.ssechat.auth.RoomGrant;
import org.ssechat.broker.Broker;
import org.ssechat.broker.BrokerListener;
import org.ssechat.chat.ChatMessage;
import org.ssechat.broker.BrokerUnavailableException;
import org.ssechat.broker.InMemoryBroker;
import org.ssechat.sse.ClientRegistry;
import org.ssechat.sse.SseClient;

/** Presence on one node, its wakes run by hand: coalescing, people counted once, typing, an outage. */
class PresenceHubTest {

    private static final long INTERVAL_MILLIS = 100;
    private final ClientRegistry registry = new ClientRegistry();
    /** The hub's clock, moved by the test a wake at a time. */
    private final AtomicLong now = new AtomicLong(1_000_000);
    /** What each client was sent, as text. */
    private final Map<SseClient, List<String>> sent = new ConcurrentHashMap<>();

    private static ScheduledExecutorService noWakes() {
        ScheduledExecutorService thread = mock(ScheduledExecutorService.class);
        when(thread.scheduleWithFixedDelay(any(), anyLong(), anyLong(), any(TimeUnit.class)))
                .thenAnswer(call -> mock(ScheduledFuture.class));
        org.mockito.Mockito.doAnswer(call -> {
            call.<Runnable>getArgument(0).run(); // what the presence thread is handed runs at once
            return null;
        }).when(thread).execute(any());
        return thread;
    }

    /** A hub whose broker's signals come back to it, as ChatHub passes them on. */
    private PresenceHub hub(Broker broker) {
        AtomicReference<PresenceHub> hub = new AtomicReference<>();
        broker.start(new BrokerListener() {
            @Override
            public void onMessage(ChatMessage message) {
            }

            @Override
            public void onSignal(String payload) {
                hub.get().onSignal(payload);
            }
        });
        hub.set(new PresenceHub(registry, broker, 15_000, INTERVAL_MILLIS, noWakes(), now::get));
        return hub.get();
    }

    private SseClient stream(PresenceHub hub, String room, Reader reader) {
        return stream(hub, room, reader, true);
    }

    /** @param listens whether the stream asked for presence and typing events */
    private SseClient stream(PresenceHub hub, String room, Reader reader, boolean listens) {
        SseClient client = mock(SseClient.class);
        when(client.rooms()).thenReturn(List.of(room));
        when(client.isOpen()).thenReturn(true);
        List<String> frames = new ArrayList<>();
        sent.put(client, frames);
        when(client.send(any())).thenAnswer(call -> {
            frames.add(new String(call.<byte[]>getArgument(0), StandardCharsets.UTF_8));
            return true;
        });
        registry.add(client);
        hub.join(client, reader, listens);
        return client;
    }

    private void leave(PresenceHub hub, SseClient client) {
        registry.remove(client);
        hub.leave(client);
    }

    private long events(SseClient client, String type) {
        return sent.get(client).stream().filter(frame -> frame.startsWith("event: " + type + "\n")).count();
    }

    @Test
    void aWaveOfJoinsAndLeavesBetweenTwoWakesIsOneEvent() throws Exception {
        PresenceHub hub = hub(new InMemoryBroker(100, 1 << 20, Clock.systemUTC()));
        SseClient watcher = stream(hub, "r", Reader.of(null, "Wendy"));
        List<SseClient> wave = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            wave.add(stream(hub, "r", Reader.of(null, "p" + i)));
        }
        hub.tick();
        assertEquals(1, events(watcher, "presence"), "200 joins, one event");
        wave.forEach(client -> leave(hub, client));
        for (int i = 0; i < 200; i++) {
            stream(hub, "r", Reader.of(null, "q" + i));
        }
        now.addAndGet(3 * INTERVAL_MILLIS); // past the room's quiet time: a millisecond a stream
        hub.tick();
        assertEquals(2, events(watcher, "presence"), "200 leaves and 200 joins, one more event");
        now.addAndGet(3 * INTERVAL_MILLIS);
        hub.tick();
        assertEquals(2, events(watcher, "presence"), "nothing changed: no event");
        assertTrue(sent.get(watcher).get(1).contains("\"streams\":201,\"people\":201"), sent.get(watcher).get(1));
    }

    @Test
    void aPersonWithManyStreamsCountsOnceAndTheUnnamedEachCount() {
        PresenceHub hub = hub(new InMemoryBroker(100, 1 << 20, Clock.systemUTC()));
        Identity ann = new Identity("u-ann", "Ann", java.time.Instant.now().plusSeconds(600),
                new RoomGrant(List.of("*")), new RoomGrant(List.of("*")));
        for (int i = 0; i < 3; i++) {
            stream(hub, "r", Reader.of(ann, "ignored"));
        }
        stream(hub, "r", Reader.of(null, "Bob"));
        stream(hub, "r", Reader.UNNAMED);
        stream(hub, "r", Reader.UNNAMED);
        PresenceView view = hub.view("r");
        assertEquals(6, view.streams());
        assertEquals(4, view.people());
        assertEquals(2, view.unnamed());
        assertEquals("{\"room\":\"r\",\"streams\":6,\"people\":4,\"members\":[{\"userId\":\"u-ann\",\"name\":\"Ann\"},"
                + "{\"name\":\"Bob\"}],\"unnamed\":2,\"more\":false}", view.toJson());
    }

    @Test
    void typingGoesToTheRoomsOtherStreamsNotTheTypistsOwn() throws Exception {
        PresenceHub hub = hub(new InMemoryBroker(100, 1 << 20, Clock.systemUTC()));
        SseClient annHere = stream(hub, "r", Reader.of(null, "Ann"));
        SseClient annThere = stream(hub, "r", Reader.of(null, "Ann"));
        SseClient bob = stream(hub, "r", Reader.of(null, "Bob"));
        SseClient elsewhere = stream(hub, "s", Reader.of(null, "Carol"));
        hub.typing("r", Reader.of(null, "Ann"));
        assertEquals(0, events(annHere, "typing"));
        assertEquals(0, events(annThere, "typing"));
        assertEquals(List.of("event: typing\ndata: {\"room\":\"r\",\"user\":\"Ann\"}\n\n"), sent.get(bob));
        assertEquals(0, events(elsewhere, "typing"));
    }

    @Test
    void typingInOneRoomIsBoundedPerSecond() throws Exception {
        PresenceHub hub = hub(new InMemoryBroker(100, 1 << 20, Clock.systemUTC()));
        SseClient bob = stream(hub, "r", Reader.of(null, "Bob"));
        for (int i = 0; i < 10 * PresenceHub.MAX_TYPING_PER_ROOM_SECOND; i++) {
            hub.typing("r", Reader.of(null, "p" + i));
        }
        assertTrue(events(bob, "typing") <= 2 * PresenceHub.MAX_TYPING_PER_ROOM_SECOND, "at most a second's worth"
                + " twice (the calls may straddle a second): " + events(bob, "typing"));
    }

    @Test
    void aBrokerThatIsOutLeavesThisNodesOwnPresenceMarkedPartial() throws Exception {
        Broker broker = mock(Broker.class);
        when(broker.isHealthy()).thenReturn(true);
        when(broker.sharePresence(any(), any(), any(), anyLong()))
                .thenThrow(new BrokerUnavailableException("Redis is down", null));
        when(broker.readPresence(any(), any())).thenThrow(new BrokerUnavailableException("Redis is down", null));
        PresenceHub hub = hub(broker);
        SseClient ann = stream(hub, "r", Reader.of(null, "Ann"));
        PresenceView view = hub.view("r");
        assertTrue(view.partial());
        assertEquals(1, view.people());
        assertTrue(view.toJson().endsWith(",\"partial\":true}"), view.toJson());
        hub.tick();
        assertEquals(1, events(ann, "presence"), "the stream still hears this node's presence");
        assertFalse(sent.get(ann).isEmpty());
    }

    @Test
    void aChangeWithinTheQuietTimeOfABigRoomWaitsForALaterWakeAndIsShownThen() throws Exception {
        PresenceHub hub = hub(new InMemoryBroker(100, 1 << 20, Clock.systemUTC()));
        SseClient watcher = stream(hub, "r", Reader.of(null, "Wendy"));
        for (int i = 0; i < 299; i++) {
            stream(hub, "r", Reader.UNNAMED);
        }
        hub.tick();
        assertEquals(1, events(watcher, "presence"));
        stream(hub, "r", Reader.of(null, "Late"));
        now.addAndGet(INTERVAL_MILLIS);
        hub.tick();
        assertEquals(1, events(watcher, "presence"), "300 streams: a millisecond each between two events");
        now.addAndGet(2 * INTERVAL_MILLIS);
        hub.tick();
        assertEquals(2, events(watcher, "presence"), "shown at the first wake after the quiet time");
        assertTrue(sent.get(watcher).get(1).contains("\"name\":\"Late\""), sent.get(watcher).get(1));
    }

    @Test
    void aStreamThatDidNotAskForPresenceGetsNoPresenceOrTypingEvents() throws Exception {
        PresenceHub hub = hub(new InMemoryBroker(100, 1 << 20, Clock.systemUTC()));
        SseClient plain = stream(hub, "r", Reader.of(null, "Quiet"), false);
        SseClient listener = stream(hub, "r", Reader.of(null, "Bob"));
        hub.tick();
        hub.typing("r", Reader.of(null, "Ann"));
        assertEquals(List.of(), sent.get(plain));
        assertEquals(1, events(listener, "presence"));
        assertEquals(1, events(listener, "typing"));
        assertEquals(2, hub.view("r").people(), "counted all the same");
    }
}
