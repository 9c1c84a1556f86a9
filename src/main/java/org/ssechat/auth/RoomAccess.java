package org.ssechat.auth;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.ssechat.http.QueryParameters;
import org.ssechat.metrics.ChatMetrics;

/**
 * Who may read and post where. With no key configured there are no tokens and every room is
 * open, as before. With a key, a room named {@code private-...} needs a token that allows it,
 * and with {@code CHAT_AUTH=required} every room does; a token that is given must be valid,
 * wherever it is used. Refusals are final answers, before any stream starts: {@code 401} for
 * no token or a bad one, {@code 403} for a good token that does not allow the room.
 */
public final class RoomAccess {

    public static final String PRIVATE_PREFIX = "private-";

    /** Why a request was refused, for {@code sse_chat_auth_refusals_total{reason}}. */
    public enum Reason {
        MISSING, MALFORMED, ALGORITHM, SIGNATURE, EXPIRED, CLAIMS, FORBIDDEN;

        public String code() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** A refusal: its status, its message, and why. */
    public record Denial(int status, String error, Reason reason) {
        public boolean isUnauthorized() {
            return status == HttpServletResponse.SC_UNAUTHORIZED;
        }
    }

    /** What a request's token said: nothing, who it is, or why it is not accepted. */
    public record Caller(Identity identity, Denial rejected) {
        public static final Caller ANONYMOUS = new Caller(null, null);
    }

    private final TokenVerifier verifier;
    private final boolean required;
    private final Map<Reason, LongAdder> refusals = new EnumMap<>(Reason.class);

    /** @param verifier the token checker, or null when no key is configured (everything open) */
    public RoomAccess(TokenVerifier verifier, boolean required) {
        this.verifier = verifier;
        this.required = required;
        Arrays.stream(Reason.values()).forEach(reason -> refusals.put(reason, new LongAdder()));
    }

    /** Whether tokens are in use at all (a key is configured). */
    public boolean tokensEnabled() {
        return verifier != null;
    }

    /** Whether every room needs a token. */
    public boolean tokensRequired() {
        return required;
    }

    /**
     * Checks the token a reading request carries wherever it carries it (see {@link TokenCarrier}):
     * the streams', the history's and {@code /me}'s way.
     */
    public Caller identify(HttpServletRequest req, QueryParameters query) {
        return identify(TokenCarrier.token(TokenCarrier.find(req, query, null)));
    }

    /** Checks the token a request carries, if it carries one (and tokens are in use). */
    public Caller identify(String token) {
        if (verifier == null || token == null) {
            return Caller.ANONYMOUS;
        }
        try {
            return new Caller(verifier.verify(token), null);
        } catch (TokenRejectedException e) {
            return new Caller(null, new Denial(HttpServletResponse.SC_UNAUTHORIZED, e.getMessage(),
                    Reason.valueOf(e.reason().name())));
        }
    }

    /**
     * @param publishing whether the caller posts to the room (else it reads it)
     * @return why the caller may not, or empty when it may
     */
    public Optional<Denial> check(Caller caller, String room, boolean publishing) {
        Optional<Denial> denial = decide(caller, room, publishing);
        denial.ifPresent(d -> refusals.get(d.reason()).increment());
        return denial;
    }

    /** Whether the caller may read (or post to) the room, without counting a refusal: for GET /me. */
    public boolean allows(Caller caller, String room, boolean publishing) {
        return decide(caller, room, publishing).isEmpty();
    }

    /** A token that was given but is not accepted: refused wherever it is used, whatever the room. */
    public Optional<Denial> checkToken(Caller caller) {
        if (caller.rejected() == null) {
            return Optional.empty();
        }
        refusals.get(caller.rejected().reason()).increment();
        return Optional.of(caller.rejected());
    }

    private Optional<Denial> decide(Caller caller, String room, boolean publishing) {
        if (verifier == null) {
            return Optional.empty();
        }
        if (caller.rejected() != null) {
            return Optional.of(caller.rejected());
        }
        Identity identity = caller.identity();
        if (identity == null) {
            return needsToken(room)
                    ? Optional.of(new Denial(HttpServletResponse.SC_UNAUTHORIZED, "room '" + room + "' needs a token"
                            + " (Authorization: Bearer, the cookie " + TokenCarrier.COOKIE + ", or ?"
                            + TokenCarrier.QUERY_PARAMETER + "=)", Reason.MISSING))
                    : Optional.empty();
        }
        RoomGrant grant = publishing ? identity.publishes() : identity.reads();
        return grant.allows(room) ? Optional.empty()
                : Optional.of(new Denial(HttpServletResponse.SC_FORBIDDEN, "this token does not allow "
                        + (publishing ? "posting to" : "reading") + " room '" + room + "'", Reason.FORBIDDEN));
    }

    /** Whether a room can be used only with a token. */
    public boolean needsToken(String room) {
        return verifier != null && (required || room.startsWith(PRIVATE_PREFIX));
    }

    /** Refusals so far, by reason. */
    public long refusals(Reason reason) {
        return refusals.get(reason).sum();
    }

    /** Its refusals, counted by reason. */
    public void registerMetrics(ChatMetrics metrics) {
        Map<String, LongSupplier> byReason = new LinkedHashMap<>();
        for (Reason reason : Reason.values()) {
            byReason.put(reason.code(), () -> refusals(reason));
        }
        metrics.counters("sse_chat_auth_refusals_total", "Streams and posts refused for their token, by reason"
                + " (missing, malformed, algorithm, signature, expired, claims: 401; forbidden: 403).", "reason",
                byReason);
    }
}
