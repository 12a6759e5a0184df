package com.abcbank.server;

import com.abcbank.ledger.LedgerConfig;
import com.abcbank.protocol.Json;
import com.abcbank.protocol.Reply;
import com.abcbank.protocol.Request;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;

/**
 * One {@link BankServer} for one test: on 127.0.0.1, on a port the kernel picks, over the test's own data
 * directory, with cheap password hashing so that logins take microseconds, not the production half second.
 * Closing it closes every client opened through it, then the server.
 */
final class TestServer implements AutoCloseable {
    static final int PBKDF2_ITERATIONS = 4_096;
    static final String PASSWORD = "correct-horse-1";

    final BankServer server;
    final Path dataDir;
    /** What the server printed to the stream handed to {@link BankServer#start}: the auditor's first password. */
    private final ByteArrayOutputStream announced;

    private final List<TestClient> clients = new ArrayList<>();
    private TestClient auditor;

    private TestServer(BankServer server, Path dataDir, ByteArrayOutputStream announced) {
        this.server = server;
        this.dataDir = dataDir;
        this.announced = announced;
    }

    /** The configuration every test starts from; tests that probe a limit make their own with {@link #config(Path, int, int, int, int)}. */
    static ServerConfig config(Path dataDir) {
        return config(dataDir, 256, 65_536, 30_000, 2_000);
    }

    /**
     * As {@link #config(Path)}, with the given limits. No limit per address and no places reserved for the
     * auditor: the tests of those limits set them ({@link ServerConfig#withLimits}); every other test
     * sees exactly {@code maxConnections}, all from one address.
     */
    static ServerConfig config(
            Path dataDir, int maxConnections, int maxLineBytes, int idleTimeoutMs, int shutdownGraceMs) {
        return plainConfig(dataDir, maxConnections, maxLineBytes, idleTimeoutMs, shutdownGraceMs)
                .withLimits(ServerConfig.Limits.DEFAULTS.withConnections(maxConnections, 0));
    }

    private static ServerConfig plainConfig(
            Path dataDir, int maxConnections, int maxLineBytes, int idleTimeoutMs, int shutdownGraceMs) {
        return new ServerConfig(
                InetAddress.getLoopbackAddress(),
                0,
                dataDir,
                maxConnections,
                maxLineBytes,
                idleTimeoutMs,
                shutdownGraceMs,
                PBKDF2_ITERATIONS,
                LedgerConfig.defaults());
    }

    static TestServer start(ServerConfig config) throws IOException {
        return start(config, Clock.systemUTC());
    }

    /** A server whose every notion of time (transaction times, key window, login throttle) is {@code clock}. */
    static TestServer start(ServerConfig config, Clock clock) throws IOException {
        ByteArrayOutputStream announced = new ByteArrayOutputStream();
        BankServer server = BankServer.start(config, clock, new PrintStream(announced, true, StandardCharsets.UTF_8));
        return new TestServer(server, config.dataDir(), announced);
    }

    int port() {
        return server.port();
    }

    String announced() {
        return announced.toString(StandardCharsets.UTF_8);
    }

    /** The auditor's password, as the server wrote it to DATA/audit-password. */
    String auditPassword() throws IOException {
        return Files.readString(dataDir.resolve("audit-password"), StandardCharsets.UTF_8)
                .strip();
    }

    /** A new connection, not logged in; closed with the server. */
    TestClient connect() throws IOException {
        TestClient client = TestClient.connect(port());
        clients.add(client);
        return client;
    }

    /**
     * A new connection from another loopback address ({@code 127.0.0.2}, say: Linux routes all of 127/8 to the
     * loopback), so that the server sees another client address; not logged in; closed with the server.
     */
    TestClient connectFrom(String localAddress) throws IOException {
        TestClient client = TestClient.connect(
                port(), socket -> socket.bind(new InetSocketAddress(InetAddress.getByName(localAddress), 0)));
        clients.add(client);
        return client;
    }

    /** A new connection on which {@code user} has just registered (and so is logged in). */
    TestClient customer(String user) throws IOException {
        TestClient client = connect();
        client.register(user, PASSWORD);
        return client;
    }

    /** A new connection logged in as the auditor. */
    TestClient audit() throws IOException {
        TestClient client = connect();
        client.login("Audit", auditPassword());
        return client;
    }

    /**
     * The whole bank as the auditor sees it: the report and every holder's accounts, as one JSON value. Two
     * equal views mean nothing changed in between (not a balance, not a sequence number, not an account).
     */
    JsonNode books() throws IOException {
        if (auditor == null) {
            auditor = audit();
        }
        Reply report = auditor.call(new Request.Report());
        Reply holders = auditor.call(new Request.ShowAccountholders());
        if (!report.ok() || !holders.ok()) {
            throw new AssertionError("the auditor could not read the books: " + report + " " + holders);
        }
        return Json.tree(List.of(report.result(), holders.result()));
    }

    /**
     * Runs {@code task} on a new daemon thread. Blocking socket work must not sit in the common fork-join pool
     * (too few threads on a small machine for a writer and a reader at once), and a task stuck for good must
     * not keep the test JVM alive.
     */
    static <T> CompletableFuture<T> inBackground(String name, Callable<T> task) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread thread = new Thread(
                () -> {
                    try {
                        result.complete(task.call());
                    } catch (Throwable e) {
                        result.completeExceptionally(e);
                    }
                },
                name);
        thread.setDaemon(true);
        thread.start();
        return result;
    }

    @Override
    public void close() {
        for (TestClient client : clients) {
            try {
                client.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        server.close();
    }
}
