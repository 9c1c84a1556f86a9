package org.ssechat.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.ssechat.auth.TokenRejectedException.Reason;

/**
 * Checks a token and says who it is for: a JWS compact token (RFC 7515) signed with one of the
 * configured keys, whose claims hold {@code sub} and {@code exp}, not expired and not before its
 * {@code nbf}, both give or take the clock skew. Everything else is refused with a reason.
 */
public final class TokenVerifier {

    /** The longest {@code sub}: it becomes a message's userId and a rate-limit key. */
    public static final int MAX_SUBJECT_CHARS = 256;

    /** Why a name cannot be shown as a sender, or null when it can. */
    @FunctionalInterface
    public interface NameRule {
        String problem(String name);
    }

    private final TokenKeys keys;
    private final Duration clockSkew;
    private final NameRule nameRule;
    private final Clock clock;

    /**
     * @param clockSkew how far the clocks of the token's issuer and this node may disagree
     * @param nameRule  the rule of posted names, which a token's {@code name} follows too (so a
     *                  token that could never post is refused, not accepted to fail every post)
     */
    public TokenVerifier(TokenKeys keys, Duration clockSkew, NameRule nameRule, Clock clock) {
        this.keys = keys;
        this.clockSkew = clockSkew;
        this.nameRule = nameRule;
        this.clock = clock;
    }

    public Identity verify(String token) throws TokenRejectedException {
        SignedJWT jwt;
        try {
            // A JWS only: an unsecured token (alg "none") or an encrypted one does not parse as one.
            jwt = SignedJWT.parse(token);
        } catch (ParseException e) {
            throw new TokenRejectedException(Reason.MALFORMED, "the token is not a signed JWT");
        }
        JWSAlgorithm algorithm = jwt.getHeader().getAlgorithm();
        JWSVerifier verifier = keys.verifierFor(algorithm);
        if (verifier == null) {
            // Not echoing the header's alg: it is the sender's text.
            throw new TokenRejectedException(Reason.ALGORITHM, "the token's algorithm is not one this server accepts ("
                    + keys.algorithms() + ")");
        }
        try {
            if (!jwt.verify(verifier)) {
                throw new TokenRejectedException(Reason.SIGNATURE, "the token's signature does not match");
            }
        } catch (JOSEException e) {
            throw new TokenRejectedException(Reason.SIGNATURE, "the token's signature cannot be checked");
        }
        JWTClaimsSet claims;
        try {
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw new TokenRejectedException(Reason.MALFORMED, "the token's claims are not a JSON object");
        }
        return identity(claims);
    }

    private Identity identity(JWTClaimsSet claims) throws TokenRejectedException {
        Instant now = clock.instant();
        Date exp = claims.getExpirationTime();
        if (exp == null) {
            throw new TokenRejectedException(Reason.CLAIMS, "the token has no exp: tokens must expire");
        }
        if (!now.isBefore(exp.toInstant().plus(clockSkew))) {
            throw new TokenRejectedException(Reason.EXPIRED, "the token expired at " + exp.toInstant());
        }
        Date nbf = claims.getNotBeforeTime();
        if (nbf != null && now.plus(clockSkew).isBefore(nbf.toInstant())) {
            throw new TokenRejectedException(Reason.CLAIMS, "the token is not valid before " + nbf.toInstant());
        }
        String subject = text(claims, "sub");
        if (subject == null || subject.isBlank() || subject.length() > MAX_SUBJECT_CHARS
                || subject.codePoints().anyMatch(c -> Character.isISOControl(c) || Character.getType(c) == Character.FORMAT)) {
            throw new TokenRejectedException(Reason.CLAIMS, "the token's sub must be a string of 1 to " + MAX_SUBJECT_CHARS
                    + " characters without control or format characters");
        }
        String name = text(claims, "name");
        if (name == null) {
            name = subject;
        }
        String problem = nameRule.problem(name);
        if (problem != null) {
            throw new TokenRejectedException(Reason.CLAIMS, "the token's name cannot be shown: " + problem);
        }
        RoomGrant reads = grant(claims, "rooms");
        RoomGrant publishes = claims.getClaim("publish") == null ? reads : grant(claims, "publish");
        return new Identity(subject, name, exp.toInstant(), reads, publishes);
    }

    private static String text(JWTClaimsSet claims, String name) throws TokenRejectedException {
        try {
            return claims.getStringClaim(name);
        } catch (ParseException e) {
            throw new TokenRejectedException(Reason.CLAIMS, "the token's " + name + " is not a string");
        }
    }

    private static RoomGrant grant(JWTClaimsSet claims, String name) throws TokenRejectedException {
        Object value = claims.getClaim(name);
        if (value == null) {
            return RoomGrant.NONE;
        }
        if (!(value instanceof List<?> list) || !list.stream().allMatch(String.class::isInstance)) {
            throw new TokenRejectedException(Reason.CLAIMS, "the token's " + name + " must be an array of room names");
        }
        return new RoomGrant(list.stream().map(String.class::cast).toList());
    }
}
