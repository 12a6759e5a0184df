package com.abcbank.server;

import com.abcbank.ledger.ErrorCode;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.UnrecoverableKeyException;
import java.util.Arrays;
import java.util.Collections;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS side of a connection on a server started with {@link ServerConfig.Tls}: TLS 1.3 only, from the JDK's own
 * provider, with the key and certificate chain of a PKCS12 keystore.
 *
 * <p>Why the handshake is not left to an {@code SSLServerSocket}: there it would run lazily on the first read of
 * whichever thread reads first, and a plaintext client would get a TLS alert it cannot read. Instead the accept
 * loop takes a plain {@link Socket}, and {@link #open} runs on the connection's own thread (so a slow or stalled
 * handshaker holds one connection thread, never the accept loop). It reads the first byte: a TLS connection opens
 * with a handshake record ({@code 0x16}, RFC 8446 §5.1); anything else is a plaintext client, which is told so in
 * one plaintext reply line and closed. Otherwise the socket is wrapped with
 * {@link SSLSocketFactory#createSocket(Socket, InputStream, boolean)}, the JDK's way to hand the byte already read
 * back to the TLS engine, and the handshake runs to its end before the first request is read.
 *
 * <p>Bounds: the wait for the first byte and every read of the handshake time out at what is left of the
 * connection's authentication (or idle) deadline ({@link ConnectionDeadlines}), and the handshake as a whole is
 * bounded by the same deadline through {@link BankServer}'s reaper, so a client trickling its ClientHello a byte at a
 * time is closed too.
 *
 * <p>Secrets: the keystore password is read from its file at start, used to open the keystore and its key, and
 * wiped; it never appears in a log line or an exception message. Thread-safe: an {@link SSLContext} is.
 */
final class TlsAcceptor {
    private static final Logger log = LoggerFactory.getLogger(TlsAcceptor.class);

    /** The content type of a TLS handshake record: the first byte of every TLS connection. */
    static final int HANDSHAKE_RECORD = 0x16;

    static final String PROTOCOL = "TLSv1.3";

    /** What a plaintext client is told, in one reply line, before the connection closes. */
    static final String PLAINTEXT_MESSAGE = "this port speaks TLS; connect with client --tls"
            + " (and --tls-truststore FILE if the server's certificate is self-signed)";

    /** After telling a plaintext client, how long and how much of what it sent is read and dropped (see {@link #linger}). */
    private static final int LINGER_MS = 1_000;

    private static final int LINGER_BYTES = 64 * 1024;

    private final SSLContext context;
    private final SSLSocketFactory factory;

    private TlsAcceptor(SSLContext context) {
        this.context = context;
        this.factory = context.getSocketFactory();
    }

    /**
     * The context made from the keystore, loaded once at start: the HTTP side ({@link HttpEndpoint}) serves HTTPS
     * with it, so both ports show the same certificate and the password is read once. Callers restrict it to
     * {@link #PROTOCOL} themselves, as {@link #open} does.
     */
    SSLContext context() {
        return context;
    }

    /**
     * Opens the keystore with the password from the first line of its file. Fails with a message that names the
     * files and what is wrong with them, and never the password.
     */
    static TlsAcceptor load(ServerConfig.Tls settings) throws IOException {
        char[] password = readPassword(settings.passwordFile());
        try {
            KeyStore keystore = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(settings.keystore())) {
                keystore.load(in, password);
            } catch (NoSuchFileException e) {
                throw new IOException("TLS keystore " + settings.keystore() + " does not exist", e);
            } catch (IOException e) {
                // The JDK says "keystore password was incorrect" or what else it found; it never repeats the password.
                throw new IOException(
                        "cannot open TLS keystore " + settings.keystore() + " (a PKCS12 file) with the password in "
                                + settings.passwordFile() + ": " + e.getMessage(),
                        e);
            }
            if (!hasKey(keystore)) {
                throw new IOException("TLS keystore " + settings.keystore()
                        + " holds no private key: it must hold the server's key and certificate"
                        + " (see scripts/make-tls-cert.sh)");
            }
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            try {
                keys.init(keystore, password);
            } catch (UnrecoverableKeyException e) {
                throw new IOException(
                        "the key in TLS keystore " + settings.keystore() + " has a password other than the keystore's",
                        e);
            }
            SSLContext context = SSLContext.getInstance(PROTOCOL);
            context.init(keys.getKeyManagers(), null, null);
            log.info("TLS ({} only) with the key in {}", PROTOCOL, settings.keystore());
            return new TlsAcceptor(context);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot set up TLS from " + settings.keystore() + ": " + e.getMessage(), e);
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    private static char[] readPassword(Path file) throws IOException {
        String line;
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            line = reader.readLine();
        } catch (NoSuchFileException e) {
            throw new IOException("TLS password file " + file + " does not exist", e);
        }
        if (line == null || line.isEmpty()) {
            throw new IOException("TLS password file " + file + " is empty: its first line must be the password");
        }
        return line.toCharArray();
    }

    private static boolean hasKey(KeyStore keystore) throws GeneralSecurityException {
        for (String alias : Collections.list(keystore.aliases())) {
            if (keystore.isKeyEntry(alias)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The connection's TLS socket, its handshake done; or null when there is none to serve: the client closed
     * before sending a byte, or it spoke plaintext and was told so. Throws when the handshake fails or a deadline
     * passes; the caller closes {@code plain} either way.
     */
    Socket open(Socket plain, ConnectionDeadlines deadlines) throws IOException {
        deadlines.beforeRead(false);
        InputStream in = plain.getInputStream();
        int first = in.read();
        if (first < 0) {
            log.info("closed before a TLS handshake");
            return null;
        }
        if (first != HANDSHAKE_RECORD) {
            refusePlaintext(plain, in);
            return null;
        }
        SSLSocket tls = (SSLSocket)
                factory.createSocket(plain, new ByteArrayInputStream(new byte[] {(byte) first}), true); // server mode
        SSLParameters parameters = tls.getSSLParameters();
        parameters.setProtocols(new String[] {PROTOCOL});
        tls.setSSLParameters(parameters);
        deadlines.beforeRead(false);
        tls.startHandshake(); // reads until the client's Finished; each read bounded by the timeout just set
        log.debug(
                "TLS handshake done: {} {}",
                tls.getSession().getProtocol(),
                tls.getSession().getCipherSuite());
        return tls;
    }

    /** One plaintext reply line that says what to do, then the end of the connection. */
    private static void refusePlaintext(Socket plain, InputStream in) throws IOException {
        log.info("plaintext on the TLS port: told so, closing");
        OutputStream out = plain.getOutputStream();
        out.write(BankServer.refusal(ErrorCode.MALFORMED_REQUEST, PLAINTEXT_MESSAGE)
                .getBytes(StandardCharsets.UTF_8)); // a fresh socket's send buffer holds a line: this cannot block
        out.flush();
        plain.shutdownOutput();
        linger(plain, in);
    }

    /**
     * Reads and drops what the client sent (its request line, unread), for at most {@link #LINGER_MS} and
     * {@link #LINGER_BYTES}, until it closes. Closing with unread bytes would send a reset, which may reach the
     * client before it has read the line that explains (nginx's {@code lingering_close}, for the same reason).
     */
    private static void linger(Socket plain, InputStream in) throws IOException {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LINGER_MS);
        byte[] sink = new byte[4096];
        int dropped = 0;
        while (dropped < LINGER_BYTES) {
            long leftMs = TimeUnit.NANOSECONDS.toMillis(until - System.nanoTime());
            if (leftMs <= 0) {
                return;
            }
            plain.setSoTimeout((int) leftMs);
            int read;
            try {
                read = in.read(sink);
            } catch (SocketTimeoutException e) {
                return;
            }
            if (read < 0) {
                return;
            }
            dropped += read;
        }
    }
}
