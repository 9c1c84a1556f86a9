package org.ssechat.testing;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.List;

/** HS256 tokens as a backend signs them for sse-chat (see docs/auth.md), for the tests. */
public final class Tokens {

    private Tokens() {
    }

    /**
     * @param name    the {@code name} claim, or null for none
     * @param seconds how long it is valid from now (negative: expired that long ago)
     * @param rooms   the {@code rooms} claim: the rooms it may read
     * @param publish the {@code publish} claim, or null for none
     */
    public static String hs256(String secret, String subject, String name, long seconds, List<String> rooms,
            List<String> publish) throws Exception {
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().subject(subject)
                .expirationTime(Date.from(Instant.now().plusSeconds(seconds))).claim("rooms", rooms);
        if (name != null) {
            claims.claim("name", name);
        }
        if (publish != null) {
            claims.claim("publish", publish);
        }
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims.build());
        jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
        return jwt.serialize();
    }

    /** A token of "u-ann", valid for an hour, reading {@code rooms}. */
    public static String forRooms(String secret, List<String> rooms) throws Exception {
        return hs256(secret, "u-ann", null, 3600, rooms, null);
    }
}
