package org.ssechat.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ssechat.auth.TokenRejectedException.Reason;
import org.ssechat.config.ConfigException;

/** Every way a token is refused, and what an accepted one allows. */
class TokenVerifierTest {

    private static final String SECRET = "0123456789abcdef0123456789abcdef"; // 32 bytes
    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final KeyPair RSA = keyPair("RSA", null);
    private static final KeyPair EC = keyPair("EC", "secp256r1");

    private static KeyPair keyPair(String type, String curve) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(type);
            if (curve != null) {
                generator.initialize(new ECGenParameterSpec(curve));
            } else {
                generator.initialize(2048);
            }
            return generator.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String pem(PublicKey key) {
        return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(key.getEncoded()) + "\n-----END PUBLIC KEY-----\n";
    }

    /** The rule of posted names, as the application gives it: at most 32 characters, not "system". */
    static final TokenVerifier.NameRule NAMES = name -> name.codePointCount(0, name.length()) > 32 ? "too long"
            : name.isBlank() ? "blank" : name.equalsIgnoreCase("system") ? "reserved" : null;

    private static TokenVerifier verifier(Optional<String> secret, Optional<String> publicKey) {
        return new TokenVerifier(TokenKeys.from(secret, publicKey).orElseThrow(), Duration.ofSeconds(30), NAMES, CLOCK);
    }

    private static final TokenVerifier HS = verifier(Optional.of(SECRET), Optional.empty());

    /** Claims valid for an hour, for "u1", reading "general"; the consumer changes them. */
    private static JWTClaimsSet claims(Consumer<JWTClaimsSet.Builder> change) {
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().subject("u1").claim("name", "Ann")
                .expirationTime(Date.from(NOW.plusSeconds(3600))).claim("rooms", List.of("general"));
        change.accept(claims);
        return claims.build();
    }

