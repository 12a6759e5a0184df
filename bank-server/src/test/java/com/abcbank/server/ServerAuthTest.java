package com.abcbank.server;

import static com.abcbank.server.TestServer.PASSWORD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abcbank.ledger.ErrorCode;
import com.abcbank.protocol.Failure;
import com.abcbank.protocol.Reply;
import com.abcbank.protocol.Request;
import com.abcbank.protocol.Result;
import com.abcbank.protocol.Scram;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Who may do what, over the wire: customers touch only their own money and statements, the auditor sees
 * everything and moves nothing, nothing happens before login, and passwords are guarded (same error for a
 * wrong password and an unknown user, throttling, hashes only on disk, users kept across a restart).
 *
 * <p>Every refusal is checked to have changed nothing: {@link TestServer#books()} before and after.
 *
 * <p>The bank: Alice holds checking 1001 (400.00) and loan L100001; Bob holds checking 2001 (300.00) and loan
 * L100002.
 */
class ServerAuthTest {
    @TempDir
    Path dataDir;
    /** The server's clock: throttling waits pass when the test moves it, not when real time does. */
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));

    private TestServer bank;
    private TestClient alice;
    private TestClient bob;

    @BeforeEach
    void start() throws IOException {
        bank = TestServer.start(TestServer.config(dataDir), clock);
        alice = bank.customer("Alice");
        bob = bank.customer("Bob");
        alice.ok(new Request.CreateAccount("1001", 30_000L), Result.Tx.class);
        alice.ok(new Request.ApplyLoan("1001", 10_000), Result.Tx.class);
        bob.ok(new Request.CreateAccount("2001", 20_000L), Result.Tx.class);
        bob.ok(new Request.ApplyLoan("2001", 10_000), Result.Tx.class);
        assertEquals("Bob", bob.balance("L100002").owner());
    }

    @AfterEach
    void stop() {
        bank.close();
    }

    // ------------------------------------------------------------ before login

    static Stream<Arguments> everyOpButRegisterAndLogin() {
        return Stream.of(
                        new Request.CreateAccount("3001", 100L),
                        new Request.Deposit("1001", 100),
                        new Request.Withdraw("1001", 100),
                        new Request.Transfer("1001", "2001", 100),
                        new Request.ApplyLoan("1001", 100),
                        new Request.PayLoanCheck("L100001", 100),
                        new Request.PayLoanTransfer("1001", "L100001", 100),
                        new Request.Balance("1001"),
                        new Request.History("1001", null, null),
                        new Request.ShowAccountholders(),
                        new Request.ShowHistory(null, null, null, null, null, null),
                        new Request.Report())
                .map(request -> Arguments.of(request.getClass().getSimpleName(), request));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyOpButRegisterAndLogin")
    void everyOpBeforeLoginIsUnauthenticatedAndChangesNothing(String op, Request request) throws IOException {
        JsonNode before = bank.books();
        TestClient stranger = bank.connect();
        assertEquals(ErrorCode.UNAUTHENTICATED, stranger.error(request));
        assertEquals(before, bank.books());
        stranger.login("Alice", PASSWORD); // and the connection goes on
        assertEquals(40_000, stranger.balance("1001").balance());
    }

    @Test
    void aFailedLoginOrRegisterLeavesTheConnectionUnauthenticated() throws IOException {
        TestClient stranger = bank.connect();
        assertEquals(ErrorCode.BAD_CREDENTIALS, stranger.loginError("Alice", "wrong-password"));
        assertEquals(ErrorCode.UNAUTHENTICATED, stranger.error(new Request.Balance("1001")));
        assertEquals(ErrorCode.USER_EXISTS, stranger.error(TestClient.registration("Alice", PASSWORD)));
        assertEquals(ErrorCode.UNAUTHENTICATED, stranger.error(new Request.Balance("1001")));
        Request.Register tooCheap = TestClient.registration("Carol", PASSWORD);
        assertEquals(
                ErrorCode.INVALID_USER,
                stranger.error(new Request.Register(
                        "Carol", tooCheap.salt(), 1000, tooCheap.storedKey(), tooCheap.serverKey())));
        assertEquals(ErrorCode.UNAUTHENTICATED, stranger.error(new Request.Balance("1001")));
    }

    // ------------------------------------------------------------ customers

    @Test
    void aCustomerMovesNoMoneyOutOfAnotherCustomersAccounts() throws IOException {
        JsonNode before = bank.books();
        assertEquals(ErrorCode.FORBIDDEN, alice.error(new Request.Withdraw("2001", 100)));
        assertEquals(ErrorCode.FORBIDDEN, alice.error(new Request.Transfer("2001", "1001", 100)));
        assertEquals(ErrorCode.FORBIDDEN, alice.error(new Request.PayLoanTransfer("2001", "L100002", 100)));
        assertEquals(ErrorCode.FORBIDDEN, alice.error(new Request.PayLoanTransfer("2001", "L100001", 100)));
        assertEquals(ErrorCode.FORBIDDEN, alice.error(new Request.ApplyLoan("2001", 100)), "a loan into Bob's account");
        assertEquals(before, bank.books());
    }

    @Test
    void aCustomerCannotSeeAnotherCustomersBalanceOrHistory() throws IOException {
        JsonNode before = bank.books();
        assertEquals(ErrorCode.FORBIDDEN, alice.error(new Request.Balance("2001")));
        assertEquals(ErrorCode.FORBIDDEN, alice.error(new Request.Balance("L100002")));
        assertEquals(ErrorCode.FORBIDDEN, alice.error(new Request.History("2001", null, null)));
        assertEquals(ErrorCode.FORBIDDEN, alice.error(new Request.History("L100002", 0L, 10)));
        assertEquals(before, bank.books());
    }

    @Test
    void bankWideViewsAreForTheAuditorOnly() throws IOException {
        assertEquals(ErrorCode.FORBIDDEN, alice.error(new Request.ShowAccountholders()));
        assertEquals(ErrorCode.FORBIDDEN, alice.error(new Request.ShowHistory(null, null, null, null, null, null)));
        assertEquals(
                ErrorCode.FORBIDDEN,
                alice.error(new Request.ShowHistory(null, 10, "1001", "Alice", null, null)),
                "not even filtered to her own account");
        assertEquals(ErrorCode.FORBIDDEN, alice.error(new Request.Report()));
    }

    @Test
    void anyCustomerMayPayIntoAnotherCustomersAccountOrLoan() throws IOException {
        assertEquals(
                30_100,
                alice.ok(new Request.Deposit("2001", 100), Result.Tx.class).balance());
        assertEquals(
                30_300,
                alice.ok(new Request.Transfer("1001", "2001", 200), Result.Tx.class)
                        .toBalance());
        assertEquals(
                9_700,
                alice.ok(new Request.PayLoanCheck("L100002", 300), Result.Tx.class)
                        .outstanding());
        assertEquals(
                9_300,
                alice.ok(new Request.PayLoanTransfer("1001", "L100002", 400), Result.Tx.class)
                        .outstanding(),
                "from her own account into his loan");
        assertEquals(30_300, bob.balance("2001").balance());
        assertEquals(39_400, alice.balance("1001").balance());
    }

    @Test
    void aConnectionThatLogsInAgainActsAsTheNewUser() throws IOException {
        TestClient shared = bank.connect();
        shared.login("Alice", PASSWORD);
        assertEquals(40_000, shared.balance("1001").balance());
        assertEquals(new Result.User("Bob", "CUSTOMER"), shared.login("Bob", PASSWORD));
        assertEquals(ErrorCode.FORBIDDEN, shared.error(new Request.Balance("1001")));
        assertEquals(ErrorCode.FORBIDDEN, shared.error(new Request.Withdraw("1001", 1)));
        assertEquals(30_000, shared.balance("2001").balance());
    }

    // ------------------------------------------------------------ the auditor

    @Test
    void theAuditorSeesEveryAccountAndEveryView() throws IOException {
        TestClient audit = bank.audit();
        for (String account : List.of("1001", "L100001", "2001", "L100002", "VAULT-00")) {
            assertEquals(account, audit.balance(account).account());
            assertFalse(
                    audit.ok(new Request.History(account, null, null), Result.History.class)
                            .entries()
                            .isEmpty(),
                    account);
        }
        assertEquals(
                List.of("Alice", "Bob"),
                audit.ok(new Request.ShowAccountholders(), Result.Holders.class).holders().stream()
                        .map(Result.Holder::user)
                        .toList());
        assertEquals(
                4,
                audit.ok(new Request.ShowHistory(null, null, null, null, null, null), Result.Transactions.class)
                        .entries()
                        .size());
        assertEquals(0, audit.report().sum());
    }

    @Test
    void theAuditorMovesNoMoneyAndHoldsNoAccounts() throws IOException {
        TestClient audit = bank.audit();
        JsonNode before = bank.books();
        assertEquals(ErrorCode.FORBIDDEN, audit.error(new Request.CreateAccount("9001", null)));
        assertEquals(ErrorCode.FORBIDDEN, audit.error(new Request.CreateAccount("9002", 100L)));
        assertEquals(ErrorCode.FORBIDDEN, audit.error(new Request.Deposit("1001", 100)));
        assertEquals(ErrorCode.FORBIDDEN, audit.error(new Request.Withdraw("1001", 100)));
        assertEquals(ErrorCode.FORBIDDEN, audit.error(new Request.Transfer("1001", "2001", 100)));
        assertEquals(ErrorCode.FORBIDDEN, audit.error(new Request.ApplyLoan("1001", 100)));
        assertEquals(ErrorCode.FORBIDDEN, audit.error(new Request.PayLoanCheck("L100001", 100)));
        assertEquals(ErrorCode.FORBIDDEN, audit.error(new Request.PayLoanTransfer("1001", "L100001", 100)));
        assertEquals(before, bank.books());
    }

    // ------------------------------------------------------------ passwords

    @Test
    void aWrongPasswordAndAnUnknownUserAreTheSameError() throws IOException {
        TestClient stranger = bank.connect();
        Failure wrongPassword = stranger.loginFailure("Alice", "not-her-password");
        Failure unknownUser = stranger.loginFailure("Mallory", PASSWORD);
        Failure wrongAuditor = stranger.loginFailure("Audit", PASSWORD);
        assertEquals(ErrorCode.BAD_CREDENTIALS, wrongPassword.code());
        assertEquals(ErrorCode.BAD_CREDENTIALS, unknownUser.code());
        assertEquals(ErrorCode.BAD_CREDENTIALS, wrongAuditor.code());
        assertEquals(wrongPassword.message(), unknownUser.message(), "the message must not tell which names exist");
    }

    @Test
    void afterFiveFailuresTheSixthAttemptIsThrottledEvenWithTheRightPassword() throws IOException {
        TestClient guesser = bank.connect();
        for (int i = 1; i <= 5; i++) {
            assertEquals(ErrorCode.BAD_CREDENTIALS, guesser.loginError("Alice", "guess-number-" + i), "attempt " + i);
        }
        Reply sixth = guesser.loginCall("Alice", PASSWORD);
        assertFalse(
                sixth.ok(),
                "docs/protocol.md: after 5 failures in a row for one user name, each further attempt"
                        + " must wait; until then THROTTLED, even with the right password. The 6th attempt logged in.");
        assertEquals(ErrorCode.THROTTLED, sixth.error().code());
        assertTrue(sixth.error().message().contains("retry in"), sixth.error().message());
        assertEquals(ErrorCode.UNAUTHENTICATED, guesser.error(new Request.Balance("1001")));
        assertEquals("Bob", bank.connect().login("Bob", PASSWORD).user(), "the throttle is per user name");
    }

    @Test
    void twentyGuessesAtTheSameMomentGetNoMoreThanTheBudgetChecked() throws Exception {
        int guessers = 20;
        List<TestClient> connections = new ArrayList<>();
        for (int i = 0; i < guessers; i++) {
            connections.add(bank.connect());
        }
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<ErrorCode>> guesses = new ArrayList<>();
        for (int i = 0; i < guessers; i++) {
            TestClient connection = connections.get(i);
            String guess = "parallel-guess-" + i;
            guesses.add(TestServer.inBackground("guesser-" + i, () -> {
                go.await();
                return connection.loginError("Alice", guess);
            }));
        }
        go.countDown();
        Map<ErrorCode, Long> answers = new EnumMap<>(ErrorCode.class);
        for (CompletableFuture<ErrorCode> guess : guesses) {
            answers.merge(guess.get(30, TimeUnit.SECONDS), 1L, Long::sum);
        }
        assertEquals(Set.of(ErrorCode.BAD_CREDENTIALS, ErrorCode.THROTTLED), answers.keySet(), answers::toString);
        assertEquals(
                5L,
                answers.get(ErrorCode.BAD_CREDENTIALS),
                () -> "an attempt counts before its check, so only the budget of 5 is checked: " + answers);
        assertEquals(
                ErrorCode.THROTTLED,
                bank.connect().loginError("Alice", PASSWORD),
                "and the name is throttled for the right password too");
        assertEquals("Bob", bank.connect().login("Bob", PASSWORD).user(), "others log in as before");
    }

    @Test
    void twentyCorrectLoginsAtTheSameMomentAllPass() throws Exception {
        // The budget counts attempts in flight, but an attempt that finds none free waits for one to end: these
        // end in success, which clears the count, so none of a customer's concurrent logins is throttled.
        int logins = 20;
        List<TestClient> connections = new ArrayList<>();
        for (int i = 0; i < logins; i++) {
            connections.add(bank.connect());
        }
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<Result.User>> results = new ArrayList<>();
        for (int i = 0; i < logins; i++) {
            TestClient connection = connections.get(i);
            results.add(TestServer.inBackground("login-" + i, () -> {
                go.await();
                return connection.login("Alice", PASSWORD);
            }));
        }
        go.countDown();
        for (CompletableFuture<Result.User> result : results) {
            assertEquals("Alice", result.get(30, TimeUnit.SECONDS).user());
        }
    }

    @Test
    void aThrottledNameMayLogInAgainOnceTheWaitIsOver() throws IOException {
        // Six wrong passwords in a row: throttled from the 6th attempt (docs/protocol.md) or, at the latest, after it.
        TestClient guesser = bank.connect();
        for (int i = 1; i <= 6; i++) {
            Reply reply = guesser.loginCall("Alice", "guess-number-" + i);
            assertFalse(reply.ok(), "attempt " + i + " with a wrong password succeeded");
        }
        assertEquals(ErrorCode.THROTTLED, guesser.loginError("Alice", PASSWORD));
        assertEquals(ErrorCode.THROTTLED, guesser.loginError("alice", PASSWORD), "names are throttled in any case");
        // The first wait is 1 s. A throttled attempt is refused without counting, so trying again does not extend it.
        clock.advance(Duration.ofMillis(999));
        assertEquals(ErrorCode.THROTTLED, guesser.loginError("Alice", PASSWORD), "1 ms before the wait ends");
        clock.advance(Duration.ofMillis(1));
        assertEquals("Alice", guesser.login("Alice", PASSWORD).user(), "once the wait is over");
        assertEquals(40_000, guesser.balance("1001").balance());
    }

    @Test
    void aSuccessfulLoginClearsTheFailures() throws IOException {
        TestClient client = bank.connect();
        for (int round = 0; round < 3; round++) {
            for (int i = 1; i <= 4; i++) {
                assertEquals(ErrorCode.BAD_CREDENTIALS, client.loginError("Alice", "guess-" + round + "-" + i));
            }
            assertEquals("Alice", client.login("Alice", PASSWORD).user(), "round " + round);
        }
    }

    // ------------------------------------------------------------ registration

    @ParameterizedTest
    @ValueSource(strings = {"Alice", "alice", "ALICE", "aLiCe", "Audit", "audit", "AUDIT", "bob"})
    void registeringATakenNameInAnyCaseIsUserExists(String name) throws IOException {
        TestClient stranger = bank.connect();
        assertEquals(ErrorCode.USER_EXISTS, stranger.error(TestClient.registration(name, "another-password")));
        assertEquals(
                new Result.User("Alice", "CUSTOMER"),
                bank.connect().login("Alice", PASSWORD),
                "the original password still works");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "1alice",
                "_alice",
                ".alice",
                "-alice",
                "al ice",
                "al!ce",
                "al@ce",
                "alice\n",
                "Алиса",
                "a234567890123456789012345678901234"
            })
    void badUserNamesAreInvalidUser(String name) throws IOException {
        assertEquals(ErrorCode.INVALID_USER, bank.connect().error(TestClient.registration(name, PASSWORD)));
    }

    /** A verifier the server must refuse: too little stretching, a short salt, keys of the wrong size, not base64. */
    static Stream<Arguments> badVerifiers() {
        String key = Scram.base64(new byte[Scram.KEY_BYTES]);
        String salt = Scram.base64(new byte[Scram.SALT_BYTES]);
        return Stream.of(
                Arguments.of("4095 iterations", new Request.Register("Carol", salt, 4095, key, key)),
                Arguments.of("too many iterations", new Request.Register("Carol", salt, 10_000_001, key, key)),
                Arguments.of(
                        "a 15-byte salt", new Request.Register("Carol", Scram.base64(new byte[15]), 4096, key, key)),
                Arguments.of(
                        "a 65-byte salt", new Request.Register("Carol", Scram.base64(new byte[65]), 4096, key, key)),
                Arguments.of(
                        "a 31-byte key", new Request.Register("Carol", salt, 4096, Scram.base64(new byte[31]), key)),
                Arguments.of("not base64", new Request.Register("Carol", salt, 4096, key, "not base64!")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badVerifiers")
    void aVerifierOutOfBoundsIsInvalidUserAndCreatesNoOne(String what, Request.Register register) throws IOException {
        assertEquals(ErrorCode.INVALID_USER, bank.connect().error(register));
        assertEquals(ErrorCode.BAD_CREDENTIALS, bank.connect().loginError("Carol", PASSWORD), "no user was created");
    }

    @Test
    void namesAndPasswordsAtTheLimitsAreAccepted() throws IOException {
        String longest = "Z" + "a1_.-".repeat(6) + "x"; // 32 characters
        assertEquals(32, longest.length());
        for (String[] user :
                List.of(new String[] {"C", "12345678"}, new String[] {longest, "p".repeat(1_024)}, new String[] {
                    "d.e-f_9", "pässwörd with spaces"
                })) {
            assertEquals(new Result.User(user[0], "CUSTOMER"), bank.connect().register(user[0], user[1]));
            assertEquals(new Result.User(user[0], "CUSTOMER"), bank.connect().login(user[0], user[1]));
        }
    }

    // ------------------------------------------------------------ on disk

    @Test
    void usersSurviveARestartOnTheSameDataDirectory() throws IOException {
        String auditPassword = bank.auditPassword();
        assertTrue(bank.announced().contains(auditPassword), "the first start prints the auditor's password");
        bank.close();

        bank = TestServer.start(TestServer.config(dataDir));
        assertEquals("", bank.announced(), "no second auditor, no password printed again");
        assertEquals(auditPassword, bank.auditPassword(), "the auditor's password is kept");
        assertEquals(new Result.User("Alice", "CUSTOMER"), bank.connect().login("Alice", PASSWORD));
        assertEquals(new Result.User("Bob", "CUSTOMER"), bank.connect().login("Bob", PASSWORD));
        assertEquals(new Result.User("Audit", "AUDITOR"), bank.connect().login("Audit", auditPassword));
        assertEquals(ErrorCode.BAD_CREDENTIALS, bank.connect().loginError("Alice", "not-her-password"));
        assertEquals(ErrorCode.USER_EXISTS, bank.connect().error(TestClient.registration("alice", PASSWORD)));

        bank.customer("Carol"); // and registration goes on appending to the same file
        bank.close();
        bank = TestServer.start(TestServer.config(dataDir));
        assertEquals(new Result.User("Carol", "CUSTOMER"), bank.connect().login("Carol", PASSWORD));
        assertEquals(new Result.User("Alice", "CUSTOMER"), bank.connect().login("Alice", PASSWORD));
    }

    @Test
    void passwordsOnDiskAreOwnerOnlyAndNeverInClear() throws IOException {
        String auditPassword = bank.auditPassword();
        assertTrue(auditPassword.length() >= 16, "a generated password worth the name: " + auditPassword.length());
        Path passwordFile = dataDir.resolve("audit-password");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(passwordFile)));
        assertTrue(bank.announced().contains(passwordFile.toString()), "the announcement says where the password is");

        Path users = dataDir.resolve("users");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(users)));
        String stored = Files.readString(users, StandardCharsets.UTF_8);
        assertTrue(stored.contains("Alice") && stored.contains("Bob") && stored.contains("Audit"), stored);
        assertFalse(stored.contains(PASSWORD), "a customer's password is in the users file in clear");
        assertFalse(stored.contains(auditPassword), "the auditor's password is in the users file in clear");
    }
}
