package com.abcbank.server;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * A self-signed key pair made at test time with the JDK's own {@code keytool} (no private key is ever committed):
 * the server's PKCS12 keystore with a certificate for localhost and 127.0.0.1, its password file, and a truststore
 * holding only the certificate, readable without a password (as {@code scripts/make-tls-cert.sh} makes it).
 */
final class TestCertificates {
    private static final String PASSWORD = "test-keystore-password";
    private static final long KEYTOOL_TIMEOUT_S = 60;

    final Path keystore;
    final Path passwordFile;
    final Path truststore;

    private TestCertificates(Path dir) {
        this.keystore = dir.resolve("server.p12");
        this.passwordFile = dir.resolve("server.password");
        this.truststore = dir.resolve("truststore.p12");
    }

    /** Makes the three files in {@code dir}: three runs of keytool, a few seconds. */
    static TestCertificates make(Path dir) throws IOException, InterruptedException {
        TestCertificates made = new TestCertificates(dir);
        Files.writeString(made.passwordFile, PASSWORD + "\n", StandardCharsets.UTF_8);
        Path certificate = dir.resolve("server.crt");
        keytool(
                "-genkeypair",
                "-alias",
                "bank",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                "CN=localhost",
                "-ext",
                "SAN=dns:localhost,ip:127.0.0.1",
                "-validity",
                "2",
                "-storetype",
                "PKCS12",
                "-keystore",
                made.keystore.toString(),
                "-storepass",
                PASSWORD);
        keytool(
                "-exportcert",
                "-alias",
                "bank",
                "-rfc",
                "-keystore",
                made.keystore.toString(),
                "-storepass",
                PASSWORD,
                "-file",
                certificate.toString());
        keytool(
                "-J-Dkeystore.pkcs12.certProtectionAlgorithm=NONE",
                "-J-Dkeystore.pkcs12.macAlgorithm=NONE",
                "-importcert",
                "-noprompt",
                "-alias",
                "bank",
                "-file",
                certificate.toString(),
                "-storetype",
                "PKCS12",
                "-keystore",
                made.truststore.toString(),
                "-storepass",
                "unused");
        return made;
    }

    /** The server's TLS settings. */
    ServerConfig.Tls tls() {
        return new ServerConfig.Tls(keystore, passwordFile);
    }

    /** A client's socket factory that trusts this certificate alone. */
    SSLSocketFactory clientFactory() throws IOException, GeneralSecurityException {
        return clientContext().getSocketFactory();
    }

    /** A client's TLS context that trusts this certificate alone (for an {@code HttpClient}, say). */
    SSLContext clientContext() throws IOException, GeneralSecurityException {
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(truststore)) {
            trusted.load(in, null);
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(KEYTOOL_TIMEOUT_S, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("keytool did not finish in " + KEYTOOL_TIMEOUT_S + " s");
        }
        if (process.exitValue() != 0) {
            throw new IOException("keytool " + args[0] + " failed: " + new String(output, StandardCharsets.UTF_8));
        }
    }
}
