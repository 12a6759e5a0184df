package com.abcbank.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abcbank.ledger.ErrorCode;
import com.abcbank.ledger.LedgerConfig;
import com.abcbank.protocol.Wire;
import com.abcbank.server.BankServer;
import com.abcbank.server.ServerConfig;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code client bench} against a real server (journal, fsync, idempotency keys and all) and against a do-nothing
 * peer. The server's books are the judge of the load: the transactions the auditor counts at the end are exactly
 * the accounts opened plus the requests the bench counted as done, so no request is lost or counted twice.
 */
@Timeout(90)
class BenchCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> KEYS = List.of(
            "connections",
            "pipeline",
            "mix",
            "hot",
            "accounts",
            "seconds",
            "ops",
            "ops_per_sec",
            "p50_ms",
            "p90_ms",
            "p99_ms",
            "p999_ms",
            "max_ms",
            "errors",
            "books",
            "threads");

    @TempDir
    Path data;

    @TempDir
    Path home;

    private BankServer server;

    @BeforeEach
    void start() throws IOException {
        ServerConfig config = new ServerConfig(
                InetAddress.getLoopbackAddress(),
                0,
                data,
                64,
                65_536,
                30_000,
                2_000,
                4_096,
                LedgerConfig.defaults()); // the fewest PBKDF2 iterations a verifier may have
        server = BankServer.start(
                config, new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private CliRunner.Run bench(int port, String... options) {
        List<String> args = new ArrayList<>(List.of("--port", Integer.toString(port), "bench"));
        args.addAll(List.of(options));
        return CliRunner.run(Map.of(), home, "", 10_000, args.toArray(String[]::new));
    }

    private String auditPassword() {
        return data.resolve(Wire.AUDIT_PASSWORD_FILE).toString();
    }

    private static JsonNode json(CliRunner.Run run) throws IOException {
        List<String> lines = run.out().lines().toList();
        assertEquals(1, lines.size(), "one JSON object on one line: " + run.out());
        JsonNode figures = JSON.readTree(lines.get(0));
        for (String key : KEYS) {
            assertTrue(figures.has(key), key + " missing: " + run.out());
        }
        return figures;
    }

    /** p50 <= p90 <= p99 <= p99.9 <= max, all positive. */
    private static void assertOrdered(JsonNode figures) {
        List<String> order = List.of("p50_ms", "p90_ms", "p99_ms", "p999_ms", "max_ms");
        assertTrue(figures.get("p50_ms").decimalValue().signum() > 0, figures.toString());
        for (int i = 1; i < order.size(); i++) {
            assertTrue(
                    figures.get(order.get(i - 1))
                                    .decimalValue()
                                    .compareTo(figures.get(order.get(i)).decimalValue())
                            <= 0,
                    order.get(i - 1) + " > " + order.get(i) + ": " + figures);
        }
    }

    /** Only refusals the bank may rightly give: no server failure, lost connection or protocol error. */
    private static long businessRefusals(JsonNode errors) {
        long refusals = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = errors.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> error = it.next();
            assertTrue(
                    Stream.of(ErrorCode.values())
                            .anyMatch(code -> code.name().equals(error.getKey()) && BenchTally.business(code)),
                    "not a business refusal: " + errors);
            refusals += error.getValue().asLong();
        }
        return refusals;
    }

    @Test
    void countsEveryRequestOnceAndTheBooksBalance() throws IOException {
        CliRunner.Run run = bench(
                server.port(),
                "--connections",
                "4",
                "--requests",
                "2000",
                "--accounts",
                "20",
                "--warmup",
                "0",
                "--seed",
                "7",
                "--json",
                "--audit-password-file",
                auditPassword());
        assertEquals(0, run.exitCode(), run.err());
        JsonNode figures = json(run);
        assertEquals(2000, figures.get("ops").asLong());
        assertEquals("ok", figures.get("books").asText());
        assertEquals(4, figures.get("connections").asInt());
        assertEquals(1, figures.get("pipeline").asInt());
        assertEquals("transfer", figures.get("mix").asText());
        assertEquals(20, figures.get("accounts").asInt());
        assertTrue(figures.get("ops_per_sec").decimalValue().signum() > 0, figures.toString());
        assertOrdered(figures);
        long refusals = businessRefusals(figures.get("errors"));
        // Every account opening and every transfer that was not refused is one transaction: nothing lost or doubled.
        assertEquals(20 + 2000 - refusals, figures.get("transactions").asLong(), figures.toString());
    }

    @Test
    void pipelinedRequestsAreEachCountedOnceAndPrintedAsText() {
        CliRunner.Run run = bench(
                server.port(),
                "--connections",
                "2",
                "--pipeline",
                "8",
                "--requests",
                "2000",
                "--accounts",
                "20",
                "--warmup",
                "0",
                "--mix",
                "mixed",
                "--audit-password-file",
                auditPassword());
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("ops: 2000 in "), run.out());
        assertTrue(run.out().contains("pipeline 8"), run.out());
        assertTrue(
                run.out().lines().anyMatch(l -> l.matches("latency ms: p50 \\d+\\.\\d{3}, p90 .*, max .*")), run.out());
        assertTrue(
                run.out().lines().anyMatch(l -> l.startsWith("books: ok: all balances sum to 0.00, balanced")),
                run.out());
    }

    @Test
    void aHotAccountLoadKeepsTheBooks() throws IOException {
        CliRunner.Run run = bench(
                server.port(),
                "--connections",
                "4",
                "--hot",
                "90",
                "--requests",
                "1000",
                "--accounts",
                "20",
                "--warmup",
                "0",
                "--json",
                "--audit-password-file",
                auditPassword());
        assertEquals(0, run.exitCode(), run.err());
        JsonNode figures = json(run);
        assertEquals(1000, figures.get("ops").asLong());
        assertEquals(90, figures.get("hot").asInt());
        assertEquals("ok", figures.get("books").asText());
        assertEquals(
                20 + 1000 - businessRefusals(figures.get("errors")),
                figures.get("transactions").asLong());
    }

    @Test
    void aTimedRunPrintsProgressEachSecondAndSkipsTheBooksWithoutThePassword() throws IOException {
        CliRunner.Run run = bench(
                server.port(),
                "--connections",
                "2",
                "--duration",
                "2",
                "--warmup",
                "1",
                "--accounts",
                "10",
                "--mix",
                "deposit-withdraw",
                "--json");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(
                run.err().lines().anyMatch(l -> l.matches("progress: 1\\.0 s, \\d+ ops/s, p50 \\S+ ms, p99 \\S+ ms")),
                run.err());
        assertTrue(run.err().contains("books not checked"), run.err());
        JsonNode figures = json(run);
        assertEquals("skipped", figures.get("books").asText());
        assertTrue(figures.get("ops").asLong() > 0, figures.toString());
        assertTrue(
                figures.get("seconds").decimalValue().compareTo(java.math.BigDecimal.valueOf(2)) >= 0,
                figures.toString());
    }

    @Test
    void noSetupCountsEveryReplyOfADoNothingPeer() throws IOException {
        try (DoNothingServer peer = new DoNothingServer()) {
            CliRunner.Run run = bench(
                    peer.port(),
                    "--no-setup",
                    "--connections",
                    "3",
                    "--pipeline",
                    "4",
                    "--requests",
                    "600",
                    "--warmup",
                    "0",
                    "--json");
            assertEquals(0, run.exitCode(), run.err());
            JsonNode figures = json(run);
            assertEquals(600, figures.get("ops").asLong());
            assertEquals(600, peer.answered(), "exactly the counted requests were sent: no setup, no warm-up");
            assertEquals(0, figures.get("errors").size(), figures.toString());
            assertEquals("skipped", figures.get("books").asText());
            assertOrdered(figures);
        }
    }

    @Test
    void withServersTheConnectionsGoToEachServerInTurn() throws IOException {
        try (DoNothingServer a = new DoNothingServer();
                DoNothingServer b = new DoNothingServer();
                DoNothingServer c = new DoNothingServer()) {
            String servers = "127.0.0.1:" + a.port() + ",127.0.0.1:" + b.port() + ",127.0.0.1:" + c.port();
            CliRunner.Run run = CliRunner.run(
                    Map.of(),
                    home,
                    "",
                    10_000,
                    "--servers",
                    servers,
                    "bench",
                    "--no-setup",
                    "--connections",
                    "6",
                    "--threads",
                    "1",
                    "--requests",
                    "3000",
                    "--warmup",
                    "0",
                    "--json");
            assertEquals(0, run.exitCode(), run.err());
            assertEquals(3_000, json(run).get("ops").asLong());
            assertEquals(List.of(2L, 2L, 2L), List.of(a.served(), b.served(), c.served()), "two connections each");
            assertEquals(3_000, a.answered() + b.answered() + c.answered());
            assertTrue(
                    run.err().startsWith("bench: 6 connections to " + servers.replace(",", ", ") + " (round-robin)"),
                    run.err());
        }
    }

    @Test
    void aServerFailureIsCountedAndFailsTheRun() throws IOException {
        try (DoNothingServer peer = new DoNothingServer("INTERNAL_ERROR", Long.MAX_VALUE)) {
            CliRunner.Run run = bench(
                    peer.port(), "--no-setup", "--connections", "2", "--requests", "50", "--warmup", "0", "--json");
            assertEquals(ExitCodes.UNAVAILABLE, run.exitCode(), run.err());
            assertEquals(50, json(run).get("errors").get("INTERNAL_ERROR").asLong());
            assertTrue(run.err().contains("error: INTERNAL_ERROR: test"), run.err());
        }
    }

    @Test
    void aLostConnectionIsCountedAndFailsTheRun() throws IOException {
        try (DoNothingServer peer = new DoNothingServer(null, 10)) {
            CliRunner.Run run = bench(
                    peer.port(), "--no-setup", "--connections", "2", "--requests", "100", "--warmup", "0", "--json");
            assertEquals(ExitCodes.UNAVAILABLE, run.exitCode(), run.err());
            JsonNode figures = json(run);
            assertEquals(2, figures.get("errors").get(BenchTally.LOST).asLong(), figures.toString());
            assertEquals(20, figures.get("ops").asLong(), "the replies that came before the close");
            assertTrue(run.err().contains("closed the connection"), run.err());
        }
    }

    @Test
    void twoThreadsDriveFiveConnectionsAndEveryRequestIsCountedOnce() throws IOException {
        CliRunner.Run run = bench(
                server.port(),
                "--connections",
                "5",
                "--threads",
                "2",
                "--pipeline",
                "3",
                "--requests",
                "1500",
                "--accounts",
                "20",
                "--warmup",
                "0",
                "--json",
                "--audit-password-file",
                auditPassword());
        assertEquals(0, run.exitCode(), run.err());
        JsonNode figures = json(run);
        assertEquals(1500, figures.get("ops").asLong());
        assertEquals(2, figures.get("threads").asInt());
        assertEquals("ok", figures.get("books").asText());
        assertOrdered(figures);
        // Every account opening and every transfer not refused is one transaction, whichever loop sent it.
        assertEquals(
                20 + 1500 - businessRefusals(figures.get("errors")),
                figures.get("transactions").asLong(),
                figures.toString());
    }

    @Test
    void pipelinedRepliesOnTwoThreadsAreCountedExactly() throws IOException {
        try (DoNothingServer peer = new DoNothingServer()) {
            CliRunner.Run run = bench(
                    peer.port(),
                    "--no-setup",
                    "--connections",
                    "5",
                    "--threads",
                    "2",
                    "--pipeline",
                    "16",
                    "--requests",
                    // Enough that the second loop's thread, started a moment after the first, still finds tickets
                    // left: with 1,000 the first loop could draw them all before the second sent anything.
                    "20000",
                    "--warmup",
                    "0",
                    "--json");
            assertEquals(0, run.exitCode(), run.err());
            JsonNode figures = json(run);
            assertEquals(20_000, figures.get("ops").asLong());
            assertEquals(20_000, peer.answered(), "exactly the counted requests were sent");
            assertEquals(5, peer.served(), "every connection of both loops was driven");
            assertEquals(2, figures.get("threads").asInt());
            assertEquals(16, figures.get("pipeline").asInt());
            assertEquals(0, figures.get("errors").size(), figures.toString());
            assertOrdered(figures);
        }
    }

    @Test
    void repliesOutOfRequestOrderAreAProtocolError() throws IOException {
        try (DoNothingServer peer = DoNothingServer.swapping()) {
            CliRunner.Run run = bench(
                    peer.port(),
                    "--no-setup",
                    "--connections",
                    "1",
                    "--threads",
                    "4",
                    "--pipeline",
                    "4",
                    "--requests",
                    "100",
                    "--warmup",
                    "0",
                    "--json");
            assertEquals(ExitCodes.PROTOCOL, run.exitCode(), run.err());
            JsonNode figures = json(run);
            assertEquals(1, figures.get("errors").get(BenchTally.PROTOCOL_ERROR).asLong(), figures.toString());
            assertEquals(0, figures.get("ops").asLong(), "no reply was taken for another's");
            assertEquals(1, figures.get("threads").asInt(), "never more loops than connections");
            assertTrue(run.err().contains("reply id 2 where 1 was due"), run.err());
        }
    }

    @Test
    void aServerThatStopsAnsweringEndsTheRunWithinTheReadTimeout() throws IOException {
        try (DoNothingServer peer = DoNothingServer.silentAfter(5)) {
            long start = System.nanoTime();
            CliRunner.Run run = CliRunner.run(
                    Map.of(),
                    home,
                    "",
                    1_000, // the read timeout
                    "--port",
                    Integer.toString(peer.port()),
                    "bench",
                    "--no-setup",
                    "--connections",
                    "3",
                    "--threads",
                    "2",
                    "--pipeline",
                    "2",
                    "--requests",
                    "1000",
                    "--warmup",
                    "0",
                    "--json");
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            assertEquals(ExitCodes.UNAVAILABLE, run.exitCode(), run.err());
            JsonNode figures = json(run);
            assertEquals(3, figures.get("errors").get(BenchTally.LOST).asLong(), figures.toString());
            assertEquals(15, figures.get("ops").asLong(), "the five replies of each connection before it hung");
            assertTrue(run.err().contains("no reply from 127.0.0.1:"), run.err());
            assertTrue(run.err().contains("within 1000 ms"), run.err());
            assertTrue(elapsedMs < 10_000, "bounded by the read timeout, not the 3600 s cap: " + elapsedMs + " ms");
        }
    }

    @Test
    void aServerThatNeverAnswersTheSetupEndsItWithinTheReadTimeout() throws IOException {
        try (DoNothingServer peer = DoNothingServer.silentAfter(0)) {
            long start = System.nanoTime();
            CliRunner.Run run = CliRunner.run(
                    Map.of(),
                    home,
                    "",
                    1_000, // the read timeout, which the setup's blocking reads over the channel must honour
                    "--port",
                    Integer.toString(peer.port()),
                    "bench",
                    "--connections",
                    "2",
                    "--requests",
                    "10",
                    "--accounts",
                    "4");
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            assertEquals(ExitCodes.UNAVAILABLE, run.exitCode(), run.err());
            assertTrue(run.err().contains("no reply from 127.0.0.1:" + peer.port() + " in time"), run.err());
            assertTrue(elapsedMs < 10_000, "bounded by the read timeout: " + elapsedMs + " ms");
        }
    }

    @Test
    void anUnreachableServerIsExit75() throws IOException {
        CliRunner.Run run = bench(FakeBankServer.closedPort(), "--no-setup", "--connections", "1", "--requests", "1");
        assertEquals(ExitCodes.UNAVAILABLE, run.exitCode(), run.err());
        assertTrue(run.err().contains("cannot connect"), run.err());
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "--connections 0           | --connections must be 1 to 1024: 0",
                "--threads 0               | --threads must be 1 to 64: 0",
                "--threads 65              | --threads must be 1 to 64: 65",
                "--pipeline 0              | --pipeline must be 1 to 1024: 0",
                "--hot 101                 | --hot must be 0 to 100: 101",
                "--accounts 1              | --accounts must be 2 to 1000000: 1",
                "--duration 0              | --duration must be 1 to 3600: 0",
                "--duration 5 --requests 5 | give --duration or --requests, not both",
                "--mix lottery             | expected transfer, deposit-withdraw, balance or mixed",
            })
    void badOptionsAreUsageErrorsAndConnectNowhere(String options, String reason) throws IOException {
        try (DoNothingServer peer = new DoNothingServer()) {
            CliRunner.Run run = bench(peer.port(), options.split(" "));
            assertEquals(ExitCodes.USAGE, run.exitCode(), run.err());
            assertTrue(run.err().contains(reason), run.err());
            assertTrue(run.err().contains("Try 'client bench --help'"), run.err());
            assertEquals(0, peer.answered());
        }
    }

    @Test
    void benchTakesNoUser() {
        CliRunner.Run run = CliRunner.run(Map.of(), home, "Alice", "bench", "--requests", "1");
        assertEquals(ExitCodes.USAGE, run.exitCode(), run.err());
        assertTrue(run.err().contains("bench takes no USER"), run.err());
    }

    @Test
    void helpShowsBenchWithoutAUser() {
        CliRunner.Run help = CliRunner.run(Map.of(), home, "bench", "--help");
        assertEquals(0, help.exitCode(), help.err());
        assertTrue(help.out().startsWith("Usage: client bench "), help.out());
        for (String option : List.of(
                "--connections",
                "--threads",
                "--duration",
                "--requests",
                "--warmup",
                "--accounts",
                "--mix",
                "--pipeline",
                "--hot",
                "--json",
                "--no-setup",
                "--audit-password-file",
                "--seed")) {
            assertTrue(help.out().contains(option), option + ": " + help.out());
        }
        CliRunner.Run top = CliRunner.run(Map.of(), home, "--help");
        assertTrue(
                top.out().contains("client [--host HOST --port PORT | --servers H:P,...] bench [OPTIONS]"), top.out());
        assertTrue(top.out().lines().anyMatch(l -> l.matches(" +bench +Load generator .*")), top.out());
        assertFalse(top.out().contains("client USER bench"), top.out());
    }
}
