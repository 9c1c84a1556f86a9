package org.ssechat.publish;

import jakarta.servlet.http.HttpServletRequest;
import org.ssechat.auth.Identity;
import org.ssechat.http.ClientAddress;

/**
 * Whose publishes a rate limit counts: a token's subject, wherever the user posts from, or else
 * the client address (a subject cannot look like an address: it has a prefix).
 */
public final class PublishRate {

    /** Client addresses and subjects the limiter tracks at most. */
    public static final int MAX_KEYS = 100_000;

    private final RateLimiter limiter;
    private final ClientAddress addresses;

    /** @param limiter the limit, or null for none */
    public PublishRate(RateLimiter limiter, ClientAddress addresses) {
        this.limiter = limiter;
        this.addresses = addresses;
    }

    /**
     * Spends one publish of the identity's subject, or of the request's address without one.
     *
     * @return 0 when allowed, else the seconds to wait
     */
    public long spend(HttpServletRequest req, Identity identity) {
        if (limiter == null) {
            return 0;
        }
        return limiter.acquire(sender(req, identity));
    }

    /** Who sends: the identity's subject ({@code sub:<subject>}), or the request's address without one. */
    public String sender(HttpServletRequest req, Identity identity) {
        return identity != null ? "sub:" + identity.subject() : addresses.of(req);
    }

    /** Forgets senders that have been idle long enough to have their whole burst back. */
    public void forgetIdle() {
        if (limiter != null) {
            limiter.forgetIdle();
        }
    }
}
