package org.ssechat.auth;

/** A token that is not accepted; the message says why, without echoing the token. */
public final class TokenRejectedException extends Exception {

    /** Why, for the metrics: {@code sse_chat_auth_refusals_total{reason}}. */
    public enum Reason { MALFORMED, ALGORITHM, SIGNATURE, EXPIRED, CLAIMS }

    private final Reason reason;

    public TokenRejectedException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
