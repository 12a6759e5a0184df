package com.abcbank.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abcbank.ledger.LedgerConfig;
import com.abcbank.protocol.Reply;
import com.abcbank.protocol.Request;
import com.abcbank.protocol.Result;
import com.abcbank.server.BankServer;
import com.abcbank.server.ServerConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real client against a real server over TLS, with a key pair made at test time by
 * {@code scripts/make-tls-cert.sh} (so the script is tested as a user runs it, and no private key is committed).
 * The server's books, read by the auditor over TLS, judge the money; a client speaking the wrong protocol must fail
 * with a message that says what to do, within a bound, never hang.
 */
@Timeout(60)
class TlsEndToEndTest {
    private static final String PASSWORD = "alice-password-1";
    /** CliRunner's connect timeout is 2 s, the TLS handshake's bound too; anything near 5 s is a hang. */
    private static final long BOUND_MS = 5_000;

    @TempDir
    static Path keys;

    private static Path keystore;
    private static Path passwordFile;
    private static Path truststore;

    @TempDir
    Path data;

    @TempDir
    Path home;

    private BankServer server;

    @BeforeAll
    static void makeTheKeyPairWithTheScript() throws IOException, InterruptedException {
        Path script =
                Path.of("..", "scripts", "make-tls-cert.sh").toAbsolutePath().normalize();
        assertTrue(Files.isExecutable(script), "run from bank-client/: " + script);
        Path dir = keys.resolve("tls");
        ProcessBuilder builder = new ProcessBuilder(script.toString(), dir.toString()).redirectErrorStream(true);
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "make-tls-cert.sh did not finish");
        assertEquals(0, process.exitValue(), output);
        keystore = dir.resolve("server.p12");
        passwordFile = dir.resolve("server.password");
        truststore = dir.resolve("truststore.p12");
        assertTrue(output.contains("--tls-keystore " + keystore + " --tls-password-file " + passwordFile), output);
        assertTrue(output.contains("--tls --tls-truststore " + truststore), output);
        String password = Files.readString(passwordFile, StandardCharsets.UTF_8).strip();
        assertTrue(password.length() >= 32, "a random password");
        assertTrue(!output.contains(password), "the script printed the password");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(passwordFile)));
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private void start(boolean tls) throws IOException {
        ServerConfig config = new ServerConfig(
                InetAddress.getLoopbackAddress(),
                0,
                data,
                16,
                65_536,
                30_000,
                2_000,
                4_096,
                LedgerConfig.defaults()); // the fewest PBKDF2 iterations a verifier may have
        server = BankServer.start(
                tls ? config.withTls(new ServerConfig.Tls(keystore, passwordFile)) : config,
                new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8));
    }

    /** The client as a user runs it, logging in with the password from the environment. */
    private CliRunner.Run client(String... args) {
        Map<String, String> env = Map.of(
                "BANK_PORT",
                Integer.toString(server.port()),
                "BANK_PASSWORD",
                PASSWORD,
                "BANK_CREDENTIALS",
                home.resolve("credentials").toString());
        return CliRunner.run(env, home, "", 10_000, args);
    }

    private CliRunner.Run tlsClient(String... args) {
        List<String> line = new ArrayList<>(List.of("--tls", "--tls-truststore", truststore.toString()));
        line.addAll(List.of(args));
        return client(line.toArray(String[]::new));
    }

    /** The one place this test logs in from its own code: as the auditor, over TLS, with the real connection. */
    private Reply audit(Request request) throws IOException {
        try (BankConnection bank =
                BankConnection.open("127.0.0.1", server.port(), 2_000, 10_000, ClientTls.trusting(truststore))) {
            bank.login(
                    "Audit",
                    Files.readString(data.resolve("audit-password"), StandardCharsets.UTF_8)
                            .strip());
            Reply reply = bank.call(request);
            assertTrue(reply.ok(), reply.toString());
            return reply;
        }
    }

    private long balance(String account) throws IOException {
        return Operation.as(audit(new Request.Balance(account)), Result.Account.class)
                .balance();
    }

    private static long millisSince(long startedNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
    }

    @Test
    void theClientRegistersLogsInAndMovesMoneyOverTls() throws IOException {
        start(true);
        for (String[] command : List.of(
                new String[] {"Alice", "register"},
                new String[] {"Alice", "create_account", "1001", "500"},
                new String[] {"Alice", "create_account", "1002"},
                new String[] {"Alice", "deposit", "1001", "25.50"},
                new String[] {"Alice", "withdraw", "1001", "10"},
                new String[] {"--host", "localhost", "Alice", "transfer", "1001", "1002", "100"})) {
            CliRunner.Run run = tlsClient(command);
            assertEquals(0, run.exitCode(), String.join(" ", command) + ": " + run.err());
        }
        CliRunner.Run balance = tlsClient("Alice", "balance", "1001");
        assertEquals(0, balance.exitCode(), balance.err());
        assertEquals("1001 (checking, Alice): balance 415.50\n", balance.out());

        assertEquals(41_550, balance("1001"));
        assertEquals(10_000, balance("1002"));
        Result.Report report = Operation.as(audit(new Request.Report()), Result.Report.class);
        assertTrue(report.balanced(), report.toString());
        assertEquals(5, report.transactions(), "the two openings, a deposit, a withdrawal, a transfer");
    }

    @Test
    void aPlaintextClientAtTheTlsPortIsToldToUseTls() throws IOException {
        start(true);
        long started = System.nanoTime();
        CliRunner.Run run = client("Alice", "register");
        long elapsed = millisSince(started);
        assertEquals(ExitCodes.REFUSED, run.exitCode(), run.err());
        assertTrue(run.err().contains("MALFORMED_REQUEST: this port speaks TLS; connect with client --tls"), run.err());
        assertTrue(elapsed < BOUND_MS, "took " + elapsed + " ms");
    }

    @Test
    void aTlsClientAtAPlaintextServerFailsClearlyInTime() throws IOException {
        start(false);
        long started = System.nanoTime();
        CliRunner.Run run = tlsClient("Alice", "register");
        long elapsed = millisSince(started);
        // Refused as not TLS (76) when the server answers the ClientHello's bytes, unavailable (75) when it waits.
        assertTrue(
                run.exitCode() == ExitCodes.PROTOCOL || run.exitCode() == ExitCodes.UNAVAILABLE,
                run.exitCode() + ": " + run.err());
        assertTrue(run.err().contains("is it started with --tls-keystore?"), run.err());
        assertTrue(elapsed < BOUND_MS, "took " + elapsed + " ms");
        assertEquals("", run.out());
    }

    @Test
    void aCertificateTheClientDoesNotTrustIsRefusedWithAHint() throws IOException {
        start(true);
        CliRunner.Run run = client("--tls", "Alice", "register"); // the JDK's default trust store: not self-signed
        assertEquals(ExitCodes.UNAVAILABLE, run.exitCode(), run.err());
        assertTrue(run.err().contains("certificate is not trusted for 127.0.0.1"), run.err());
        assertTrue(run.err().contains("--tls-truststore FILE"), run.err());
    }

    @Test
    void tlsOptionsThatCannotWorkAreUsageErrors() throws IOException {
        start(true);
        CliRunner.Run withoutTls = client("--tls-truststore", truststore.toString(), "Alice", "register");
        assertEquals(ExitCodes.USAGE, withoutTls.exitCode(), withoutTls.err());
        assertTrue(withoutTls.err().contains("--tls-truststore needs --tls"), withoutTls.err());

        CliRunner.Run missing =
                client("--tls", "--tls-truststore", home.resolve("nope.p12").toString(), "Alice", "register");
        assertEquals(ExitCodes.USAGE, missing.exitCode(), missing.err());
        assertTrue(missing.err().contains("nope.p12: no such file"), missing.err());

        CliRunner.Run bench = client("--tls", "bench", "--duration", "1");
        assertEquals(ExitCodes.USAGE, bench.exitCode(), bench.err());
        assertTrue(bench.err().contains("bench does not speak TLS yet"), bench.err());
    }
}
