package org.ssechat.hub;

import org.ssechat.broker.Broker;
import org.ssechat.broker.BrokerListener;
import org.ssechat.chat.ChatMessage;
import org.ssechat.metrics.ChatMetrics;
import org.ssechat.sse.ClientRegistry;

/**
 * What this node does with what the broker delivers: live messages take the {@link LiveFanOut};
 * a new or restored subscription, or messages dropped on the way, start a {@link CatchUp} from
 * the history. All of it on the broker's delivery thread, in the broker's order.
 */
public final class ChatHub implements BrokerListener {

    private final LiveFanOut live;
    private final CatchUp catchUp;
    private final ChatMetrics metrics;

    /** @param pageSize the most messages one history read returns */
    public ChatHub(ClientRegistry clients, Broker broker, int pageSize, ChatMetrics metrics) {
        this.live = new LiveFanOut(clients);
        this.catchUp = new CatchUp(clients, broker, live, pageSize);
        this.metrics = metrics;
    }

    @Override
    public void onMessage(ChatMessage message) {
        metrics.received();
        live.deliver(message);
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

    /** How many rooms the catch-up position is kept for (bounded by the rooms with clients). */
    int trackedRooms() {
        return live.trackedRooms();
    }
}
