package org.ssechat.deploy;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A PKCS12 keystore with one self-signed RSA certificate for {@code localhost} and
 * {@code 127.0.0.1}, made by the JDK's keytool as docs/deployment.md's HTTP/2 section shows. Servers
 * load it as their key store; the test's client loads the same file as its trust store, so it
 * trusts this certificate and nothing else.
 */
final class SelfSignedKeystore {

    /** keytool's arguments after the file and password: deployment.md's command, word for word. */
    static final List<String> KEYTOOL_ARGUMENTS = List.of("-genkeypair", "-alias", "sse-chat", "-keyalg", "RSA",
            "-keysize", "2048", "-validity", "365", "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1",
            "-storetype", "PKCS12");
    private static final long KEYTOOL_SECONDS = 60;

    private final Path file;
    private final String password;

    private SelfSignedKeystore(Path file, String password) {
        this.file = file;
        this.password = password;
    }

    /** Makes {@code sse-chat.p12} in {@code directory} with keytool. */
    static SelfSignedKeystore create(Path directory, String password) throws IOException, InterruptedException {
        Path file = directory.resolve("sse-chat.p12");
        Files.deleteIfExists(file);
        List<String> command = new ArrayList<>(List.of(StockContainer.javaHome().resolve("bin/keytool").toString()));
        command.addAll(KEYTOOL_ARGUMENTS);
        command.addAll(List.of("-keystore", file.toString(), "-storepass", password));
        Path log = directory.resolve("keytool.log");
        ChildProcess keytool = ChildProcess.start("keytool", new ProcessBuilder(command), log);
        try {
            if (!keytool.waitFor(KEYTOOL_SECONDS) || keytool.exitValue() != 0 || !Files.isRegularFile(file)) {
                fail(String.join(" ", command) + " failed:\n" + Files.readString(log));
            }
        } finally {
            keytool.stop();
        }
        return new SelfSignedKeystore(file, password);
    }

    Path file() {
        return file;
    }

    String password() {
        return password;
    }

    /**
     * The SHA-256 of the certificate's public key (its SubjectPublicKeyInfo), in base64: what
     * Chromium's {@code --ignore-certificate-errors-spki-list} takes, so a browser trusts this
     * certificate and no other bad one.
     */
    String spkiSha256() throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            store.load(in, password.toCharArray());
        }
        byte[] spki = store.getCertificate("sse-chat").getPublicKey().getEncoded();
        return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(spki));
    }

    /** A TLS context that trusts this keystore's certificate only (the JDK's own trust store is not used). */
    SSLContext trustingIt() throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            store.load(in, password.toCharArray());
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store); // the certificate of its key entry becomes the one trust anchor
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }
}
