package com.abcbank.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abcbank.ledger.ErrorCode;
import com.abcbank.protocol.Reply;
import com.abcbank.protocol.Request;
import com.abcbank.protocol.Result;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server started with a keystore speaks TLS 1.3 and nothing else: a TLS client is served, a plaintext client gets
 * one plaintext line saying so and is closed, a TLS 1.2 client is refused, and a handshake that stalls or trickles
 * holds neither the accept loop nor its connection past the authentication deadline.
 */
@Timeout(60)
class ServerTlsTest {
    private static final int SHORT_MS = 400;

    @TempDir
    static Path keys;

    private static TestCertificates certificates;
    private static SSLSocketFactory trusting;

    @TempDir
    Path dataDir;

    private TestServer bank;
    private final ScheduledExecutorService trickler = Executors.newSingleThreadScheduledExecutor();

    @BeforeAll
    static void makeKeys() throws Exception {
        certificates = TestCertificates.make(keys);
        trusting = certificates.clientFactory();
    }

    @AfterEach
    void stop() {
        trickler.shutdownNow();
        if (bank != null) {
            bank.close();
        }
    }

    private void start(int authTimeoutMs) throws IOException {
        ServerConfig config = TestServer.config(dataDir);
        bank = TestServer.start(config.withLimits(config.limits().withDeadlines(authTimeoutMs, 10_000))
                .withTls(certificates.tls()));
    }

    /** A TLS connection to the bank offering {@code protocols}, its handshake done, checking the server's name. */
    private TestClient tls(String... protocols) throws IOException {
        Socket plain = new Socket();
        try {
            plain.connect(new InetSocketAddress("127.0.0.1", bank.port()), TestClient.CONNECT_TIMEOUT_MS);
            plain.setSoTimeout(TestClient.READ_TIMEOUT_MS);
            SSLSocket socket = (SSLSocket) trusting.createSocket(plain, "localhost", bank.port(), true);
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setProtocols(protocols);
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            return TestClient.over(socket);
        } catch (IOException | RuntimeException e) {
            plain.close();
            throw e;
        }
    }

    /**
     * The one place these tests log in: {@code user} registers on {@code client} (the lead is changing how logging in
     * works; this is what follows it).
     */
    private static void logIn(TestClient client, String user) throws IOException {
        client.register(user, TestServer.PASSWORD);
    }

    private static long millisSince(long startedNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
    }

    /** Reads until the server closes: returns how long that took; fails on data or a reset. */
    private static long closedWithin(Socket socket, long startedNanos) throws Exception {
        CompletableFuture<Integer> end = TestServer.inBackground("reader", () -> {
            socket.setSoTimeout(10_000);
            try {
                return socket.getInputStream().read();
            } catch (SocketException e) {
                return -1; // a reset is a close too: the server gave up on a client that never finished
            }
        });
        assertEquals(-1, end.get(10, TimeUnit.SECONDS), "the server sent data instead of closing");
        return millisSince(startedNanos);
    }

    @Test
    void aTlsClientLogsInAndMovesMoneyOverTls13() throws Exception {
        start(60_000);
        try (TestClient alice = tls("TLSv1.3", "TLSv1.2")) {
            assertEquals("TLSv1.3", ((SSLSocket) alice.socket()).getSession().getProtocol());
            logIn(alice, "Alice");
            alice.ok(new Request.CreateAccount("1001", 10_000L), Result.Tx.class);
            alice.ok(new Request.Deposit("1001", 2_550L, "dep-1"), Result.Tx.class);
            alice.ok(new Request.Withdraw("1001", 1_000L, "wd-1"), Result.Tx.class);
            assertEquals(11_550, alice.balance("1001").balance());
        }
        try (TestClient bob = tls("TLSv1.3")) {
            logIn(bob, "Bob");
            assertEquals(ErrorCode.FORBIDDEN, bob.error(new Request.Balance("1001")));
        }
    }

    @Test
    void plaintextToTheTlsPortGetsOneClearLineAndIsClosed() throws Exception {
        start(60_000);
        TestClient plain = bank.connect();
        long started = System.nanoTime();
        Reply reply = plain.callLine("{\"id\":1,\"op\":\"login\",\"user\":\"Alice\",\"password\":\"x\"}");
        assertEquals(ErrorCode.MALFORMED_REQUEST, reply.error().code());
        assertTrue(reply.unidentified(), "the server read no request, so it has no id to echo");
        assertTrue(
                reply.error().message().contains("this port speaks TLS; connect with client --tls"), reply::toString);
        plain.assertClosedByServer();
        assertTrue(millisSince(started) < 3_000, "closed after " + millisSince(started) + " ms");
        try (TestClient alice = tls("TLSv1.3")) {
            logIn(alice, "Alice"); // and the server serves TLS clients as before
        }
    }

    @Test
    void aClientOfferingOnlyTls12IsRefused() throws Exception {
        start(60_000);
        assertThrows(SSLHandshakeException.class, () -> tls("TLSv1.2").close());
        try (TestClient alice = tls("TLSv1.3")) {
            logIn(alice, "Alice");
        }
    }

