package com.abcbank.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abcbank.ledger.LedgerConfig;
import com.abcbank.protocol.Json;
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
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client against a real server (journal, idempotency keys and all), through a {@link CuttingProxy} that
 * breaks the connection at a chosen request. What these rule out: a withdrawal that happens twice because the
 * client sent it again ({@code doubleSpend}); a batch line skipped or doubled by the reconnect; an unknown
 * outcome reported as a success, or without the key that can finish it; two equal commands taken for one.
 *
 * <p>The server's own books are the judge: the auditor reads them straight from the server, not through the
 * proxy, once the client has exited.
 */
@Timeout(60)
class RetryEndToEndTest {
    private static final String PASSWORD = "alice-password-1";
    private static final Pattern TX = Pattern.compile("\\(tx (\\d+)\\)$");

    @TempDir
    Path data;

    @TempDir
    Path home;

    private BankServer server;

    @BeforeEach
    void startTheBankWithAlicesAccount() throws IOException {
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
                config, new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8));
        assertEquals(0, client(server.port(), "Alice", "register").exitCode());
        CliRunner.Run opened = client(server.port(), "Alice", "create_account", "1001", "500");
        assertEquals(0, opened.exitCode(), opened.err());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void aWithdrawalWhoseReplyWasCutIsSentAgainAndHappensOnce() throws IOException {
        try (CuttingProxy proxy =
                new CuttingProxy(server.port(), op(Request.Withdraw.class), CuttingProxy.Where.BEFORE_REPLY, 1)) {
            CliRunner.Run run = client(proxy.port(), "Alice", "withdraw", "1001", "50");
            assertEquals(0, run.exitCode(), run.err());
            assertEquals(1, proxy.cutsMade(), "the proxy did not cut: the test tests nothing");
            assertEquals(2, proxy.connections());
            List<Result.Entry> withdrawals = entries("1001", "WITHDRAW");
            assertEquals(1, withdrawals.size(), "withdrawals on the server: " + withdrawals);
            assertEquals(
                    "Withdrew 50.00 from 1001: balance 450.00 (tx "
                            + withdrawals.get(0).tx() + ")\n",
                    run.out());
            assertEquals(50_000 - 5_000, balance("1001"));
            List<String> keys = keys(proxy, Request.Withdraw.class);
            assertEquals(2, keys.size(), "sent twice");
            assertEquals(keys.get(0), keys.get(1), "with one key");
            assertTrue(
                    run.err().contains("connecting again to send it once more with the same key " + keys.get(0)),
                    run.err());
        }
    }

    @Test
    void aWithdrawalWhoseRequestWasCutHappensOnceOnTheRetry() throws IOException {
        try (CuttingProxy proxy =
                new CuttingProxy(server.port(), op(Request.Withdraw.class), CuttingProxy.Where.BEFORE_REQUEST, 1)) {
            CliRunner.Run run = client(proxy.port(), "Alice", "withdraw", "1001", "50");
            assertEquals(0, run.exitCode(), run.err());
            assertEquals(1, proxy.cutsMade());
            List<Result.Entry> withdrawals = entries("1001", "WITHDRAW");
            assertEquals(1, withdrawals.size(), "withdrawals on the server: " + withdrawals);
            assertEquals(
                    "Withdrew 50.00 from 1001: balance 450.00 (tx "
                            + withdrawals.get(0).tx() + ")\n",
                    run.out());
            assertEquals(45_000, balance("1001"));
        }
    }

    @Test
    void aReadWhoseReplyWasCutIsSentAgain() throws IOException {
        try (CuttingProxy proxy =
                new CuttingProxy(server.port(), op(Request.Balance.class), CuttingProxy.Where.BEFORE_REPLY, 1)) {
            CliRunner.Run run = client(proxy.port(), "Alice", "balance", "1001");
            assertEquals(0, run.exitCode(), run.err());
            assertEquals(1, proxy.cutsMade());
            assertEquals("1001 (checking, Alice): balance 500.00\n", run.out());
        }
    }

    /**
     * 90 withdrawals of 0.01 to 0.90 (each amount once, so each can be found in the books) and a balance every
     * tenth line; the cut swallows the reply to the 40th withdrawal. By then the client has pipelined many lines
     * past it, some of which the server ran and some of which it never saw; all of them go again, same keys.
     */
    @Test
    void aBatchCutMidwaySendsTheUnansweredLinesAgainAndEachHappensOnce() throws IOException {
        int count = 90;
        StringBuilder script = new StringBuilder();
        for (int cents = 1; cents <= count; cents++) {
            script.append("withdraw 1001 0.")
                    .append(String.format("%02d", cents))
                    .append('\n');
            if (cents % 10 == 0) {
                script.append("balance 1001\n");
            }
        }
        Predicate<String> fortieth =
                line -> Json.parseRequest(line).request() instanceof Request.Withdraw w && w.amount() == 40;
        try (CuttingProxy proxy = new CuttingProxy(server.port(), fortieth, CuttingProxy.Where.BEFORE_REPLY, 1)) {
            CliRunner.Run run = CliRunner.run(env(proxy.port()), home, script.toString(), 10_000, "Alice", "batch");
            assertEquals(0, run.exitCode(), run.err());
            assertEquals(1, proxy.cutsMade(), "the proxy did not cut: the test tests nothing");
            assertEquals(2, proxy.connections());
            assertTrue(run.err().contains("with line 43 unanswered; connecting again"), run.err());
            assertTrue(run.err().lines().anyMatch(l -> l.matches("batch: 99 ok, 0 refused in \\d+ ms")), run.err());

            // The books: every amount withdrawn exactly once, nothing else.
            Map<Long, Long> txByAmount = new HashMap<>();
            for (Result.Entry e : entries("1001", "WITHDRAW")) {
                assertEquals(null, txByAmount.put(-e.amount(), e.tx()), "withdrawn twice: " + (-e.amount()) + " cents");
            }
            assertEquals(count, txByAmount.size());
            assertEquals(50_000 - count * (count + 1) / 2, balance("1001"));

            // The output: every line once, in file order, each with the server's transaction number.
            List<String> out = run.out().lines().toList();
            assertEquals(count + count / 10, out.size(), run.out());
            int line = 0;
            for (int cents = 1; cents <= count; cents++) {
                String printed = out.get(line++);
                assertTrue(
                        printed.startsWith("Withdrew " + com.abcbank.ledger.Money.format(cents) + " from 1001: "),
                        printed);
                Matcher tx = TX.matcher(printed);
                assertTrue(tx.find(), printed);
                assertEquals(txByAmount.get((long) cents), Long.parseLong(tx.group(1)), printed);
                if (cents % 10 == 0) {
                    assertTrue(out.get(line++).startsWith("1001 (checking, Alice): balance "));
                }
            }
            // Every withdrawal had its own key; the ones sent again kept theirs.
            List<String> sent = keys(proxy, Request.Withdraw.class);
            Set<String> distinct = new LinkedHashSet<>(sent);
            assertEquals(count, distinct.size());
            assertTrue(sent.size() > count, "nothing was sent again: " + sent.size());
        }
    }

    @Test
    void aSecondCutExits75NamingTheKeyAndThatKeyFinishesItOnce() throws IOException {
        try (CuttingProxy proxy =
                new CuttingProxy(server.port(), op(Request.Withdraw.class), CuttingProxy.Where.BEFORE_REPLY, 2)) {
            CliRunner.Run run = client(proxy.port(), "Alice", "withdraw", "1001", "50");
            assertEquals(ExitCodes.UNAVAILABLE, run.exitCode(), run.err());
            assertEquals(2, proxy.cutsMade());
            assertEquals(2, proxy.connections(), "retried more than once");
            List<String> keys = keys(proxy, Request.Withdraw.class);
            assertEquals(2, keys.size());
            assertEquals(keys.get(0), keys.get(1));
            String key = keys.get(0);
            assertTrue(
                    run.err().contains("error: outcome unknown: withdraw was sent twice and not answered"), run.err());
            assertTrue(
                    run.err().contains("Its key is " + key + ": run the same command again with --key " + key),
                    run.err());
            assertEquals("", run.out());
            assertEquals(1, entries("1001", "WITHDRAW").size(), "the server ran it once, and the retry moved nothing");
            assertEquals(45_000, balance("1001"));

            // What the message says to do: the same command with the key gives the first result and moves nothing.
            CliRunner.Run finish = client(server.port(), "Alice", "withdraw", "1001", "50", "--key", key);
            assertEquals(0, finish.exitCode(), finish.err());
            List<Result.Entry> withdrawals = entries("1001", "WITHDRAW");
            assertEquals(1, withdrawals.size());
            assertEquals(
                    "Withdrew 50.00 from 1001: balance 450.00 (tx "
                            + withdrawals.get(0).tx() + ")\n",
                    finish.out());
            assertEquals(45_000, balance("1001"));
        }
    }

    @Test
    void aBatchCutTwiceExits75NamingTheKeyOfEveryLineWithoutAnAnswer() throws IOException {
        Predicate<String> third =
                line -> Json.parseRequest(line).request() instanceof Request.Withdraw w && w.amount() == 3;
        try (CuttingProxy proxy = new CuttingProxy(server.port(), third, CuttingProxy.Where.BEFORE_REPLY, 2)) {
            String script =
                    "withdraw 1001 0.01\nwithdraw 1001 0.02\nwithdraw 1001 0.03\nwithdraw 1001 0.04\nwithdraw 1001 0.05\n";
            CliRunner.Run run = CliRunner.run(env(proxy.port()), home, script, 10_000, "Alice", "batch");
            assertEquals(ExitCodes.UNAVAILABLE, run.exitCode(), run.err());
            assertEquals(2, proxy.cutsMade());
            assertEquals(2, run.out().lines().count(), run.out());
            List<String> err = run.err().lines().toList();
            assertTrue(
                    err.stream()
                            .anyMatch(l -> l.contains("the connection broke a second time, so the batch stops here")),
                    run.err());
            Map<Long, String> keyByAmount = proxy.requestLines().stream()
                    .map(l -> Json.parseRequest(l).request())
                    .filter(r -> r instanceof Request.Withdraw)
                    .map(r -> (Request.Withdraw) r)
                    .collect(Collectors.toMap(Request.Withdraw::amount, Request.Withdraw::key, (a, b) -> {
                        assertEquals(a, b, "a line sent again with another key");
                        return a;
                    }));
            for (int line = 3; line <= 5; line++) {
                String key = keyByAmount.get((long) line);
                String expected = "line " + line + ": outcome unknown: may or may not have taken effect; its key is "
                        + key + " (run it again with --key " + key + " to finish it at most once)";
                assertTrue(err.contains(expected), expected + " in\n" + run.err());
            }
            assertTrue(err.get(err.size() - 1).matches("batch: 2 ok, 0 refused, 3 unanswered in \\d+ ms"), run.err());
            // Nothing happened twice: 0.01 to 0.03 once each (the server answered 0.03 twice, the same), 0.04 and 0.05
            // at most once (the cut may have come before the proxy passed them on).
            List<Long> amounts = entries("1001", "WITHDRAW").stream()
                    .map(e -> -e.amount())
                    .sorted()
                    .toList();
            assertEquals(List.of(1L, 2L, 3L), amounts.subList(0, 3), amounts.toString());
            assertEquals(amounts.size(), new LinkedHashSet<>(amounts).size(), amounts.toString());
            assertEquals(50_000 - amounts.stream().mapToLong(Long::longValue).sum(), balance("1001"));
        }
    }

    @Test
    void twoDepositsOfTheSameAmountBothHappenEachWithItsOwnKey() throws IOException {
        try (CuttingProxy proxy = CuttingProxy.passThrough(server.port())) {
            CliRunner.Run first = client(proxy.port(), "Alice", "deposit", "1001", "10");
            CliRunner.Run second = client(proxy.port(), "Alice", "deposit", "1001", "10");
            assertEquals(0, first.exitCode(), first.err());
            assertEquals(0, second.exitCode(), second.err());
            assertNotEquals(first.out(), second.out());
            assertEquals(2, entries("1001", "DEPOSIT").size());
            assertEquals(50_000 + 2_000, balance("1001"));
            List<String> keys = keys(proxy, Request.Deposit.class);
            assertEquals(2, keys.size());
            assertNotEquals(keys.get(0), keys.get(1));
            keys.forEach(key -> assertTrue(key.matches(BankCliTest.UUID), key));
        }
    }

    @Test
    void verifyProvesTheBooksInOneLine() throws IOException {
        assertEquals(0, client(server.port(), "Alice", "deposit", "1001", "10").exitCode());
        assertEquals(0, client(server.port(), "Alice", "withdraw", "1001", "5").exitCode());
        CliRunner.Run run = auditor("verify");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(
                run.out()
                        .matches("Books verified: 3 transactions re-read from the journal \\(checksums, hash chain,"
                                + " sequence, postings summing to 0\\), \\d+ accounts recounted: all equal to the live balances,"
                                + " as of tx 3, in \\d+ ms; \\d+ security events? checked in the chain\\n"),
                run.out());
        assertEquals("", run.err());

        CliRunner.Run json = auditor("verify", "--json");
        assertEquals(0, json.exitCode(), json.err());
        Result.Verify result = Json.convert(
                Json.parseReply("{\"id\":1,\"ok\":true,\"result\":" + json.out() + "}")
                        .result(),
                Result.Verify.class);
        assertEquals(
                List.of(true, 3L, 3L, List.of()),
                List.of(
                        result.ok(),
                        result.asOf(),
                        result.transactions(),
                        result.problems() == null ? List.of() : result.problems()));
    }

    @Test
    void withServersAWithdrawalCutOnOneNodeIsFinishedOnTheNextAndHappensOnce() throws IOException {
        // Two "nodes" in front of one bank: the first forwards the withdrawal and cuts its reply, the second is the
        // bank itself, which answers the same key with the first attempt's transaction.
        try (CuttingProxy cutting =
                new CuttingProxy(server.port(), op(Request.Withdraw.class), CuttingProxy.Where.BEFORE_REPLY, 1)) {
            Map<String, String> env = new HashMap<>(env(server.port()));
            env.remove("BANK_PORT");
            env.put("BANK_SERVERS", "127.0.0.1:" + cutting.port() + ",127.0.0.1:" + server.port());
            CliRunner.Run run = CliRunner.run(env, home, "", 10_000, "Alice", "withdraw", "1001", "50");
            assertEquals(0, run.exitCode(), run.err());
            assertEquals(1, cutting.cutsMade(), "the proxy did not cut: the test tests nothing");
            List<Result.Entry> withdrawals = entries("1001", "WITHDRAW");
            assertEquals(1, withdrawals.size(), "withdrawals on the server: " + withdrawals);
            assertEquals(50_000 - 5_000, balance("1001"));
            String key = keys(cutting, Request.Withdraw.class).get(0);
            assertTrue(
                    run.err().contains("retrying withdraw on 127.0.0.1:" + server.port() + " with the same key " + key),
                    run.err());
        }
    }

    @Test
    void clusterOnASingleServerIsRefusedInWords() {
        CliRunner.Run run = auditor("cluster");
        assertEquals(ExitCodes.REFUSED, run.exitCode(), run.err());
        assertEquals("error: INVALID_ARGUMENT: this server runs alone, not in a cluster\n", run.err());
    }

    @Test
    void verifyIsForTheAuditorOnly() {
        CliRunner.Run run = client(server.port(), "Alice", "verify");
        assertEquals(ExitCodes.REFUSED, run.exitCode(), run.err());
        assertTrue(run.err().startsWith("error: FORBIDDEN: "), run.err());
    }

    private Map<String, String> env(int port) {
        return Map.of(
                "BANK_PORT",
                Integer.toString(port),
                "BANK_PASSWORD",
                PASSWORD,
                "BANK_CREDENTIALS",
                home.resolve("credentials").toString());
    }

    private CliRunner.Run client(int port, String... args) {
        return CliRunner.run(env(port), home, "", 10_000, args);
    }

    private CliRunner.Run auditor(String... args) {
        String[] line = new String[args.length + 3];
        line[0] = "--password-file";
        line[1] = data.resolve("audit-password").toString();
        line[2] = "Audit";
        System.arraycopy(args, 0, line, 3, args.length);
        return client(server.port(), line);
    }

    /** Matches request lines of one op. */
    private static Predicate<String> op(Class<? extends Request> type) {
        return line -> type.isInstance(Json.parseRequest(line).request());
    }

    /** The keys of every request of {@code type} the proxy passed or cut, in order. */
    private static List<String> keys(CuttingProxy proxy, Class<? extends Request> type) {
        return proxy.requestLines().stream()
                .map(line -> Json.parseRequest(line).request())
                .filter(type::isInstance)
                .map(IdempotencyKeys::of)
                .toList();
    }

    /** Asks the server itself (not through the proxy), as the auditor. */
    private Reply audit(Request request) throws IOException {
        try (BankConnection bank = BankConnection.open("127.0.0.1", server.port(), 2_000, 10_000)) {
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

    /** The account's statement entries of one type, from the server's books. */
    private List<Result.Entry> entries(String account, String type) throws IOException {
        Result.History history = Operation.as(audit(new Request.History(account, null, 1_000)), Result.History.class);
        assertEquals(null, history.next(), "more than one page");
        return history.entries().stream().filter(e -> e.type().equals(type)).toList();
    }
}
