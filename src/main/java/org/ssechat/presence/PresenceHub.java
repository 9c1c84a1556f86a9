package org.ssechat.presence;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.ssechat.broker.Broker;
import org.ssechat.broker.BrokerUnavailableException;
import org.ssechat.chat.ChatEvents;
import org.ssechat.chat.MessageJson;
import org.ssechat.metrics.ChatMetrics;
import org.ssechat.sse.ClientRegistry;
import org.ssechat.sse.SseClient;

/**
 * Who is in each room, on every node, and who is typing.
 *
 * <p>Each node keeps its own readers ({@link LocalPresence}) and shares them per room through
 * the broker ({@link Broker#sharePresence}): a share counts for {@code CHAT_PRESENCE_TTL_SECONDS}
 * and is refreshed every third of that, so a node that dies drops out by itself within the TTL
 * and one refresh. A node whose readers in a room changed says so on the signals channel; the
 * others read the room's presence again.
 *
 * <p>Coalescing: everything runs on one presence thread, which wakes every
 * {@code CHAT_PRESENCE_INTERVAL_MILLIS} and takes each changed room once. A room's streams get
 * {@code event: presence} only when what they would show changed, and at most once a wake (for a
 * room of more than that many streams on this node, once per millisecond per stream): so a wave
 * of a thousand reconnects within a second costs a room one or two events, not thousands.
 *
 * <p>A broker that is out degrades presence to this node's readers ({@code "partial": true}):
 * the presence thread waits on Redis, never a stream or the message road.
 */
