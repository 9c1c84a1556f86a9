package org.ssechat.chat;

import com.google.gson.JsonObject;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.ssechat.sse.SseEvent;

/** The SSE events of the chat stream, each built in one place. */
public final class ChatEvents {

    /** The event type of chat messages: {@code es.addEventListener("message", ...)}. */
    public static final String MESSAGE = "message";
    /** The event type that says messages may have been missed (see {@link #reset}). */
    public static final String RESET = "reset";
    /** The event type of the server's time at the start of a stream that asked for it (see {@link #time}). */
    public static final String TIME = "time";
    /** The event type that ends a stream whose token expired (see {@link #expired}). */
    public static final String EXPIRED = "expired";

    /** The event type of a room's presence when it changed (see {@link #presence}). */
    public static final String PRESENCE = "presence";
    /** The event type that says someone is typing (see {@link #typing}). */
    public static final String TYPING = "typing";

    /** Always with the milliseconds (Instant.toString leaves out a zero fraction). */
    private static final DateTimeFormatter TO_THE_MILLISECOND =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private ChatEvents() {
    }

    /**
     * The frame of a message: its id, {@code event: message}, and one line of JSON. A message
     * that another program published straight into Redis has no id: it goes out without one,
     * and the browser keeps the last id it saw.
     */
    public static byte[] message(ChatMessage message) {
        SseEvent.Builder event = SseEvent.builder();
        if (message.id() != null) {
            event.id(message.id().toString());
        }
        return event.event(MESSAGE).data(MessageJson.toJson(message)).encode();
    }

    /**
     * {@code event: reset}: the client asked to resume from an id the history cannot continue
     * from (too old, unknown, or the history is unavailable), so messages may have been missed.
     * What the history holds follows it. The SSE spec has no way to say this (whatwg/html 8297).
     *
     * @param lastEventId the id the client sent, as sent (null if none)
     * @param room        the room the messages may be missing from (a stream of many rooms gets one a room)
     */
    public static byte[] reset(String reason, String lastEventId, String room) {
        JsonObject json = new JsonObject();
        json.addProperty("reason", reason);
        json.addProperty("lastEventId", lastEventId);
        json.addProperty("room", room);
        return SseEvent.builder().event(RESET).data(MessageJson.GSON.toJson(json)).encode();
    }

    /**
     * {@code event: time} with the server's time to the millisecond ({@code 2026-12-01T13:40:00.123Z}),
     * sent first on a stream opened with {@code ?clock=1}: the page shows the server's clock from
     * it, ticking locally, instead of holding a {@code /time} stream of its own. Always with the
     * milliseconds, so every event has the same form.
     */
    public static byte[] time(Instant now) {
        return SseEvent.builder().event(TIME).data(TO_THE_MILLISECOND.format(now)).encode();
    }

    /**
     * {@code event: expired}: the stream's token expired, so the stream ends after it.
     * EventSource reconnects by itself after the retry delay, with the cookie a backend may have
     * refreshed meanwhile, and resumes after its Last-Event-ID: nothing is lost.
     */
    public static byte[] expired(Instant expiredAt) {
        JsonObject json = new JsonObject();
        json.addProperty("error", "the token expired; reconnect with a fresh one");
        json.addProperty("expiredAt", expiredAt.toString());
        return SseEvent.builder().event(EXPIRED).data(MessageJson.GSON.toJson(json)).encode();
    }

    /**
     * {@code event: presence} with a room's presence (presence.PresenceView's JSON): no id, not
     * kept, not resumed; the next one says it again.
     */
    public static byte[] presence(String json) {
        return SseEvent.builder().event(PRESENCE).data(json).encode();
    }

    /** {@code event: typing}: {@code {"room","user","userId"}}; no id, not kept, not resumed. */
    public static byte[] typing(String json) {
        return SseEvent.builder().event(TYPING).data(json).encode();
    }
}
