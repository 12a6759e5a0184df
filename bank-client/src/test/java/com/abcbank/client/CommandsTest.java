package com.abcbank.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abcbank.ledger.ErrorCode;
import com.abcbank.protocol.Failure;
import com.abcbank.protocol.Request;
import com.abcbank.protocol.Result;
import com.abcbank.protocol.Scram;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The commands end to end against a fake server: what is sent, what is printed, and the exit code. */
@Timeout(20)
class CommandsTest {
    private static final String TIME = "2026-11-23T10:00:00.123456789Z"; // tables show it to the second

    @TempDir
    Path home;

    private Path credentials() {
        return home.resolve(".abcbank").resolve("credentials");
    }

    private Map<String, String> env(FakeBankServer server, String password) {
        Map<String, String> env = new HashMap<>(Map.of(
                "BANK_PORT",
                Integer.toString(server.port()),
                "BANK_CREDENTIALS",
                credentials().toString()));
        if (password != null) {
            env.put("BANK_PASSWORD", password);
        }
        return env;
    }

    private static Result.Tx deposit(String account, long amount, long balance, long tx) {
        return new Result.Tx(tx, TIME, "DEPOSIT", amount, account, balance, null, null, null, null, null, null);
    }

    /** Logs anyone in; answers the rest with {@code answer}. */
    private static Function<Request, Object> bank(Function<Request, Object> answer) {
        return request -> request instanceof Request.Login login
                ? new Result.User(login.user(), "CUSTOMER")
                : answer.apply(request);
    }

    @Test
    void depositLogsInSendsCentsAndPrintsOneConfirmationLine() throws Exception {
        try (FakeBankServer server =
                new FakeBankServer(FakeBankServer.answering(bank(r -> deposit("1001", 20_000, 70_000, 12))))) {
            CliRunner.Run run = CliRunner.run(env(server, "pw"), home, "Alice", "deposit", "1001", "200");
            assertEquals(0, run.exitCode(), run.err());
            assertEquals("Deposited 200.00 to 1001: balance 700.00 (tx 12)\n", run.out());
            assertEquals("", run.err());
            List<Request> requests = server.logins();
            assertEquals(
                    List.of(FakeBankServer.login("Alice"), new Request.Deposit("1001", 20_000)),
                    requests.stream().map(FakeBankServer::withoutKey).toList());
            assertTrue(
                    IdempotencyKeys.of(requests.get(1)).matches(BankCliTest.UUID),
                    requests.get(1).toString());
        }
    }

    @Test
    void everyMoneyMovementPrintsItsLine() throws Exception {
        Map<String, Result.Tx> results = Map.of(
                "create_account",
                        new Result.Tx(
                                1, TIME, "OPEN_ACCOUNT", 50_000, "1001", 50_000L, null, null, null, null, null, null),
                "withdraw",
                        new Result.Tx(2, TIME, "WITHDRAW", 5_000, "1001", 45_000L, null, null, null, null, null, null),
                "transfer",
                        new Result.Tx(
                                3, TIME, "TRANSFER", 5_000, null, null, "1001", 40_000L, "1002", 5_000L, null, null),
                "apply_loan",
                        new Result.Tx(
                                4, TIME, "LOAN", 100_000, "1001", 140_000L, null, null, null, null, "L100001",
                                100_000L),
                "pay_loan_check",
                        new Result.Tx(
                                5,
                                TIME,
                                "LOAN_PAYMENT_CHECK",
                                10_000,
                                null,
                                null,
                                null,
                                null,
                                null,
                                null,
                                "L100001",
                                90_000L),
                "pay_loan_transfer",
                        new Result.Tx(
                                6,
                                TIME,
                                "LOAN_PAYMENT_TRANSFER",
                                10_000,
                                "1001",
                                130_000L,
                                null,
                                null,
                                null,
                                null,
                                "L100001",
                                80_000L));
        Map<String, String[]> commands = Map.of(
                "create_account", new String[] {"1001", "500"},
                "withdraw", new String[] {"1001", "50"},
                "transfer", new String[] {"1001", "1002", "50"},
                "apply_loan", new String[] {"1001", "1000"},
                "pay_loan_check", new String[] {"L100001", "100"},
                "pay_loan_transfer", new String[] {"1001", "L100001", "100"});
        Map<String, String> expected = Map.of(
                "create_account", "Opened 1001 with 500.00: balance 500.00 (tx 1)",
                "withdraw", "Withdrew 50.00 from 1001: balance 450.00 (tx 2)",
                "transfer", "Transferred 50.00 from 1001 to 1002: balance 400.00 (tx 3)",
                "apply_loan", "Loan L100001 of 1,000.00 paid into 1001: balance 1,400.00, outstanding 1,000.00 (tx 4)",
                "pay_loan_check", "Paid 100.00 on L100001: outstanding 900.00 (tx 5)",
                "pay_loan_transfer", "Paid 100.00 from 1001 on L100001: balance 1,300.00, outstanding 800.00 (tx 6)");
        for (String command : expected.keySet()) {
            try (FakeBankServer server =
                    new FakeBankServer(FakeBankServer.answering(bank(r -> results.get(command))))) {
                List<String> args = new ArrayList<>(List.of("Alice", command));
                args.addAll(List.of(commands.get(command)));
                CliRunner.Run run = CliRunner.run(env(server, "pw"), home, args.toArray(String[]::new));
                assertEquals(0, run.exitCode(), command + ": " + run.err());
                assertEquals(expected.get(command) + "\n", run.out(), command);
            }
        }
    }

    @Test
    void jsonPrintsTheRawResult() throws Exception {
        Result.Account account = new Result.Account("L100001", "LOAN", "Alice", TIME, -80_000, 80_000L);
        try (FakeBankServer server = new FakeBankServer(FakeBankServer.answering(bank(r -> account)))) {
            CliRunner.Run run = CliRunner.run(env(server, "pw"), home, "Alice", "balance", "L100001", "--json");
            assertEquals(0, run.exitCode(), run.err());
            assertTrue(run.out().startsWith("{\n"), run.out());
            assertTrue(run.out().contains("\"balance\" : -80000"), run.out());
            assertTrue(run.out().contains("\"outstanding\" : 80000"), run.out());
        }
    }

    @Test
    void balancePrintsOneLine() throws Exception {
        Result.Account account = new Result.Account("L100001", "LOAN", "Alice", TIME, -80_000, 80_000L);
        try (FakeBankServer server = new FakeBankServer(FakeBankServer.answering(bank(r -> account)))) {
            CliRunner.Run run = CliRunner.run(env(server, "pw"), home, "Alice", "balance", "L100001");
            assertEquals("L100001 (loan, Alice): balance -800.00, outstanding 800.00\n", run.out());
        }
    }

