package org.ssechat.broker.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.logging.Logger;
import org.ssechat.broker.HistorySlice;
import org.ssechat.broker.PublishOnce;
import org.ssechat.broker.Published;
import org.ssechat.chat.ChatMessage;
import org.ssechat.chat.MessageJson;
import org.ssechat.sse.EventId;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * The scripts every Redis broker runs: publishing (append to the room's capped history stream
 * and publish, atomically, so the stream id is the message id), reading a history forwards (a
 * resume) and backwards (a page of GET /history). With a cluster the history key and the
 * channel share a slot, so each script runs on one node.
 */
public final class HistoryScripts {

    private static final String PUBLISH_SCRIPT = script("publish.lua");
    private static final String HISTORY_SCRIPT = script("history.lua");
    private static final String PRESENCE_SCRIPT = script("presence.lua");
    private static final Logger LOG = Logger.getLogger(HistoryScripts.class.getName());

    private final String historyLength;
    private final String historyTtlMillis;

    public HistoryScripts(int historyLength, long historyTtlSeconds) {
        this.historyLength = String.valueOf(historyLength);
        this.historyTtlMillis = String.valueOf(historyTtlSeconds * 1000);
    }

    /**
     * @param command {@code PUBLISH} for a channel, {@code SPUBLISH} for a shard channel
     * @return the message's id: the id of its history entry
     */
    public EventId publish(UnifiedJedis redis, String historyKey, String channel, String command, ChatMessage message) {
        // The JSON has no "id" yet: the script adds the stream id in front of the other fields.
        String json = MessageJson.toJson(message);
        Object reply = redis.eval(PUBLISH_SCRIPT, List.of(historyKey),
                List.of(channel, historyLength, json, historyTtlMillis, command));
        return newId(reply);
    }

    /**
     * Publishes unless the retry record is there; writes the record with the message, in the same
     * step. The record's key must be in the history key's slot (a cluster's).
     *
     * @param recordKey where the publish's retry record is kept
     */
    public Published publish(UnifiedJedis redis, String historyKey, String channel, String command,
            ChatMessage message, String recordKey, PublishOnce once) {
        Object reply = redis.eval(PUBLISH_SCRIPT, List.of(historyKey, recordKey),
                List.of(channel, historyLength, MessageJson.toJson(message), historyTtlMillis, command,
                        once.fingerprint() + ' ' + message.time(), String.valueOf(once.windowMillis())));
        if (!(reply instanceof List<?> kept)) {
            return Published.fresh(message.withId(newId(reply)));
        }
        // The record: the fingerprint, the first publish's time and its id, a space between each.
        String[] record = String.valueOf(kept.get(0)).split(" ");
        if (record.length != 3 || !once.sameMessage(record[0])) {
            return Published.conflict();
        }
        EventId id = EventId.parse(record[2]);
        try {
            if (id == null) {
                throw new IllegalArgumentException("no id");
            }
            return Published.replayed(new ChatMessage(id, message.room(), message.user(), message.text(),
                    Instant.parse(record[1]), message.userId()));
        } catch (RuntimeException e) {
            throw new JedisDataException("a publish record in Redis is not one: " + e.getMessage());
        }
    }

    private static EventId newId(Object reply) {
        EventId id = reply instanceof String text ? EventId.parse(text) : null;
        if (id == null) {
            throw new JedisDataException("the publish script answered " + reply + ", not a stream id");
        }
        return id;
    }

    public HistorySlice history(UnifiedJedis redis, String historyKey, String room, EventId after, int limit) {
        return slice(room, redis.eval(HISTORY_SCRIPT, List.of(historyKey),
                List.of(after == null ? "" : after.toString(), String.valueOf(limit))));
    }

    /** The newest {@code limit} messages before an id (null: the newest of all), oldest first. */
    public HistorySlice historyBefore(UnifiedJedis redis, String historyKey, String room, EventId before, int limit) {
        if (EventId.ZERO.equals(before)) {
            // Nothing is before 0-0, and Redis refuses it as an exclusive end: only the bounds.
            return history(redis, historyKey, room, null, 0);
        }
        return slice(room, redis.eval(HISTORY_SCRIPT, List.of(historyKey),
                List.of(before == null ? "" : before.toString(), String.valueOf(limit), "before")));
    }

    /**
     * Writes this node's share of a room's presence ('' takes it out) and reads the other live
     * nodes', in one step (see presence.lua); with {@code share} null, only reads.
     */
    public List<String> sharePresence(UnifiedJedis redis, String presenceKey, String node, String share,
            long ttlMillis) {
        List<?> reply = (List<?>) redis.eval(PRESENCE_SCRIPT, List.of(presenceKey),
                share == null ? List.of(node, "", "0", "read") : List.of(node, share, String.valueOf(ttlMillis)));
        List<String> shares = new ArrayList<>(reply.size());
        reply.forEach(value -> shares.add(String.valueOf(value)));
        return shares;
    }

    /** The history script's reply: the bounds, then ids and entries oldest first. */
    private static HistorySlice slice(String room, Object answer) {
        List<?> reply = (List<?>) answer;
        List<ChatMessage> messages = new ArrayList<>((reply.size() - 2) / 2);
        for (int i = 2; i + 1 < reply.size(); i += 2) {
            String id = (String) reply.get(i);
            try {
                // Stored without its id, as the publish script received it: the entry's id is the message's.
                messages.add(MessageJson.fromJson(EventId.parse(id), (String) reply.get(i + 1)));
            } catch (IllegalArgumentException e) {
                LOG.warning("Skipped history entry " + id + " of room '" + room + "': " + e.getMessage());
            }
        }
        return new HistorySlice(messages, EventId.parse((String) reply.get(0)), EventId.parse((String) reply.get(1)));
    }

    private static String script(String name) {
        try (InputStream in = HistoryScripts.class.getResourceAsStream(name)) {
            return new String(Objects.requireNonNull(in, name).readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
