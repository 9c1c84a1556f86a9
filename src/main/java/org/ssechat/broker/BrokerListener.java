package org.ssechat.broker;

import java.util.List;
import org.ssechat.chat.ChatMessage;

/**
 * Receives what a broker delivers, on one thread at a time, in the broker's order. It must not
 * block: it queues frames for clients and returns.
 */
public interface BrokerListener {

    /** The most messages a broker hands on at once ({@link #onMessages}): a longer backlog goes on in batches. */
    int MAX_BATCH = 1024;

    /** A message published on any node (or, with Redis, by another program). */
    void onMessage(ChatMessage message);

    /**
     * Messages that queued up while the listener was busy with the ones before, in the broker's
     * order: handed on together, so that they reach each stream together (the fan-out's group
     * commit). Never held back to make a batch: a broker hands on what waits when it can.
     */
    default void onMessages(List<ChatMessage> messages) {
        for (ChatMessage message : messages) {
            onMessage(message);
        }
    }

    /**
     * The broker (re)subscribed: messages published while it was not subscribed are in the
     * history but were not delivered. Called before any message of the new subscription.
     *
     * @param afterOutage whether the subscription had been lost (false for the first one)
     */
    default void onSubscribed(boolean afterOutage) {
    }

    /**
     * Messages were dropped on their way to this node (it fell behind a flood): those with a
     * history are to be caught up from it. Called before any message that came after the drop.
     */
    default void onMessagesMissed() {
    }

    /**
     * One room's messages may have been missed on their way here: its subscription moved to
     * another server (a cluster's slot moved or its node failed over). Called before any message
     * of the room's new subscription.
     */
    default void onRoomMissed(String room) {
        onMessagesMissed();
    }

    /**
     * A signal some node sent ({@link Broker#signal}): presence news, or someone typing. On the
     * delivery thread: it must hand the work on and return.
     */
    default void onSignal(String payload) {
    }
}