    @Test
    void aRefusalExits3WithTheCodeOnStandardError() throws Exception {
        Failure failure = FakeBankServer.refuse(ErrorCode.INSUFFICIENT_FUNDS, "1001 has 5.00, cannot withdraw 50.00");
        try (FakeBankServer server = new FakeBankServer(FakeBankServer.answering(bank(r -> failure)))) {
            CliRunner.Run run = CliRunner.run(env(server, "pw"), home, "Alice", "withdraw", "1001", "50");
            assertEquals(ExitCodes.REFUSED, run.exitCode());
            assertEquals("error: INSUFFICIENT_FUNDS: 1001 has 5.00, cannot withdraw 50.00\n", run.err());
            assertEquals("", run.out());
        }
    }

    @Test
    void badCredentialsExit4AndTheCommandIsNeverSent() throws Exception {
        Failure failure = FakeBankServer.refuse(ErrorCode.BAD_CREDENTIALS, "unknown user or wrong password");
        try (FakeBankServer server = new FakeBankServer(FakeBankServer.answering(r -> failure))) {
            CliRunner.Run run = CliRunner.run(env(server, "wrong"), home, "Alice", "withdraw", "1001", "50");
            assertEquals(ExitCodes.AUTH, run.exitCode());
            assertEquals("error: BAD_CREDENTIALS: unknown user or wrong password\n", run.err());
            assertEquals(List.of(FakeBankServer.login("Alice")), server.logins());
        }
    }

    @Test
    void throttledExits4() throws Exception {
        Failure failure = FakeBankServer.refuse(ErrorCode.THROTTLED, "too many failed logins; retry after 30 s");
        try (FakeBankServer server = new FakeBankServer(FakeBankServer.answering(r -> failure))) {
            assertEquals(
                    ExitCodes.AUTH,
                    CliRunner.run(env(server, "pw"), home, "Alice", "balance", "1001")
                            .exitCode());
        }
    }

    @Test
    void noPasswordAnywhereExits4AndSendsNothing() throws Exception {
        try (FakeBankServer server = new FakeBankServer(FakeBankServer.answering(bank(r -> null)))) {
            CliRunner.Run run = CliRunner.run(env(server, null), home, "Alice", "deposit", "1001", "200");
            assertEquals(ExitCodes.AUTH, run.exitCode());
            assertEquals(
                    "error: no password for Alice at 127.0.0.1:" + server.port() + ": use --password-file,"
                            + " set BANK_PASSWORD, or add host:port:user:password to " + credentials() + "\n",
                    run.err());
            assertEquals(List.of(), server.logins());
        }
    }

    @Test
    void noPasswordForTheAuditorSaysWhereTheServerPutIt() throws Exception {
        try (FakeBankServer server = new FakeBankServer(FakeBankServer.answering(bank(r -> null)))) {
            CliRunner.Run run = CliRunner.run(env(server, null), home, "Audit", "report");
            assertEquals(ExitCodes.AUTH, run.exitCode());
            assertTrue(run.err().startsWith("error: no password for Audit at 127.0.0.1:" + server.port()), run.err());
            assertTrue(
                    run.err().contains("; the server wrote the auditor's password to DATA/audit-password"), run.err());
            assertTrue(run.err().contains("--password-file data/audit-password"), run.err());
        }
    }

    @Test
    void noPasswordForACustomerSaysNothingOfTheAuditor() throws Exception {
        try (FakeBankServer server = new FakeBankServer(FakeBankServer.answering(bank(r -> null)))) {
            CliRunner.Run run = CliRunner.run(env(server, null), home, "Auditor", "balance", "1001");
            assertEquals(ExitCodes.AUTH, run.exitCode());
            assertFalse(run.err().contains("audit-password"), run.err());
        }
    }