    private static String sign(JWSAlgorithm algorithm, JWSSigner signer, JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(algorithm).type(JOSEObjectType.JWT).build(), claims);
        jwt.sign(signer);
        return jwt.serialize();
    }

    private static String hs256(JWTClaimsSet claims) throws Exception {
        return sign(JWSAlgorithm.HS256, new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)), claims);
    }

    private static Reason refusal(TokenVerifier verifier, String token) {
        return assertThrows(TokenRejectedException.class, () -> verifier.verify(token)).reason();
    }

    @Test
    void aGoodHs256TokenSaysWhoAndWhichRooms() throws Exception {
        Identity identity = HS.verify(hs256(claims(c -> c.claim("rooms", List.of("general", "team-*")))));
        assertEquals("u1", identity.subject());
        assertEquals("Ann", identity.name());
        assertEquals(NOW.plusSeconds(3600), identity.expiresAt());
        assertTrue(identity.reads().allows("general"));
        assertTrue(identity.reads().allows("team-blue"), "a prefix");
        assertTrue(identity.reads().allows("team-"), "the prefix itself");
        assertFalse(identity.reads().allows("team"), "not the prefix without its dash");
        assertFalse(identity.reads().allows("generally"), "an exact name is not a prefix");
        assertEquals(identity.reads(), identity.publishes(), "no publish claim: the same rooms");
    }

    @Test
    void publishNarrowsWhereTheBearerMayPostAndStarIsEveryRoom() throws Exception {
        Identity identity = HS.verify(hs256(claims(c -> c.claim("rooms", List.of("*")).claim("publish", List.of("help")))));
        assertTrue(identity.reads().allows("anything-at-all"));
        assertTrue(identity.publishes().allows("help"));
        assertFalse(identity.publishes().allows("general"));
        Identity none = HS.verify(hs256(claims(c -> c.claim("rooms", null))));
        assertFalse(none.reads().allows("general"), "no rooms claim: no room");
        Identity noPosting = HS.verify(hs256(claims(c -> c.claim("publish", List.of()))));
        assertTrue(noPosting.reads().allows("general"));
        assertFalse(noPosting.publishes().allows("general"), "an empty publish claim: nowhere");
    }

    @Test
    void theNameDefaultsToTheSubjectAndIsBoundedLikeAPostedOne() throws Exception {
        assertEquals("u1", HS.verify(hs256(claims(c -> c.claim("name", null)))).name());
        assertEquals(Reason.CLAIMS, refusal(HS, hs256(claims(c -> c.claim("name", "x".repeat(33))))));
        assertEquals("😀".repeat(32), HS.verify(hs256(claims(c -> c.claim("name", "😀".repeat(32))))).name(),
                "32 characters, 64 chars of UTF-16");
        assertEquals(Reason.CLAIMS, refusal(HS, hs256(claims(c -> c.claim("name", 17)))));
    }

    @Test
    void anUnsecuredTokenIsRefused() throws Exception {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String none = b64.encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(claims(c -> { }).toString().getBytes(StandardCharsets.UTF_8)) + ".";
        assertEquals(Reason.MALFORMED, refusal(HS, none));
        // The same claims with no signature under a real algorithm's name: not a JWS either.
        String[] good = hs256(claims(c -> { })).split("\\.");
        assertEquals(Reason.MALFORMED, refusal(HS, good[0] + "." + good[1] + "."));
        assertEquals(Reason.SIGNATURE, refusal(HS, good[0] + "." + good[1] + ".AAAA"), "a signature of nothing");
    }

    @Test
    void garbageIsMalformed() {
        for (String token : List.of("", "abc", "a.b.c", "a.b", "Bearer x")) {
            assertEquals(Reason.MALFORMED, refusal(HS, token), token);
        }
    }

    @Test
    void aTokenSignedWithAnotherKeyIsRefused() throws Exception {
        String other = sign(JWSAlgorithm.HS256, new MACSigner("another secret, also 32 bytes long!".getBytes(StandardCharsets.UTF_8)),
                claims(c -> { }));
        assertEquals(Reason.SIGNATURE, refusal(HS, other));
        String tampered = hs256(claims(c -> { })).replaceFirst("\\.[^.]+\\.", "." + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(claims(c -> c.claim("rooms", List.of("*"))).toString().getBytes(StandardCharsets.UTF_8)) + ".");
        assertEquals(Reason.SIGNATURE, refusal(HS, tampered), "claims changed after signing");
    }

    @Test
    void anAlgorithmWithoutAConfiguredKeyIsRefused() throws Exception {
        String rs256 = sign(JWSAlgorithm.RS256, new RSASSASigner(RSA.getPrivate()), claims(c -> { }));
        assertEquals(Reason.ALGORITHM, refusal(HS, rs256), "RS256 with only a secret configured");
        TokenVerifier rsa = verifier(Optional.empty(), Optional.of(pem(RSA.getPublic())));
        assertEquals("u1", rsa.verify(rs256).subject());
        assertEquals(Reason.ALGORITHM, refusal(rsa, hs256(claims(c -> { }))), "HS256 with only a public key");
        // Key confusion: HS256 "signed" with the public key's PEM text as the secret.
        String confused = sign(JWSAlgorithm.HS256, new MACSigner(pem(RSA.getPublic()).getBytes(StandardCharsets.US_ASCII)),
                claims(c -> { }));
        assertEquals(Reason.ALGORITHM, refusal(rsa, confused));
        String rs512 = sign(JWSAlgorithm.RS512, new RSASSASigner(RSA.getPrivate()), claims(c -> { }));
        assertEquals(Reason.ALGORITHM, refusal(rsa, rs512), "only RS256 for an RSA key");
    }

    @Test
    void es256WithAnEcKeyAndBothKindsOfKeyAtOnce() throws Exception {
        String es256 = sign(JWSAlgorithm.ES256, new ECDSASigner(EC.getPrivate(), com.nimbusds.jose.jwk.Curve.P_256),
                claims(c -> { }));
        TokenVerifier both = verifier(Optional.of(SECRET), Optional.of(pem(EC.getPublic())));
        assertEquals("u1", both.verify(es256).subject());
        assertEquals("u1", both.verify(hs256(claims(c -> { }))).subject());
        KeyPair otherEc = keyPair("EC", "secp256r1");
        String forged = sign(JWSAlgorithm.ES256, new ECDSASigner(otherEc.getPrivate(), com.nimbusds.jose.jwk.Curve.P_256),
                claims(c -> { }));
        assertEquals(Reason.SIGNATURE, refusal(both, forged));
    }

    @Test
    void expiryCountsTheClockSkewOnBothEdges() throws Exception {
        assertEquals(Reason.CLAIMS, refusal(HS, hs256(claims(c -> c.expirationTime(null)))), "no exp");
        assertEquals("u1", HS.verify(hs256(claims(c -> c.expirationTime(Date.from(NOW.minusSeconds(29)))))).subject(),
                "expired 29 s ago: within the 30 s skew");
        assertEquals(Reason.EXPIRED, refusal(HS, hs256(claims(c -> c.expirationTime(Date.from(NOW.minusSeconds(30)))))),
                "expired 30 s ago: the skew is used up");
        assertEquals(Reason.CLAIMS, refusal(HS, hs256(claims(c -> c.notBeforeTime(Date.from(NOW.plusSeconds(31)))))),
                "not valid for another 31 s");
        assertEquals("u1", HS.verify(hs256(claims(c -> c.notBeforeTime(Date.from(NOW.plusSeconds(29)))))).subject(),
                "valid in 29 s: within the skew");
    }

    @Test
    void aTokenWithoutAFitSubjectIsRefused() throws Exception {
        assertEquals(Reason.CLAIMS, refusal(HS, hs256(claims(c -> c.subject(null)))));
        assertEquals(Reason.CLAIMS, refusal(HS, hs256(claims(c -> c.subject(" ")))));
        // nimbus reads a number in sub as its text (JWTClaimsSet.parse): an id like any other.
        assertEquals("42", HS.verify(hs256(claims(c -> c.claim("sub", 42)))).subject());
        assertEquals(Reason.CLAIMS, refusal(HS, hs256(claims(c -> c.subject("u\n1")))), "a control character");
        assertEquals(Reason.CLAIMS, refusal(HS, hs256(claims(c -> c.subject("u\u202E1")))), "a format character");
        assertEquals(Reason.CLAIMS, refusal(HS, hs256(claims(c -> c.subject("u".repeat(257))))), "257 characters");
        assertEquals("u".repeat(256), HS.verify(hs256(claims(c -> c.subject("u".repeat(256))))).subject());
    }

    @Test
    void aNameThatCouldNeverPostIsRefused() throws Exception {
        assertEquals(Reason.CLAIMS, refusal(HS, hs256(claims(c -> c.claim("name", "System")))), "reserved");
        assertEquals(Reason.CLAIMS, refusal(HS, hs256(claims(c -> c.claim("name", null).subject("system")))),
                "the subject as the name, reserved too");
    }

    @Test
    void roomsThatAreNotAnArrayOfNamesAreRefused() throws Exception {
        assertEquals(Reason.CLAIMS, refusal(HS, hs256(claims(c -> c.claim("rooms", "general")))));
        assertEquals(Reason.CLAIMS, refusal(HS, hs256(claims(c -> c.claim("rooms", List.of("general", 3))))));
    }

    @Test
    void badKeysStopTheStartWithAClearLine(@TempDir Path dir) throws Exception {
        ConfigException shortSecret = assertThrows(ConfigException.class,
                () -> TokenKeys.from(Optional.of("too short"), Optional.empty()));
        assertTrue(shortSecret.getMessage().contains("at least 32"), shortSecret.getMessage());
        assertThrows(ConfigException.class, () -> TokenKeys.from(Optional.empty(), Optional.of(dir.resolve("nothing.pem").toString())));
        assertThrows(ConfigException.class, () -> TokenKeys.from(Optional.empty(),
                Optional.of("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----")));
        assertTrue(TokenKeys.from(Optional.empty(), Optional.empty()).isEmpty(), "no keys: no tokens");
        ConfigException p384 = assertThrows(ConfigException.class,
                () -> TokenKeys.from(Optional.empty(), Optional.of(pem(keyPair("EC", "secp384r1").getPublic()))));
        assertTrue(p384.getMessage().contains("P-256"), p384.getMessage());
        KeyPairGenerator small = KeyPairGenerator.getInstance("RSA");
        small.initialize(1024);
        ConfigException rsa1024 = assertThrows(ConfigException.class,
                () -> TokenKeys.from(Optional.empty(), Optional.of(pem(small.generateKeyPair().getPublic()))));
        assertTrue(rsa1024.getMessage().contains("2048"), rsa1024.getMessage());
        ConfigException pasted = assertThrows(ConfigException.class,
                () -> TokenKeys.from(Optional.empty(), Optional.of("a secret pasted into the wrong setting\u0000")));
        assertFalse(pasted.getMessage().contains("pasted"), "the value is not echoed: " + pasted.getMessage());
        Path file = dir.resolve("key.pem");
        Files.writeString(file, pem(RSA.getPublic()));
        TokenVerifier fromFile = new TokenVerifier(TokenKeys.from(Optional.empty(), Optional.of(file.toString())).orElseThrow(),
                Duration.ofSeconds(30), NAMES, CLOCK);
        assertEquals("u1", fromFile.verify(sign(JWSAlgorithm.RS256, new RSASSASigner(RSA.getPrivate()), claims(c -> { }))).subject());
    }

    @Test
    void aRefusalNeverEchoesTheToken() throws Exception {
        String token = hs256(claims(c -> c.expirationTime(Date.from(NOW.minusSeconds(3600)))));
        TokenRejectedException e = assertThrows(TokenRejectedException.class, () -> HS.verify(token));
        assertFalse(e.getMessage().contains(token.split("\\.")[1]), e.getMessage());
    }
}
