package org.ssechat.broker;

import java.util.List;
import org.ssechat.chat.ChatMessage;
import org.ssechat.sse.EventId;

/**
 * Part of a room's history, oldest first, with the bounds of what the history holds now.
 *
 * @param messages the messages asked for, oldest first
 * @param first    the oldest id the room's history holds, or null when it is empty
 * @param last     the newest id the room's history holds, or null when it is empty
 */
public record HistorySlice(List<ChatMessage> messages, EventId first, EventId last) {

    public static final HistorySlice EMPTY = new HistorySlice(List.of(), null, null);
}
