package org.ssechat.hub;

import java.time.Clock;
import java.util.List;
import java.util.function.Consumer;
import org.ssechat.broker.Broker;
import org.ssechat.broker.BrokerListener;
import org.ssechat.chat.ChatMessage;
import org.ssechat.metrics.ChatMetrics;
import org.ssechat.sse.ClientRegistry;
import org.ssechat.sse.EventBatch;

/**
 * What this node does with what the broker delivers: live messages take the {@link LiveFanOut};
 * a new or restored subscription, or messages dropped on the way, start a {@link CatchUp} from
 * the history. All of it on the broker's delivery thread, in the broker's order.
 */
public final class ChatHub implements BrokerListener {

    private final LiveFanOut live;
    private final CatchUp catchUp;
    private final ChatMetrics metrics;
    private final Clock clock;
    private final Consumer<String> signals;

    /** @param pageSize the most messages one history read returns */
    public ChatHub(ClientRegistry clients, Broker broker, int pageSize, ChatMetrics metrics) {
        this(clients, broker, pageSize, metrics, Clock.systemUTC());
    }

    /** @param clock the clock messages are stamped with, to measure how long one took to get here */
    public ChatHub(ClientRegistry clients, Broker broker, int pageSize, ChatMetrics metrics, Clock clock) {
        this(clients, broker, pageSize, metrics, clock, signal -> { });
    }

    /** @param signals where the broker's signals go (presence news, typing: presence.PresenceHub) */
    public ChatHub(ClientRegistry clients, Broker broker, int pageSize, ChatMetrics metrics, Clock clock,
            Consumer<String> signals) {
        this(clients, broker, pageSize, metrics, clock, signals, EventBatch.MAX_BYTES);
    }

    /** @param maxBatchBytes past this many bytes of frames a batch goes out (see {@link EventBatch#maxBytesFor}) */
    public ChatHub(ClientRegistry clients, Broker broker, int pageSize, ChatMetrics metrics, Clock clock,
            Consumer<String> signals, int maxBatchBytes) {
        this.clock = clock;
        this.signals = signals;
        this.live = new LiveFanOut(clients, maxBatchBytes);
        this.catchUp = new CatchUp(clients, broker, live, pageSize);
        this.metrics = metrics;
    }

    @Override
    public void onMessage(ChatMessage message) {
        onMessages(List.of(message));
    }

    /** Messages that queued up while the last fan-out ran go out together: one batch, one write a stream. */
    @Override
    public void onMessages(List<ChatMessage> messages) {
        metrics.received(messages.size());
        long start = System.nanoTime();
        List<ChatMessage> delivered = live.deliver(messages);
        if (!delivered.isEmpty()) {
            long now = System.nanoTime();
            metrics.fannedOut(now - start); // one pass, however many messages it carried
            long nowMillis = clock.millis();
            for (ChatMessage message : delivered) {
                metrics.reachedStreams((nowMillis - message.time().toEpochMilli()) * 1_000_000);
            }
        }
    }

    @Override
    public void onSignal(String payload) {
        signals.accept(payload);
    }

    @Override
    public void onSubscribed(boolean afterOutage) {
        if (afterOutage) {
            metrics.redisReconnected();
        }
        catchUp.run();
    }

    @Override
    public void onMessagesMissed() {
        catchUp.run();
    }

    @Override
    public void onRoomMissed(String room) {
        catchUp.run(room);
    }

    /** How many rooms the catch-up position is kept for (bounded by the rooms with clients). */
    int trackedRooms() {
        return live.trackedRooms();
    }
}