    @Test
    void aStalledHandshakeHoldsUpNobodyAndIsClosedAtTheAuthenticationDeadline() throws Exception {
        int authMs = 5_000; // long enough that a handshake run on the accept thread would show in alice's wait
        start(authMs);
        tls("TLSv1.3")
                .close(); // the JVM's first handshakes are slow (class loading, cold crypto): not what is measured
        Socket silent = new Socket("127.0.0.1", bank.port());
        Socket stalled = new Socket("127.0.0.1", bank.port());
        long started = System.nanoTime();
        stalled.getOutputStream().write(new byte[] {TlsAcceptor.HANDSHAKE_RECORD, 3, 1, 2, 0}); // a header, no body
        try (silent;
                stalled;
                TestClient alice = tls("TLSv1.3")) {
            logIn(alice, "Alice"); // accepted and served while the other two hold their handshakes
            long servedMs = millisSince(started);
            // Run on the accept thread, the two handshakes would hold alice for the whole deadline.
            assertTrue(servedMs < authMs - 1_000, "alice waited " + servedMs + " ms behind the stalled handshakes");
            long silentMs = closedWithin(silent, started);
            long stalledMs = closedWithin(stalled, started);
            assertTrue(silentMs >= authMs - 10 && silentMs < authMs + 3_000, "silent closed after " + silentMs + " ms");
            assertTrue(
                    stalledMs >= authMs - 10 && stalledMs < authMs + 3_000,
                    "stalled closed after " + stalledMs + " ms");
        }
    }

    @Test
    void aHandshakeTrickledAByteAtATimeIsClosedAtTheAuthenticationDeadline() throws Exception {
        start(SHORT_MS);
        try (Socket trickling = new Socket("127.0.0.1", bank.port())) {
            OutputStream out = trickling.getOutputStream();
            long started = System.nanoTime();
            out.write(new byte[] {TlsAcceptor.HANDSHAKE_RECORD, 3, 1, 2, 0, 1}); // a ClientHello of 512 bytes, begun
            out.flush();
            // A byte every 50 ms: each read of the handshake gets one well before its timeout; only the reaper ends it.
            var unused = trickler.scheduleAtFixedRate(
                    () -> {
                        try {
                            out.write(0);
                            out.flush();
                        } catch (IOException e) {
                            throw new IllegalStateException("closed", e); // ends this schedule
                        }
                    },
                    50,
                    50,
                    TimeUnit.MILLISECONDS);
            long elapsed = closedWithin(trickling, started);
            assertTrue(elapsed >= SHORT_MS - 10 && elapsed < 5_000, "closed after " + elapsed + " ms");
        }
    }

    @Test
    void theAuthenticationDeadlineIsToldInsideTls() throws Exception {
        start(SHORT_MS);
        try (TestClient stranger = tls("TLSv1.3")) {
            long started = System.nanoTime();
            Reply reply = stranger.readReply(); // sends nothing after the handshake
            long elapsed = millisSince(started);
            assertEquals(ErrorCode.UNAUTHENTICATED, reply.error().code());
            assertTrue(reply.error().message().contains("not logged in within " + SHORT_MS + " ms"), reply::toString);
            stranger.assertClosedByServer();
            assertTrue(elapsed < 5_000, "told after " + elapsed + " ms");
        }
    }

    @Test
    void shutdownEndsTlsConnectionsWithinTheGrace() throws Exception {
        start(60_000);
        try (TestClient alice = tls("TLSv1.3")) {
            logIn(alice, "Alice");
            long started = System.nanoTime();
            bank.server.close(); // its connections' reads see end of stream under TLS too
            long elapsed = millisSince(started);
            assertTrue(elapsed < 2_000, "shutdown took " + elapsed + " ms: the TLS connection held it to the grace");
            alice.assertClosedByServer();
        }
    }

    @Test
    void aBadKeystorePasswordStopsTheStartAndIsNotRepeated() throws Exception {
        Path wrong = dataDir.resolve("wrong.password");
        Files.writeString(wrong, "not-the-password-42\n", StandardCharsets.UTF_8);
        ServerConfig config = TestServer.config(dataDir).withTls(new ServerConfig.Tls(certificates.keystore, wrong));
        IOException failure = assertThrows(IOException.class, () -> TestServer.start(config));
        assertTrue(failure.getMessage().contains(certificates.keystore.toString()), failure::getMessage);
        assertTrue(!failure.getMessage().contains("not-the-password-42"), failure::getMessage);
        assertTrue(!Files.exists(dataDir.resolve("audit-password")), "the data directory was not touched");
    }

    /** The plaintext reply is written by the server's one reply writer: an envelope a client can parse. */
    @Test
    void thePlaintextRefusalIsOneReplyLine() throws Exception {
        start(60_000);
        try (Socket plain = new Socket("127.0.0.1", bank.port())) {
            plain.setSoTimeout(5_000);
            plain.getOutputStream().write("\n".getBytes(StandardCharsets.UTF_8));
            InputStream in = plain.getInputStream();
            byte[] all = in.readAllBytes();
            assertEquals(
                    BankServer.refusal(ErrorCode.MALFORMED_REQUEST, TlsAcceptor.PLAINTEXT_MESSAGE),
                    new String(all, StandardCharsets.UTF_8));
        }
    }
}
