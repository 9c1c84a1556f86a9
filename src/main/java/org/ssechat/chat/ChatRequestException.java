package org.ssechat.chat;

/**
 * A request the client got wrong, with the HTTP status that says how: it becomes a
 * {@code {"error": message}} answer, never a 500.
 */
public final class ChatRequestException extends Exception {

    private final int status;

    public ChatRequestException(int status, String message) {
        super(message, null, false, false); // an answer to a client, not a fault: no stack trace
        this.status = status;
    }

    public int status() {
        return status;
    }

    public static ChatRequestException badRequest(String message) {
        return new ChatRequestException(400, message);
    }
}