public final class PresenceHub implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(PresenceHub.class.getName());
    /** The most typing events one room gets per second on this node: the rest are dropped. */
    static final int MAX_TYPING_PER_ROOM_SECOND = 20;
    /** How long the stop spends taking this node's shares out of Redis, at most. */
    private static final long LEAVE_MILLIS = 1000;

    private final ClientRegistry clients;
    private final Broker broker;
    private final LocalPresence local = new LocalPresence();
    private final String node = UUID.randomUUID().toString().substring(0, 12);
    private final long ttlMillis;
    private final long intervalMillis;
    private final ScheduledExecutorService thread;
    private final ScheduledFuture<?> ticks;
    private final LongAdder presenceEvents = new LongAdder();
    private final LongAdder typingDropped = new LongAdder();
    private final LongSupplier clockMillis;
    /** Rooms another node said changed: touched by the delivery thread (add) and the presence thread (take). */
    private final Set<String> changedElsewhere = ConcurrentHashMap.newKeySet();
    /** Typing events per room in the current second (under this hub's lock: the in-process broker signals from request threads). */
    private final Map<String, Integer> typingThisSecond = new HashMap<>();
    private long typingSecond;
    // The presence thread's own:
    /**
     * What each room's streams were last shown, as its JSON: compared as strings, never as
     * records. A record's equals runs through java.lang.runtime.ObjectMethods, whose static
     * method handle caches the adapted handle for the record's class: on JDK 17 that cache kept
     * the WAR's class loader after an undeploy (StockContainersIT found it).
     */
    private final Map<String, String> shown = new HashMap<>();
    private final Map<String, Long> quietUntil = new HashMap<>();
    private final Set<String> deferred = new HashSet<>();
    private long nextRefreshMillis;
    private boolean outage;
    /** A share another node wrote could not be read (said once at WARNING). */
    private volatile boolean unreadableShareSeen;

    /**
     * @param ttlMillis      how long a node's share counts unrefreshed ({@code CHAT_PRESENCE_TTL_SECONDS})
     * @param intervalMillis the least time between two presence events of a room ({@code CHAT_PRESENCE_INTERVAL_MILLIS})
     * @param thread         the presence thread, the hub's alone: it may wait on Redis
     */
    public PresenceHub(ClientRegistry clients, Broker broker, long ttlMillis, long intervalMillis,
            ScheduledExecutorService thread) {
        this(clients, broker, ttlMillis, intervalMillis, thread, System::currentTimeMillis);
    }

    /** @param clockMillis the time the wakes go by (a test's own) */
    PresenceHub(ClientRegistry clients, Broker broker, long ttlMillis, long intervalMillis,
            ScheduledExecutorService thread, LongSupplier clockMillis) {
        this.clockMillis = clockMillis;
        this.clients = clients;
        this.broker = broker;
        this.ttlMillis = ttlMillis;
        this.intervalMillis = intervalMillis;
        this.thread = thread;
        this.ticks = thread.scheduleWithFixedDelay(this::tick, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
    }

    /**
     * A stream opened: its reader is in its rooms now.
     *
     * @param listens whether it gets presence and typing events ({@code ?presence=1})
     */
    public void join(SseClient client, Reader reader, boolean listens) {
        local.join(client, reader, client.rooms(), listens);
    }

    /** A stream ended (idempotent). */
    public void leave(SseClient client) {
        local.leave(client);
    }

    /** A room's presence on every node now (GET /presence): this node's alone when the broker is out. */
    public PresenceView view(String room) {
        return read(room, local.share(room), false);
    }

    /**
     * Tells the room's other readers, on every node, that someone is typing.
     *
     * @throws BrokerUnavailableException when the signal could not be sent
     */
    public void typing(String room, Reader who) throws BrokerUnavailableException {
        JsonObject signal = new JsonObject();
        signal.addProperty("type", "typing");
        signal.addProperty("room", room);
        signal.addProperty("user", who.name());
        signal.addProperty("userId", who.userId());
        signal.addProperty("key", who.key());
        broker.signal(MessageJson.GSON.toJson(signal));
    }

    /** A signal from some node (this one's too), on the broker's delivery thread: handed on at once. */
    public void onSignal(String payload) {
        JsonObject signal;
        try {
            signal = JsonParser.parseString(payload).getAsJsonObject();
        } catch (RuntimeException e) {
            LOG.fine("Skipped a signal that is not JSON: " + e.getMessage());
            return;
        }
        String type = text(signal, "type");
        String room = text(signal, "room");
        if (room == null || !clients.hasClients(room)) {
            return; // nobody here to tell
        }
        if ("presence".equals(type) && !node.equals(text(signal, "node"))) {
            changedElsewhere.add(room);
        } else if ("typing".equals(type) && local.listenersIn(room) > 0 && underTypingBound(room)) {
            // On the presence thread: the delivery thread (Redis's subscriber) only hands it on.
            String user = text(signal, "user");
            String userId = text(signal, "userId");
            String key = text(signal, "key");
            try {
                thread.execute(() -> sendTyping(room, user, userId, key));
            } catch (RejectedExecutionException stopping) {
                // the node is stopping: nobody to tell
            }
        }
    }

    /** Encoded once; every stream of the room but the typist's own gets it. */
    private void sendTyping(String room, String user, String userId, String key) {
        JsonObject json = new JsonObject();
        json.addProperty("room", room);
        json.addProperty("user", user);
        if (userId != null) {
            json.addProperty("userId", userId);
        }
        byte[] frame = ChatEvents.typing(MessageJson.GSON.toJson(json));
        clients.broadcastExcept(room, frame, client -> {
            Reader listener = local.listener(client);
            return listener == null || key != null && key.equals(listener.key());
        });
    }

    private synchronized boolean underTypingBound(String room) {
        long second = System.nanoTime() / 1_000_000_000L;
        if (second != typingSecond) {
            typingSecond = second;
            typingThisSecond.clear();
        }
        boolean under = typingThisSecond.merge(room, 1, Integer::sum) <= MAX_TYPING_PER_ROOM_SECOND;
        if (!under) {
            typingDropped.increment();
        }
        return under;
    }

    /** One wake of the presence thread: every changed room once, every room's share refreshed when due. */
    void tick() {
        try {
            long now = clockMillis.getAsLong();
            Set<String> changedHere = local.takeChanged();
            Set<String> due = new HashSet<>(changedHere);
            due.addAll(deferred);
            deferred.clear();
            for (String room : List.copyOf(changedElsewhere)) {
                changedElsewhere.remove(room);
                due.add(room);
            }
            if (now >= nextRefreshMillis) {
                nextRefreshMillis = now + ttlMillis / 3;
                due.addAll(local.rooms()); // the refresh keeps them counted, and shows who expired
            }
            for (String room : due) {
                update(room, changedHere.contains(room), now);
            }
            shown.keySet().removeIf(room -> !clients.hasClients(room));
            quietUntil.keySet().removeIf(room -> !clients.hasClients(room));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "A presence update failed", e);
        }
    }

    private void update(String room, boolean changedHere, long now) {
        NodeShare mine = local.share(room);
        PresenceView view = read(room, mine, true);
        if (changedHere && !view.partial()) {
            signalChanged(room);
        }
        String json = view.toJson();
        if (!clients.hasClients(room) || json.equals(shown.get(room))) {
            return;
        }
        if (local.listenersIn(room) == 0) {
            shown.put(room, json); // nobody here asked for events: nothing to send
            return;
        }
        if (now < quietUntil.getOrDefault(room, 0L)) {
            deferred.add(room); // shown at a later wake, with whatever changed meanwhile
            return;
        }
        shown.put(room, json);
        // The next wake may show it again (half an interval of slack for the wake's own delay);
        // a room of more streams than the interval has milliseconds waits a millisecond a stream.
        quietUntil.put(room, now + Math.max(intervalMillis / 2, local.streamsIn(room)));
        clients.broadcastExcept(room, ChatEvents.presence(json), client -> local.listener(client) == null);
        presenceEvents.increment();
    }

    /** Shares this node's part and reads everyone's; this node's alone while the broker is out. */
    /**
     * @param share whether this node's part is written too (the presence thread's wakes), or the
     *              others' only read (GET /presence, which must not race the wakes' writes)
     */
    private PresenceView read(String room, NodeShare mine, boolean share) {
        List<NodeShare> shares = new ArrayList<>();
        if (mine != null) {
            shares.add(mine);
        }
        if (broker.isHealthy()) {
            try {
                List<String> others = share ? broker.sharePresence(room, node, mine == null ? "" : mine.toJson(),
                        ttlMillis) : broker.readPresence(room, node);
                for (String other : others) {
                    try {
                        shares.add(NodeShare.fromJson(other));
                    } catch (IllegalArgumentException e) {
                        // Another node's share this one cannot read (another version?): its readers go
                        // uncounted. Said once at WARNING: it comes back at every wake.
                        LOG.log(unreadableShareSeen ? Level.FINE : Level.WARNING, "Skipped a presence share of"
                                + " room '" + room + "' that is not one: " + e.getMessage());
                        unreadableShareSeen = true;
                    }
                }
                backFromOutage();
                return PresenceView.merge(room, shares, false);
            } catch (BrokerUnavailableException | RuntimeException e) {
                outage(e);
            }
        }
        return PresenceView.merge(room, shares, true);
    }

    /** The hub's figures on /metrics. */
    public void registerMetrics(ChatMetrics metrics) {
        metrics.counter("sse_chat_presence_events_total", "Presence events sent, one per room and change shown"
                + " (each to every stream of the room on this node).", presenceEvents::sum);
        metrics.counter("sse_chat_typing_dropped_total", "Typing signals dropped because a room had more than "
                + MAX_TYPING_PER_ROOM_SECOND + " in a second.", typingDropped::sum);
        metrics.gauge("sse_chat_presence_rooms", "Rooms with streams on this node, whose presence it shares.",
                () -> local.rooms().size());
    }

    private void signalChanged(String room) {
        JsonObject signal = new JsonObject();
        signal.addProperty("type", "presence");
        signal.addProperty("room", room);
        signal.addProperty("node", node);
        try {
            broker.signal(MessageJson.GSON.toJson(signal));
        } catch (BrokerUnavailableException | RuntimeException e) {
            outage(e);
        }
    }

    private synchronized void outage(Exception e) {
        if (!outage) {
            outage = true;
            LOG.warning("Presence shows this node's readers only until the broker is back: " + e.getMessage());
        }
    }

    private synchronized void backFromOutage() {
        if (outage) {
            outage = false;
            LOG.info("Presence is shared again");
        }
    }

    private static String text(JsonObject json, String name) {
        var value = json.get(name);
        return value == null || !value.isJsonPrimitive() ? null : value.getAsString();
    }

    /**
     * Takes this node's shares out (for a short while at most), so it drops out at once. The
     * caller stops the presence thread first, so no wake writes a share back.
     */
    @Override
    public void close() {
        ticks.cancel(false);
        if (!broker.isHealthy()) {
            return;
        }
        long deadline = System.nanoTime() + LEAVE_MILLIS * 1_000_000;
        for (String room : local.rooms()) {
            if (System.nanoTime() > deadline) {
                break;
            }
            try {
                broker.sharePresence(room, node, "", ttlMillis);
            } catch (BrokerUnavailableException | RuntimeException e) {
                break; // they expire by themselves
            }
        }
    }
}
