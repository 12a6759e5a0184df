package com.abcbank.client;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.util.Collections;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * The client's side of TLS ({@code --tls}): TLS 1.3 only, the JDK's provider, and the server's name checked
 * against its certificate as HTTPS does (so a certificate for another host is refused even if trusted).
 *
 * <p>Trust: the certificates of a PKCS12 truststore ({@code --tls-truststore}), read without a password (a store
 * of certificates guards no secret; {@code scripts/make-tls-cert.sh} makes it so), or else the JDK's default trust
 * store. The handshake is part of connecting and is bounded by the connect timeout: a server that does not speak
 * TLS fails it quickly and says so, it does not hang.
 */
final class ClientTls {
    static final String PROTOCOL = "TLSv1.3";
    /** What a failure says when the other end does not speak TLS. */
    static final String NOT_TLS_HINT = "is it started with --tls-keystore?";

    private final SSLSocketFactory factory;

    private ClientTls(SSLSocketFactory factory) {
        this.factory = factory;
    }

    /**
     * TLS trusting the certificates in {@code truststore}, or the JDK's default ones when it is null. A truststore that
     * cannot be read is an {@link IllegalArgumentException} whose message names the file and what is wrong.
     */
    static ClientTls trusting(Path truststore) {
        try {
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(truststore == null ? (KeyStore) null : certificates(truststore));
            SSLContext context = SSLContext.getInstance(PROTOCOL);
            context.init(null, trust.getTrustManagers(), null);
            return new ClientTls(context.getSocketFactory());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK offers no " + PROTOCOL, e); // every JDK 11+ does
        }
    }

    private static KeyStore certificates(Path truststore) throws GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(truststore)) {
            store.load(in, null);
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "--tls-truststore " + truststore + ": " + ClientException.describe(e) + " (a PKCS12 file)", e);
        }
        for (String alias : Collections.list(store.aliases())) {
            if (store.isCertificateEntry(alias)) {
                return store;
            }
        }
        throw new IllegalArgumentException("--tls-truststore " + truststore
                + " holds no certificate readable without a password (scripts/make-tls-cert.sh makes one that does)");
    }

    /**
     * Runs the handshake over {@code plain}, connected to {@code host}, within {@code handshakeTimeoutMs}; returns the
     * TLS socket, whose read timeout is then {@code readTimeoutMs}. Fails with a {@link ClientException} that says what
     * went wrong in words: the server does not speak TLS, or its certificate is not trusted.
     */
    Socket handshake(Socket plain, String host, int handshakeTimeoutMs, int readTimeoutMs) {
        String peer = host + ":" + plain.getPort();
        try {
            SSLSocket tls = (SSLSocket) factory.createSocket(plain, host, plain.getPort(), true);
            SSLParameters parameters = tls.getSSLParameters();
            parameters.setProtocols(new String[] {PROTOCOL});
            parameters.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must name host
            tls.setSSLParameters(parameters);
            tls.setSoTimeout(handshakeTimeoutMs);
            tls.startHandshake();
            tls.setSoTimeout(readTimeoutMs);
            return tls;
        } catch (SocketTimeoutException e) {
            throw new ClientException(
                    ExitCodes.UNAVAILABLE,
                    "cannot connect to " + peer + " with TLS: no TLS handshake within " + handshakeTimeoutMs + " ms; "
                            + NOT_TLS_HINT,
                    e);
        } catch (SSLHandshakeException e) {
            if (causedBy(e, CertificateException.class)) {
                throw new ClientException(
                        ExitCodes.UNAVAILABLE,
                        "cannot connect to " + peer + " with TLS: its certificate is not trusted for " + host + " ("
                                + rootCause(e).getMessage()
                                + "); give the server's truststore with --tls-truststore FILE",
                        e);
            }
            throw notTls(peer, e);
        } catch (SSLException | EOFException e) {
            throw notTls(peer, e);
        } catch (IOException e) {
            throw BankConnection.cannotConnect(peer, e, handshakeTimeoutMs);
        }
    }

    private static ClientException notTls(String peer, IOException e) {
        return new ClientException(
                ExitCodes.PROTOCOL,
                "the server at " + peer + " did not answer TLS (" + e.getMessage() + "); " + NOT_TLS_HINT,
                e);
    }

    private static Throwable rootCause(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root;
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}
