package org.ssechat.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.ssechat.config.ConfigException;

/**
 * The keys tokens are checked with, one verifier per algorithm: HS256 for
 * {@code CHAT_JWT_SECRET}, RS256 or ES256 for {@code CHAT_JWT_PUBLIC_KEY} (by the key's type). A
 * token signed with any other algorithm has no verifier here and is refused: so {@code none},
 * and an HS256 token "signed" with the public key as its secret (key confusion), never pass.
 */
public final class TokenKeys {

    /** HS256 needs a key at least as long as its hash (RFC 7518, section 3.2). */
    public static final int MIN_SECRET_BYTES = 32;
    /** RSA keys shorter than this are refused (RFC 7518, section 3.3). */
    public static final int MIN_RSA_BITS = 2048;
    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN PUBLIC KEY-----([A-Za-z0-9+/=\\s]+)-----END PUBLIC KEY-----");

    private final Map<JWSAlgorithm, JWSVerifier> verifiers;

    private TokenKeys(Map<JWSAlgorithm, JWSVerifier> verifiers) {
        this.verifiers = Collections.unmodifiableMap(verifiers);
    }

    /**
     * @param secret    {@code CHAT_JWT_SECRET}, if set
     * @param publicKey {@code CHAT_JWT_PUBLIC_KEY}, if set: a PEM public key, or the path of a file holding one
     * @return the keys, or empty when neither is set (tokens are then not used at all)
     * @throws ConfigException for a secret shorter than 32 bytes or a key that cannot be read
     */
    public static Optional<TokenKeys> from(Optional<String> secret, Optional<String> publicKey) {
        if (secret.isEmpty() && publicKey.isEmpty()) {
            return Optional.empty();
        }
        Map<JWSAlgorithm, JWSVerifier> verifiers = new LinkedHashMap<>();
        secret.ifPresent(value -> verifiers.put(JWSAlgorithm.HS256, macVerifier(value)));
        publicKey.ifPresent(value -> {
            PublicKey key = parsePublicKey(pem(value));
            if (key instanceof RSAPublicKey rsa) {
                if (rsa.getModulus().bitLength() < MIN_RSA_BITS) {
                    throw new ConfigException("CHAT_JWT_PUBLIC_KEY is an RSA key of " + rsa.getModulus().bitLength()
                            + " bits; RS256 needs at least " + MIN_RSA_BITS);
                }
                verifiers.put(JWSAlgorithm.RS256, new RSASSAVerifier(rsa));
            } else if (key instanceof ECPublicKey ec) {
                if (!Curve.P_256.equals(Curve.forECParameterSpec(ec.getParams()))) {
                    throw new ConfigException("CHAT_JWT_PUBLIC_KEY: an EC key must be on the P-256 curve (ES256)");
                }
                try {
                    verifiers.put(JWSAlgorithm.ES256, new ECDSAVerifier(ec));
                } catch (JOSEException e) {
                    throw new ConfigException("CHAT_JWT_PUBLIC_KEY cannot be used for ES256: " + e.getMessage());
                }
            }
        });
        return Optional.of(new TokenKeys(verifiers));
    }

    private static JWSVerifier macVerifier(String secret) {
        byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
        if (bytes.length < MIN_SECRET_BYTES) {
            throw new ConfigException("CHAT_JWT_SECRET is " + bytes.length + " bytes long; HS256 needs at least "
                    + MIN_SECRET_BYTES + " (its text's UTF-8 bytes are the key; for example: openssl rand -hex 32)");
        }
        try {
            return new MACVerifier(bytes);
        } catch (JOSEException e) {
            throw new ConfigException("CHAT_JWT_SECRET cannot be used for HS256: " + e.getMessage());
        }
    }

    /** The PEM text: the value itself, or the file it names. */
    private static String pem(String value) {
        if (value.contains("-----BEGIN")) {
            return value;
        }
        try {
            return Files.readString(Path.of(value.trim()), StandardCharsets.US_ASCII);
        } catch (IOException | InvalidPathException e) {
            // Not echoing the value: it may be a key or a secret pasted into the wrong setting.
            throw new ConfigException("CHAT_JWT_PUBLIC_KEY is neither a PEM public key (-----BEGIN PUBLIC KEY-----)"
                    + " nor a readable file (" + e.getClass().getSimpleName() + ")");
        }
    }

    private static PublicKey parsePublicKey(String pem) {
        Matcher matcher = PEM.matcher(pem);
        if (!matcher.find()) {
            throw new ConfigException("CHAT_JWT_PUBLIC_KEY holds no '-----BEGIN PUBLIC KEY-----' block (an X.509"
                    + " SubjectPublicKeyInfo, as 'openssl pkey -pubout' writes it)");
        }
        byte[] der = Base64.getMimeDecoder().decode(matcher.group(1));
        for (String type : new String[] {"RSA", "EC"}) {
            try {
                return KeyFactory.getInstance(type).generatePublic(new X509EncodedKeySpec(der));
            } catch (GeneralSecurityException notThisType) {
                // try the next
            }
        }
        throw new ConfigException("CHAT_JWT_PUBLIC_KEY is not an RSA or EC public key");
    }

    /** The verifier of a token's algorithm, or null when no configured key signs with it. */
    JWSVerifier verifierFor(JWSAlgorithm algorithm) {
        return verifiers.get(algorithm);
    }

    /** The algorithms tokens may use, for messages. */
    String algorithms() {
        return String.join(", ", verifiers.keySet().stream().map(JWSAlgorithm::getName).toList());
    }
}