    /** Nothing listens and no password anywhere: the server being down is what to report, for every command. */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "Alice balance 1001",
                "Alice deposit 1001 200",
                "Audit report",
                "Alice create_account 1001",
                "Alice register",
                "Alice batch"
            })
    void noServerExits75BeforeAnyCredentialsProblem(String line) throws IOException {
        int port = FakeBankServer.closedPort();
        Map<String, String> env = Map.of(
                "BANK_PORT",
                Integer.toString(port),
                "BANK_CREDENTIALS",
                credentials().toString());
        CliRunner.Run run = CliRunner.run(env, home, "balance 1001\n", 5_000, line.split(" "));
        assertEquals(ExitCodes.UNAVAILABLE, run.exitCode(), run.err());
        assertTrue(run.err().startsWith("error: cannot connect to 127.0.0.1:" + port + ": "), run.err());
        assertFalse(run.err().contains("password"), run.err());
        assertFalse(Files.exists(credentials()), "a password was saved for a registration that was never sent");
    }

    @Test
    void noServerExits75EvenWithAMissingPasswordFile() throws IOException {
        int port = FakeBankServer.closedPort();
        CliRunner.Run run = CliRunner.run(
                Map.of("BANK_PORT", Integer.toString(port)),
                home,
                "--password-file",
                home.resolve("none").toString(),
                "Alice",
                "balance",
                "1001");
        assertEquals(ExitCodes.UNAVAILABLE, run.exitCode(), run.err());
        assertTrue(run.err().startsWith("error: cannot connect to 127.0.0.1:" + port + ": "), run.err());
    }

    @Test
    void aMissingPasswordFileExits4InWordsAndSendsNothing() throws Exception {
        Path missing = home.resolve("nonexistent");
        try (FakeBankServer server = new FakeBankServer(FakeBankServer.answering(bank(r -> null)))) {
            CliRunner.Run run = CliRunner.run(
                    env(server, "from-env"), home, "--password-file", missing.toString(), "Alice", "balance", "1001");
            assertEquals(ExitCodes.AUTH, run.exitCode());
            assertEquals("error: cannot read password file " + missing + ": no such file\n", run.err());
            assertEquals(List.of(), server.logins());
        }
    }

    @Test
    void aPasswordFileThatIsADirectoryExits4InWords() throws Exception {
        try (FakeBankServer server = new FakeBankServer(FakeBankServer.answering(bank(r -> null)))) {
            CliRunner.Run run =
                    CliRunner.run(env(server, null), home, "--password-file", home.toString(), "Alice", "register");
            assertEquals(ExitCodes.AUTH, run.exitCode());
            assertTrue(run.err().startsWith("error: cannot read password file " + home + ": "), run.err());
            assertFalse(run.err().contains("Exception"), run.err());
            assertEquals(List.of(), server.logins());
        }
    }

    @Test
    void anEmptyPasswordFileExits4() throws Exception {
        Path file = Files.writeString(home.resolve("pw"), "\nsecond line\n");
        try (FakeBankServer server = new FakeBankServer(FakeBankServer.answering(bank(r -> null)))) {
            CliRunner.Run run = CliRunner.run(
                    env(server, null), home, "--password-file", file.toString(), "Alice", "balance", "1001");
            assertEquals(ExitCodes.AUTH, run.exitCode());
            assertEquals("error: no password in password file " + file + ": its first line is empty\n", run.err());
            assertEquals(List.of(), server.logins());
        }
    }

    @Test
    void anUnanswerableServerExits75() throws Exception {
        FakeBankServer.Script hangUpAfterLogin = (in, out) -> {
            FakeBankServer.logIn(in, out, bank(r -> null));
            in.next(); // reads the withdrawal, then hangs up without an answer
        };
        try (FakeBankServer server = new FakeBankServer(hangUpAfterLogin)) { // and then refuses the reconnect
            CliRunner.Run run = CliRunner.run(env(server, "pw"), home, "Alice", "withdraw", "1001", "50");
            assertEquals(ExitCodes.UNAVAILABLE, run.exitCode());
            String key = IdempotencyKeys.of(server.logins().get(1));
            List<String> err = run.err().lines().toList();
            assertEquals(2, err.size(), run.err());
            assertTrue(
                    err.get(0)
                            .startsWith("note: 127.0.0.1:" + server.port()
                                    + " closed the connection before withdraw was"
                                    + " answered; connecting again to send it once more with the same key " + key),
                    run.err());
            assertTrue(
                    err.get(1)
                            .startsWith("error: outcome unknown: withdraw was sent once and not answered, and could not"
                                    + " be sent again (cannot connect to 127.0.0.1:" + server.port() + ": "),
                    run.err());
            assertTrue(
                    err.get(1)
                            .endsWith(", so it may or may not have taken effect. Its key is " + key + ": run the same"
                                    + " command again with --key " + key
                                    + " to finish it at most once, or look at the account's history"
                                    + " to see whether it happened"),
                    run.err());
        }
    }

    @Test
    void aBrokenConnectionIsMadeAgainOnceAndTheSameRequestSentWithTheSameKey() throws Exception {
        Function<Request, Object> answer = bank(
                r -> new Result.Tx(9, TIME, "WITHDRAW", 5_000, "1001", 45_000L, null, null, null, null, null, null));
        FakeBankServer.Script hangUpAfterTheWithdrawal = (in, out) -> {
            FakeBankServer.logIn(in, out, answer);
            in.next();
        };
        try (FakeBankServer server = new FakeBankServer(hangUpAfterTheWithdrawal, FakeBankServer.answering(answer))) {
            CliRunner.Run run = CliRunner.run(env(server, "pw"), home, "Alice", "withdraw", "1001", "50");
            assertEquals(0, run.exitCode(), run.err());
            assertEquals("Withdrew 50.00 from 1001: balance 450.00 (tx 9)\n", run.out());
            List<Request> requests = server.logins();
            assertEquals(4, requests.size(), requests.toString());
            Request.Withdraw withdraw = assertInstanceOf(Request.Withdraw.class, requests.get(1));
            assertEquals(
                    List.of(FakeBankServer.login("Alice"), withdraw, FakeBankServer.login("Alice"), withdraw),
                    requests);
            assertTrue(withdraw.key().matches(BankCliTest.UUID), withdraw.key());
        }
    }

    @Test
    void aReadIsSentAgainAfterABreakToo() throws Exception {
        Result.Account account = new Result.Account("1001", "CHECKING", "Alice", TIME, 70_000, null);
        FakeBankServer.Script timeOutOnTheRead = (in, out) -> {
            FakeBankServer.logIn(in, out, bank(r -> account));
            in.next(); // reads the request and never answers: the client's read timeout ends it
            in.next(); // returns once the client has closed this connection
        };
        try (FakeBankServer server =
                new FakeBankServer(timeOutOnTheRead, FakeBankServer.answering(bank(r -> account)))) {
            CliRunner.Run run = CliRunner.run(env(server, "pw"), home, "", 1_000, "Alice", "balance", "1001");
            assertEquals(0, run.exitCode(), run.err());
            assertEquals("1001 (checking, Alice): balance 700.00\n", run.out());
            assertTrue(
                    run.err()
                            .startsWith("note: no reply from 127.0.0.1:" + server.port() + " in time before balance"
                                    + " was answered; connecting again to send it once more\n"),
                    run.err());
            assertEquals(
                    List.of(
                            FakeBankServer.login("Alice"),
                            new Request.Balance("1001"),
                            FakeBankServer.login("Alice"),
                            new Request.Balance("1001")),
                    server.logins());
        }
    }

    @Test
    void aReadThatBreaksTwiceExits75AsItIs() throws Exception {
        FakeBankServer.Script hangUp = (in, out) -> {
            FakeBankServer.logIn(in, out, bank(r -> null));
            in.next();
        };
        try (FakeBankServer server = new FakeBankServer(hangUp, hangUp)) {
            CliRunner.Run run = CliRunner.run(env(server, "pw"), home, "Alice", "balance", "1001");
            assertEquals(ExitCodes.UNAVAILABLE, run.exitCode());
            assertTrue(
                    run.err()
                            .endsWith("\nerror: 127.0.0.1:" + server.port() + " closed the connection; 1 request"
                                    + " unanswered: may or may not have taken effect\n"),
                    run.err());
            assertEquals(4, server.logins().size(), "sent twice, not more");
        }
    }

    @Test
    void aRetryAfterEnrollingLogsInWithTheSavedPasswordInsteadOfEnrollingAgain() throws Exception {
        Result.Tx opened = new Result.Tx(1, TIME, "OPEN_ACCOUNT", 0, "1001", 0L, null, null, null, null, null, null);
        Function<Request, Object> answer = request -> request instanceof Request.Register r
                ? new Result.User(r.user(), "CUSTOMER")
                : request instanceof Request.Login l ? new Result.User(l.user(), "CUSTOMER") : opened;
        FakeBankServer.Script hangUpAfterTheRequest = (in, out) -> {
            FakeBankServer.logIn(in, out, answer);
            in.next();
        };
        try (FakeBankServer server = new FakeBankServer(hangUpAfterTheRequest, FakeBankServer.answering(answer))) {
            CliRunner.Run run = CliRunner.run(env(server, null), home, "Bob", "create_account", "1001");
            assertEquals(0, run.exitCode(), run.err());
            List<Request> requests = server.logins();
            Request.Register register = assertInstanceOf(Request.Register.class, requests.get(0));
            assertEquals(List.of(register, requests.get(1), FakeBankServer.login("Bob"), requests.get(1)), requests);
            assertInstanceOf(Request.CreateAccount.class, requests.get(1));
        }
    }

    @Test
    void storageFailedLeavesTheOutcomeUnknownSoItExits75AndNamesTheKey() throws Exception {
        Failure failure = FakeBankServer.refuse(ErrorCode.STORAGE_FAILED, "the journal could not be forced to disk");
        try (FakeBankServer server = new FakeBankServer(FakeBankServer.answering(bank(r -> failure)))) {
            CliRunner.Run run = CliRunner.run(env(server, "pw"), home, "Alice", "transfer", "1001", "1002", "5");
            assertEquals(ExitCodes.UNAVAILABLE, run.exitCode());
            String key = IdempotencyKeys.of(server.logins().get(1));
            assertEquals(
                    "error: STORAGE_FAILED: the journal could not be forced to disk. Outcome unknown: it may or may not"
                            + " have taken effect. Its key is " + key + ": run the same command again with --key " + key
                            + " to finish it at most once, or look at the account's history to see whether it happened\n",
                    run.err());
        }
    }

    @Test
    void aDefiniteRefusalNamesNoKey() throws Exception {
        Failure failure = FakeBankServer.refuse(ErrorCode.KEY_REUSED, "key k was used for another request");
        try (FakeBankServer server = new FakeBankServer(FakeBankServer.answering(bank(r -> failure)))) {
            CliRunner.Run run = CliRunner.run(env(server, "pw"), home, "Alice", "deposit", "1001", "5", "--key", "k");
            assertEquals(ExitCodes.REFUSED, run.exitCode());
            assertEquals("error: KEY_REUSED: key k was used for another request\n", run.err());
            assertEquals(new Request.Deposit("1001", 500, "k"), server.logins().get(1));
        }
    }

    @Test
    void verifyOfSoundBooksIsOneLine() throws Exception {
        Result.Verify verified = new Result.Verify(true, 8_389, 8_389, 76, List.of(), 608, 12);
        try (FakeBankServer server = new FakeBankServer(FakeBankServer.answering(bank(r -> verified)))) {
            CliRunner.Run run = CliRunner.run(env(server, "pw"), home, "Audit", "verify");
            assertEquals(0, run.exitCode(), run.err());
            assertEquals(
                    "Books verified: 8,389 transactions re-read from the journal (checksums, hash chain, sequence,"
                            + " postings summing to 0), 76 accounts recounted: all equal to the live balances, as of tx 8389,"
                            + " in 608 ms; 12 security events checked in the chain\n",
                    run.out());
            assertEquals(new Request.Verify(), server.logins().get(1));
        }
    }

    @Test
    void booksThatDoNotVerifyListEveryProblemAndExit5() throws Exception {
        Result.Verify failed = new Result.Verify(
                false,
                12,
                12,
                20,
                List.of("tx 7: postings sum to 1.00, not 0", "account 1001: the journal says 500.00, the books 450.00"),
                3,
                0);
        try (FakeBankServer server = new FakeBankServer(FakeBankServer.answering(bank(r -> failed)))) {
            CliRunner.Run run = CliRunner.run(env(server, "pw"), home, "Audit", "verify");
            assertEquals(ExitCodes.UNVERIFIED, run.exitCode(), run.err());
            assertEquals("""
                    BOOKS DO NOT VERIFY:
                      tx 7: postings sum to 1.00, not 0
                      account 1001: the journal says 500.00, the books 450.00
                    (as of tx 12: 12 transactions re-read, 20 accounts recounted, in 3 ms)
                    """, run.out());
            assertEquals("", run.err());
        }
    }

    @Test
    void verifyJsonPrintsTheRawResultAndStillExits5WhenTheBooksDoNotVerify() throws Exception {
        Result.Verify failed = new Result.Verify(false, 1, 1, 17, List.of("bad"), 1, 0);
        try (FakeBankServer server = new FakeBankServer(FakeBankServer.answering(bank(r -> failed)))) {
            CliRunner.Run run = CliRunner.run(env(server, "pw"), home, "Audit", "verify", "--json");
            assertEquals(ExitCodes.UNVERIFIED, run.exitCode(), run.err());
            assertTrue(run.out().startsWith("{\n"), run.out());
            assertTrue(run.out().contains("\"ok\" : false"), run.out());
            assertTrue(run.out().contains("\"as_of\" : 1"), run.out());
            assertTrue(run.out().contains("\"problems\" : [ \"bad\" ]"), run.out());
        }
    }

    @Test
    void aBatchWhoseVerifyFailsExits5() throws Exception {
        Result.Verify failed = new Result.Verify(false, 1, 1, 17, List.of("bad"), 1, 0);
        Result.Account account = new Result.Account("1001", "CHECKING", "Alice", TIME, 0, null);
        try (FakeBankServer server = new FakeBankServer(
                FakeBankServer.answering(bank(r -> r instanceof Request.Verify ? failed : account)))) {
            CliRunner.Run run = CliRunner.run(
                    env(server, "pw"), home, "balance 1001\nverify\nbalance 1001\n", 5_000, "Audit", "batch");
            assertEquals(ExitCodes.UNVERIFIED, run.exitCode(), run.err());
            assertTrue(run.out().contains("BOOKS DO NOT VERIFY:\n  bad\n"), run.out());
        }
    }

    @Test
    void noServerExits75() throws IOException {
        Map<String, String> env =
                Map.of("BANK_PORT", Integer.toString(FakeBankServer.closedPort()), "BANK_PASSWORD", "pw");
        CliRunner.Run run = CliRunner.run(env, home, "Alice", "balance", "1001");
        assertEquals(ExitCodes.UNAVAILABLE, run.exitCode());
        assertTrue(run.err().startsWith("error: cannot connect to 127.0.0.1:"), run.err());
    }

    @Test
    void anInternalErrorIsIndefiniteSoItExits75() throws Exception {
        Failure failure = FakeBankServer.refuse(ErrorCode.INTERNAL_ERROR, "unknown outcome");
        try (FakeBankServer server = new FakeBankServer(FakeBankServer.answering(bank(r -> failure)))) {
            assertEquals(
                    ExitCodes.UNAVAILABLE,
                    CliRunner.run(env(server, "pw"), home, "Alice", "deposit", "1001", "1")
                            .exitCode());
        }
    }

    @Test
    void anUnexpectedResultShapeExits76() throws Exception {
        try (FakeBankServer server = new FakeBankServer(FakeBankServer.answering(bank(r -> Map.of("surprise", 1))))) {
            CliRunner.Run run = CliRunner.run(env(server, "pw"), home, "Alice", "balance", "1001");
            assertEquals(ExitCodes.PROTOCOL, run.exitCode(), run.err());
        }
    }

    @Test
    void passwordFileWinsOverTheEnvironment() throws Exception {
        Path file = Files.writeString(home.resolve("pw.txt"), "from-file\nignored\n");
        try (FakeBankServer server =
                new FakeBankServer(FakeBankServer.answering(bank(r -> deposit("1001", 1, 1, 1))))) {
            CliRunner.run(
                    env(server, "from-env"),
                    home,
                    "--password-file",
                    file.toString(),
                    "Alice",
                    "deposit",
                    "1001",
                    "0.01");
            assertEquals(FakeBankServer.login("Alice"), server.logins().get(0));
            assertEquals(List.of("from-file"), server.loggedInWith());
        }
    }

    @Test
    void createAccountWithNoPasswordRegistersSavesThePasswordAndUsesItNextTime() throws Exception {
        Result.Tx opened =
                new Result.Tx(1, TIME, "OPEN_ACCOUNT", 50_000, "1001", 50_000L, null, null, null, null, null, null);
        String password;
        int firstPort;
        try (FakeBankServer server =
                new FakeBankServer(FakeBankServer.answering(request -> request instanceof Request.Register r
                        ? new Result.User(r.user(), "CUSTOMER")
                        : request instanceof Request.Login l ? new Result.User(l.user(), "CUSTOMER") : opened))) {
            CliRunner.Run run = CliRunner.run(env(server, null), home, "Alice", "create_account", "1001", "500");
            assertEquals(0, run.exitCode(), run.err());
            assertEquals("Opened 1001 with 500.00: balance 500.00 (tx 1)\n", run.out());
            List<Request> requests = server.logins();
            // register logs the connection in (docs/protocol.md): no login follows it.
            assertEquals(2, requests.size());
            Request.Register register = assertInstanceOf(Request.Register.class, requests.get(0));
            firstPort = server.port();
            assertEquals(new Request.CreateAccount("1001", 50_000L), FakeBankServer.withoutKey(requests.get(1)));
            password = savedKeys(server.port(), "Alice", register);
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(credentials())));
            assertEquals(
                    "rwx------",
                    PosixFilePermissions.toString(
                            Files.getPosixFilePermissions(credentials().getParent())));
            assertEquals(1, run.err().lines().count(), run.err());
            assertTrue(run.err().contains("saved in " + credentials()), run.err());
            assertFalse(run.err().contains(password) || run.out().contains(password), "the password was printed");
        }
        // The next command finds the saved password by itself.
        try (FakeBankServer server =
                new FakeBankServer(FakeBankServer.answering(bank(r -> deposit("1001", 100, 50_100, 2))))) {
            Map<String, String> env = env(server, null);
            Files.writeString(credentials(), Files.readString(credentials()).replace(":" + firstPort + ":", ":*:"));
            CliRunner.Run run = CliRunner.run(env, home, "Alice", "deposit", "1001", "1");
            assertEquals(0, run.exitCode(), run.err());
            assertEquals(FakeBankServer.login("Alice"), server.logins().get(0));
            assertEquals(List.of("registered"), server.loggedInWith(), "with the saved keys");
        }
    }

    /**
     * The one credentials line, for {@code user} at {@code port}: the SCRAM keys (never a password) whose verifier is
     * the one {@code register} sent, made with the least stretching (a random secret needs none). Returns it.
     */
    private String savedKeys(int port, String user, Request.Register register) throws IOException {
        List<String> lines = Files.readAllLines(credentials());
        assertEquals(1, lines.size(), lines::toString);
        List<String> fields = CredentialsFile.split(lines.get(0));
        assertEquals(List.of("127.0.0.1", Integer.toString(port), user), fields.subList(0, 3));
        Scram.ClientKeys keys = Scram.ClientKeys.decode(fields.get(3)).orElseThrow();
        assertEquals(register.storedKey(), Scram.base64(keys.verifier().storedKey()));
        assertEquals(register.serverKey(), Scram.base64(keys.serverKey()));
        assertEquals(Scram.RANDOM_SECRET_ITERATIONS, register.iterations());
        return fields.get(3);
    }

    /** A person opening an empty account types 0: it is no opening deposit, not a usage error. */
    @ParameterizedTest
    @ValueSource(strings = {"0", "0.00"})
    void createAccountWithZeroOpensAnEmptyAccount(String zero) throws Exception {
        Result.Tx opened = new Result.Tx(3, TIME, "OPEN_ACCOUNT", 0, "1002", 0L, null, null, null, null, null, null);
        try (FakeBankServer server = new FakeBankServer(FakeBankServer.answering(bank(r -> opened)))) {
            CliRunner.Run run = CliRunner.run(env(server, "pw"), home, "Bob", "create_account", "1002", zero);
            assertEquals(0, run.exitCode(), run.err());
            assertEquals("Opened 1002: balance 0.00 (tx 3)\n", run.out());
            assertEquals(
                    new Request.CreateAccount("1002", null),
                    FakeBankServer.withoutKey(server.logins().get(1)));
        }
    }

    /**
     * With HOME pointing elsewhere (sudo -u, a test harness, a container), the client enrols into and reads from
     * $HOME/.abcbank/credentials, not the home that user.home names.
     */
    @Test
    void theCredentialsFileFollowsHome(@TempDir Path otherHome) throws Exception {
        Result.Tx opened = new Result.Tx(1, TIME, "OPEN_ACCOUNT", 0, "1001", 0L, null, null, null, null, null, null);
        try (FakeBankServer server = new FakeBankServer(FakeBankServer.answering(
                request -> request instanceof Request.Register r ? new Result.User(r.user(), "CUSTOMER") : opened))) {
            Map<String, String> env =
                    Map.of("BANK_PORT", Integer.toString(server.port()), "HOME", otherHome.toString());
            CliRunner.Run run = CliRunner.run(env, home, "Alice", "create_account", "1001");
            assertEquals(0, run.exitCode(), run.err());
            Path saved = otherHome.resolve(".abcbank").resolve("credentials");
            assertTrue(run.err().contains("saved in " + saved), run.err());
            assertEquals(1, Files.readAllLines(saved).size());
            assertFalse(Files.exists(credentials()), "written under user.home, not $HOME");
        }
    }

    @Test
    void aRefusedEnrolmentTakesTheSavedPasswordOutAgainAndExits4() throws Exception {
        Failure taken = FakeBankServer.refuse(ErrorCode.USER_EXISTS, "user Alice exists");
        try (FakeBankServer server = new FakeBankServer(FakeBankServer.answering(r -> taken))) {
            CliRunner.Run run = CliRunner.run(env(server, null), home, "Alice", "create_account", "1001");
            assertEquals(ExitCodes.AUTH, run.exitCode());
            assertTrue(run.err().startsWith("error: USER_EXISTS: user Alice exists; no password for Alice"), run.err());
            assertEquals(List.of(), Files.readAllLines(credentials()));
            assertEquals(1, server.logins().size());
        }
    }

    @Test
    void registerUsesTheGivenPasswordAndSavesNothing() throws Exception {
        try (FakeBankServer server =
                new FakeBankServer(FakeBankServer.answering(r -> new Result.User("Alice", "CUSTOMER")))) {
            CliRunner.Run run = CliRunner.run(env(server, "chosen-password"), home, "Alice", "register");
            assertEquals(0, run.exitCode(), run.err());
            assertEquals("Registered Alice (customer)\n", run.out());
            Request.Register sent =
                    assertInstanceOf(Request.Register.class, server.logins().get(0));
            assertEquals(1, server.logins().size());
            assertEquals(Scram.PASSWORD_ITERATIONS, sent.iterations(), "a person's password is stretched");
            Scram.Verifier expected = Scram.derive(
                            "chosen-password".toCharArray(), Scram.fromBase64(sent.salt()), sent.iterations())
                    .verifier();
            assertEquals(Scram.base64(expected.storedKey()), sent.storedKey(), "the verifier of the given password");
            assertFalse(Files.exists(credentials()));
        }
    }

    @Test
    void registerWithNoPasswordMakesOneAndSavesIt() throws Exception {
        try (FakeBankServer server =
                new FakeBankServer(FakeBankServer.answering(r -> new Result.User("Carol", "CUSTOMER")))) {
            CliRunner.Run run = CliRunner.run(env(server, null), home, "Carol", "register");
            assertEquals(0, run.exitCode(), run.err());
            assertEquals("Registered Carol (customer)\n", run.out());
            Request.Register sent =
                    assertInstanceOf(Request.Register.class, server.logins().get(0));
            String keys = savedKeys(server.port(), "Carol", sent);
            assertFalse(run.err().contains(keys) || run.out().contains(keys));
        }
    }

    @Test
    void anInsecureCredentialsFileIsNeitherReadNorWrittenAndNothingIsRegistered() throws Exception {
        Files.createDirectories(credentials().getParent());
        Files.writeString(credentials(), "*:*:Alice:exposed\n");
        Files.setPosixFilePermissions(credentials(), PosixFilePermissions.fromString("rw-r--r--"));
        try (FakeBankServer server =
                new FakeBankServer(FakeBankServer.answering(r -> new Result.User("Alice", "CUSTOMER")))) {
            CliRunner.Run run = CliRunner.run(env(server, null), home, "Alice", "create_account", "1001");
            assertEquals(ExitCodes.AUTH, run.exitCode());
            assertTrue(run.err().startsWith("warning: ignoring credentials file " + credentials()), run.err());
            assertTrue(run.err().contains("error: cannot save the new keys of Alice: refusing to write to"), run.err());
            assertEquals(List.of(), server.logins());
            assertEquals("*:*:Alice:exposed\n", Files.readString(credentials()));
        }
    }

    @Test
    void registerOfATakenNameExits3() throws Exception {
        Failure taken = FakeBankServer.refuse(ErrorCode.USER_EXISTS, "user Alice exists");
        try (FakeBankServer server = new FakeBankServer(FakeBankServer.answering(r -> taken))) {
            assertEquals(
                    ExitCodes.REFUSED,
                    CliRunner.run(env(server, "chosen-password"), home, "Alice", "register")
                            .exitCode());
        }
    }

    @Test
    void historyAllFollowsTheCursorAndPrintsOneAlignedTable() throws Exception {
        Function<Request, Object> pages = bank(request -> {
            Request.History h = (Request.History) request;
            return h.after() == null
                    ? new Result.History(
                            "1001",
                            List.of(
                                    new Result.Entry(1, TIME, "OPEN_ACCOUNT", "Alice", 50_000, "VAULT-03", 50_000),
                                    new Result.Entry(2, TIME, "WITHDRAW", "Alice", -5_000, "VAULT-03", 45_000)),
                            2L)
                    : new Result.History(
                            "1001",
                            List.of(new Result.Entry(9, TIME, "TRANSFER", "Alice", -123_456, "1002", 1_000)),
                            null);
        });
        try (FakeBankServer server = new FakeBankServer(FakeBankServer.answering(pages))) {
            CliRunner.Run run =
                    CliRunner.run(env(server, "pw"), home, "Alice", "history", "1001", "--all", "--limit", "2");
            assertEquals(0, run.exitCode(), run.err());
            assertEquals("""
                    TX  TIME                  TYPE          BY        AMOUNT  COUNTERPARTY  BALANCE
                     1  2026-11-23 10:00:00Z  open_account  Alice     500.00  VAULT-03       500.00
                     2  2026-11-23 10:00:00Z  withdraw      Alice     -50.00  VAULT-03       450.00
                     9  2026-11-23 10:00:00Z  transfer      Alice  -1,234.56  1002            10.00
                    """, run.out());
            assertEquals(
                    List.of(new Request.History("1001", null, 2), new Request.History("1001", 2L, 2)),
                    server.logins().subList(1, 3));
        }
    }

    @Test
    void oneHistoryPageSaysWhereTheNextStarts() throws Exception {
        Result.History page = new Result.History(
                "1001", List.of(new Result.Entry(1, TIME, "DEPOSIT", "Bob", 100, "VAULT-03", 100)), 1L);
        try (FakeBankServer server = new FakeBankServer(FakeBankServer.answering(bank(r -> page)))) {
            CliRunner.Run run = CliRunner.run(env(server, "pw"), home, "Alice", "history", "1001", "--limit", "1");
            assertTrue(run.out().endsWith("(more: --after 1, or --all)\n"), run.out());
        }
    }

    @Test
    void showHistoryPrintsAPostingPerRowAndTheTransactionOnce() throws Exception {
        Result.Transactions page = new Result.Transactions(
                List.of(
                        new Result.Transaction(
                                7,
                                TIME,
                                "TRANSFER",
                                "Alice",
                                null,
                                List.of(
                                        new Result.Posting("1001", -5_000, 45_000),
                                        new Result.Posting("1002", 5_000, 5_000)),
                                null),
                        new Result.Transaction(8, TIME, "OPEN_ACCOUNT", "Bob", "2001", List.of(), null)),
                null);
        try (FakeBankServer server = new FakeBankServer(FakeBankServer.answering(bank(r -> page)))) {
            CliRunner.Run run = CliRunner.run(env(server, "pw"), home, "Audit", "show_history", "--user", "Alice");
            assertEquals(0, run.exitCode(), run.err());
            assertEquals("""
                    TX  TIME                  TYPE          BY     ACCOUNT  AMOUNT  BALANCE
                     7  2026-11-23 10:00:00Z  transfer      Alice  1001     -50.00   450.00
                                                                   1002      50.00    50.00
                     8  2026-11-23 10:00:00Z  open_account  Bob    2001
                    """, run.out());
            assertEquals(
                    new Request.ShowHistory(null, null, null, "Alice", null, null),
                    server.logins().get(1));
        }
    }

    @Test
    void showSecurityEventsPrintsAnEventPerRowAndSaysWhereToGoOn() throws Exception {
        Result.SecurityEvents page = new Result.SecurityEvents(
                List.of(
                        new Result.SecurityEvent(1, TIME, "LOGIN_FAILED", "Alice", "10.0.0.9", "", 1),
                        new Result.SecurityEvent(
                                2, TIME, "OPERATION_DENIED", "Bob", "127.0.0.1", "report FORBIDDEN", 42)),
                2L);
        try (FakeBankServer server = new FakeBankServer(FakeBankServer.answering(bank(r -> page)))) {
            CliRunner.Run run = CliRunner.run(
                    env(server, "pw"),
                    home,
                    "Audit",
                    "show_security_events",
                    "--kind",
                    "OPERATION_DENIED",
                    "--limit",
                    "2");
            assertEquals(0, run.exitCode(), run.err());
            assertEquals("""
                    EVENT  TIME                  KIND              USER   ADDRESS    TIMES  DETAIL
                        1  2026-11-23 10:00:00Z  login_failed      Alice  10.0.0.9       1
                        2  2026-11-23 10:00:00Z  operation_denied  Bob    127.0.0.1     42  report FORBIDDEN
                    (more: --after 2, or --all)
                    """, run.out());
            assertEquals(
                    new Request.ShowSecurityEvents(null, 2, "OPERATION_DENIED", null, null, null),
                    server.logins().get(1));
        }
    }

    @Test
    void showAccountholdersListsEveryAccountAndCustomersWithoutOne() throws Exception {
        Result.Holders holders = new Result.Holders(List.of(
                new Result.Holder(
                        "Alice",
                        List.of(
                                new Result.Account("1001", "CHECKING", "Alice", TIME, 45_000, null),
                                new Result.Account("L100001", "LOAN", "Alice", TIME, -100_000, 100_000L))),
                new Result.Holder("Bob", List.of())));
        try (FakeBankServer server = new FakeBankServer(FakeBankServer.answering(bank(r -> holders)))) {
            CliRunner.Run run = CliRunner.run(env(server, "pw"), home, "Audit", "show_accountholders");
            assertEquals("""
                    USER   ACCOUNT  KIND      OPENED                  BALANCE  OUTSTANDING
                    Alice  1001     checking  2026-11-23 10:00:00Z     450.00
                    Alice  L100001  loan      2026-11-23 10:00:00Z  -1,000.00     1,000.00
                    Bob
                    """, run.out());
        }
    }

    @Test
    void reportSaysWhetherTheBooksBalance() throws Exception {
        Result.Report report = new Result.Report(
                0,
                true,
                9,
                9,
                2,
                Map.of("checking", 145_000L, "loan", -100_000L, "internal", -45_000L),
                Map.of("checking", 2, "loan", 1, "internal", 16),
                100_000,
                List.of(new Result.Account("VAULT-00", "INTERNAL", "bank", TIME, -45_000, null)));
        try (FakeBankServer server = new FakeBankServer(FakeBankServer.answering(bank(r -> report)))) {
            CliRunner.Run run = CliRunner.run(env(server, "pw"), home, "Audit", "report");
            assertEquals(0, run.exitCode(), run.err());
            assertEquals("""
                    Books balance: all balances sum to 0.00 as of tx 9 (9 transactions, 2 customers)
                    KIND      ACCOUNTS      TOTAL
                    checking         2   1,450.00
                    loan             1  -1,000.00
                    internal        16    -450.00
                    Outstanding loans: 1,000.00

                    INTERNAL  BALANCE
                    VAULT-00  -450.00
                    """, run.out());
        }
    }

    @Test
    void batchPipelinesOverOneLoginAndPrintsInOrder() throws Exception {
        int count = 150;
        StringBuilder script = new StringBuilder("# deposits\n");
        IntStream.range(0, count)
                .forEach(i -> script.append("deposit ")
                        .append(1000 + i)
                        .append(' ')
                        .append(i + 1)
                        .append('\n'));
        Function<Request, Object> answer = bank(request -> {
            Request.Deposit d = (Request.Deposit) request;
            return deposit(d.account(), d.amount(), d.amount(), d.amount());
        });
        // Login, then a whole window read before any answer: passes only if the client pipelines.
        FakeBankServer.Script pipelined = (in, out) -> {
            FakeBankServer.logIn(in, out, answer);
            List<String> window = new ArrayList<>();
            for (int i = 0; i < BatchCommand.WINDOW; i++) {
                window.add(in.next());
            }
            window.forEach(line -> out.println(FakeBankServer.reply(line, answer)));
            FakeBankServer.answerUntilClosed(in, out, answer);
        };
        try (FakeBankServer server = new FakeBankServer(pipelined)) {
            CliRunner.Run run = CliRunner.run(env(server, "pw"), home, script.toString(), 5_000, "Alice", "batch", "-");
            assertEquals(0, run.exitCode(), run.err());
            List<String> lines = run.out().lines().toList();
            assertEquals(count, lines.size());
            for (int i = 0; i < count; i++) {
                String amount = com.abcbank.ledger.Money.format((i + 1) * 100L);
                assertEquals(
                        "Deposited " + amount + " to " + (1000 + i) + ": balance " + amount + " (tx " + (i + 1) * 100
                                + ")",
                        lines.get(i));
            }
            assertTrue(run.err().matches("batch: 150 ok, 0 refused in \\d+ ms\\R"), run.err());
            List<Request> requests = server.logins();
            assertEquals(count + 1, requests.size());
            assertEquals(
                    1, requests.stream().filter(r -> r instanceof Request.Login).count());
        }
    }

    @Test
    void batchCountsRefusalsByCodeAndExits3() throws Exception {
        Function<Request, Object> answer = bank(request -> request instanceof Request.Withdraw w
                ? FakeBankServer.refuse(ErrorCode.INSUFFICIENT_FUNDS, "not enough in " + w.account())
                : request instanceof Request.Balance b
                        ? FakeBankServer.refuse(ErrorCode.UNKNOWN_ACCOUNT, "no account " + b.account())
                        : deposit("1001", 100, 100, 1));
        String script = "deposit 1001 1\nwithdraw 1001 5\n\nwithdraw 1001 6\nbalance 9999\n";
        try (FakeBankServer server = new FakeBankServer(FakeBankServer.answering(answer))) {
            Path file = Files.writeString(home.resolve("jobs"), script);
            CliRunner.Run run = CliRunner.run(env(server, "pw"), home, "Alice", "batch", file.toString());
            assertEquals(ExitCodes.REFUSED, run.exitCode());
            assertEquals("Deposited 1.00 to 1001: balance 1.00 (tx 1)\n", run.out());
            List<String> err = run.err().lines().toList();
            assertEquals(
                    List.of(
                            "line 2: error: INSUFFICIENT_FUNDS: not enough in 1001",
                            "line 4: error: INSUFFICIENT_FUNDS: not enough in 1001",
                            "line 5: error: UNKNOWN_ACCOUNT: no account 9999"),
                    err.subList(0, 3));
            assertTrue(
                    err.get(3)
                            .matches(
                                    "batch: 1 ok, 3 refused \\(INSUFFICIENT_FUNDS x 2, UNKNOWN_ACCOUNT x 1\\) in \\d+ ms"),
                    err.get(3));
        }
    }

    @Test
    void batchJsonPrintsOneReplyPerLineWithTheLineNumberAsId() throws Exception {
        Function<Request, Object> answer = bank(request -> request instanceof Request.Withdraw
                ? FakeBankServer.refuse(ErrorCode.FORBIDDEN, "not yours")
                : deposit("1001", 100, 100, 1));
        try (FakeBankServer server = new FakeBankServer(FakeBankServer.answering(answer))) {
            CliRunner.Run run = CliRunner.run(
                    env(server, "pw"),
                    home,
                    "# c\ndeposit 1001 1\nwithdraw 1001 1\n",
                    5_000,
                    "--json",
                    "Alice",
                    "batch");
            assertEquals(
                    List.of(
                            "{\"id\":2,\"ok\":true,\"result\":{\"tx\":1,\"time\":\"2026-11-23T10:00:00.123456789Z\",\"type\":\"DEPOSIT\","
                                    + "\"amount\":100,\"account\":\"1001\",\"balance\":100}}",
                            "{\"id\":3,\"ok\":false,\"error\":{\"code\":\"FORBIDDEN\",\"message\":\"not yours\"}}"),
                    run.out().lines().toList());
        }
    }

    @Test
    void batchThatLosesTheConnectionTwiceExits75AndCountsWhatWasUnanswered() throws Exception {
        Function<Request, Object> answer = bank(r -> deposit("1001", 100, 100, 1));
        FakeBankServer.Script twoThenHangUp = (in, out) -> {
            FakeBankServer.logIn(in, out, answer); // login
            List<String> batch = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                batch.add(in.next()); // all five lines come at once: pipelined
            }
            batch.subList(0, 2).forEach(line -> out.println(FakeBankServer.reply(line, answer)));
        };
        try (FakeBankServer server = new FakeBankServer(twoThenHangUp)) { // and then refuses the reconnect
            CliRunner.Run run =
                    CliRunner.run(env(server, "pw"), home, "deposit 1001 1\n".repeat(5), 5_000, "Alice", "batch");
            assertEquals(ExitCodes.UNAVAILABLE, run.exitCode(), run.err());
            assertEquals(2, run.out().lines().count());
            List<String> err = run.err().lines().toList();
            assertTrue(
                    err.get(0)
                            .startsWith(
                                    "note: 127.0.0.1:" + server.port() + " closed the connection with line 3"
                                            + " unanswered; connecting again to send the 3 requests without an answer once more"),
                    run.err());
            assertTrue(err.get(1).startsWith("error: cannot connect to 127.0.0.1:"), run.err());
            assertTrue(err.get(1).endsWith("; the connection broke a second time, so the batch stops here"), run.err());
            // All five were sent at once (pipelined); the server read them all, so three have unknown outcomes.
            List<Request> requests = server.logins();
            for (int line = 3; line <= 5; line++) {
                String key = IdempotencyKeys.of(requests.get(line));
                assertEquals(
                        "line " + line + ": outcome unknown: may or may not have taken effect; its key is " + key
                                + " (run it again with --key " + key + " to finish it at most once)",
                        err.get(line - 1));
            }
            assertTrue(err.get(5).matches("batch: 2 ok, 0 refused, 3 unanswered in \\d+ ms"), run.err());
            assertEquals(6, err.size(), run.err());
        }
    }

    @Test
    void batchThatLosesTheConnectionOnceSendsTheUnansweredLinesAgainWithTheirKeys() throws Exception {
        Function<Request, Object> answer = bank(request -> {
            Request.Deposit d = (Request.Deposit) request;
            return deposit(d.account(), d.amount(), d.amount(), d.amount());
        });
        FakeBankServer.Script twoThenHangUp = (in, out) -> {
            FakeBankServer.logIn(in, out, answer); // login
            List<String> batch = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                batch.add(in.next()); // all five lines come at once: pipelined
            }
            batch.subList(0, 2).forEach(line -> out.println(FakeBankServer.reply(line, answer)));
        };
        String script = "deposit 1001 1\ndeposit 1001 2\nbalance 1001\ndeposit 1001 3\ndeposit 1001 4\n";
        Result.Account account = new Result.Account("1001", "CHECKING", "Alice", TIME, 300, null);
        Function<Request, Object> second =
                request -> request instanceof Request.Balance ? account : answer.apply(request);
        try (FakeBankServer server = new FakeBankServer(twoThenHangUp, FakeBankServer.answering(second))) {
            CliRunner.Run run = CliRunner.run(env(server, "pw"), home, script, 5_000, "Alice", "batch");
            assertEquals(0, run.exitCode(), run.err());
            assertEquals(
                    List.of(
                            "Deposited 1.00 to 1001: balance 1.00 (tx 100)",
                            "Deposited 2.00 to 1001: balance 2.00 (tx 200)",
                            "1001 (checking, Alice): balance 3.00",
                            "Deposited 3.00 to 1001: balance 3.00 (tx 300)",
                            "Deposited 4.00 to 1001: balance 4.00 (tx 400)"),
                    run.out().lines().toList());
            List<Request> requests = server.logins();
            // First connection: login and all five (pipelined); second: login and the three without an answer.
            assertEquals(requests.subList(3, 6), requests.subList(7, 10));
            assertInstanceOf(Request.Login.class, requests.get(6));
            assertTrue(run.err().lines().anyMatch(l -> l.matches("batch: 5 ok, 0 refused in \\d+ ms")), run.err());
        }
    }

    @Test
    void batchWithCreateAccountEnrolsAUserWithNoPassword() throws Exception {
        Function<Request, Object> answer = request -> request instanceof Request.Register r
                ? new Result.User(r.user(), "CUSTOMER")
                : request instanceof Request.Login l
                        ? new Result.User(l.user(), "CUSTOMER")
                        : new Result.Tx(1, TIME, "OPEN_ACCOUNT", 0, "1001", 0L, null, null, null, null, null, null);
        try (FakeBankServer server = new FakeBankServer(FakeBankServer.answering(answer))) {
            CliRunner.Run run = CliRunner.run(env(server, null), home, "create_account 1001\n", 5_000, "Bob", "batch");
            assertEquals(0, run.exitCode(), run.err());
            assertEquals("Opened 1001: balance 0.00 (tx 1)\n", run.out());
            List<Request> requests = server.logins();
            assertInstanceOf(Request.Register.class, requests.get(0));
            assertNotEquals(-1, Files.readString(credentials()).indexOf(":Bob:"));
        }
    }
}
