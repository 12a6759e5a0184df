package com.abcbank.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abcbank.ledger.ErrorCode;
import com.abcbank.protocol.Json;
import com.abcbank.protocol.Reply;
import com.abcbank.protocol.Request;
import com.abcbank.protocol.Result;
import com.abcbank.protocol.Scram;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The login throttle is fair (docs/protocol.md, "Logging in"): a guesser blocks the name only from its own
 * address; guessers spread over many addresses block it only from addresses the user has not logged in from; the
 * auditor can always log in from where it is expected (loopback by default). And the password can be changed.
 *
 * <p>Clients come from other loopback addresses (127.0.0.2 and up): Linux routes all of 127/8 to the loopback, so
 * the server sees distinct client addresses without a network.
 */
class ServerLoginFairnessTest {
    private static final String PASSWORD = TestServer.PASSWORD;

    @TempDir
    Path dataDir;

    private TestServer bank;

    @BeforeEach
    void start() throws IOException {
        bank = TestServer.start(TestServer.config(dataDir));
        bank.customer("Alice");
    }

    @AfterEach
    void stop() {
        bank.close();
    }

    @Test
    void aGuesserFromOneAddressDoesNotLockTheUserOutFromAnother() throws IOException {
        TestClient guesser = bank.connectFrom("127.0.0.2");
        for (int i = 1; i <= 5; i++) {
            assertEquals(ErrorCode.BAD_CREDENTIALS, guesser.loginError("Alice", "guess-" + i), "guess " + i);
        }
        assertEquals(
                ErrorCode.THROTTLED,
                guesser.loginError("Alice", PASSWORD),
                "the guesser's address is blocked for the name, even with the right password");
        assertEquals(
                "Alice",
                bank.connectFrom("127.0.0.3").login("Alice", PASSWORD).user(),
                "before this change the name was blocked for everyone: anyone could lock anyone out");
        assertEquals("Alice", bank.connect().login("Alice", PASSWORD).user());
    }

    @Test
    void guessesSpreadOverManyAddressesBlockTheNameOnlyWhereTheUserHasNotLoggedIn() throws IOException {
        assertEquals("Alice", bank.connect().login("Alice", PASSWORD).user()); // 127.0.0.1 is now Alice's place
        int guesses = 0;
        for (int address = 2; guesses < 20; address++) {
            TestClient guesser = bank.connectFrom("127.0.0." + address);
            for (int i = 0; i < 4; i++, guesses++) {
                assertEquals(ErrorCode.BAD_CREDENTIALS, guesser.loginError("Alice", "spread-guess-" + guesses));
            }
        }
        assertEquals(
                ErrorCode.THROTTLED,
                bank.connectFrom("127.0.0.99").loginError("Alice", PASSWORD),
                "20 failures from anywhere untrusted: the name is blocked from every new address");
        assertEquals(
                "Alice", bank.connect().login("Alice", PASSWORD).user(), "but not from where Alice logged in before");
    }

    @Test
    void theAuditorAlwaysLogsInFromWhereItIsExpected() throws IOException {
        int guesses = 0;
        for (int address = 2; guesses < 20; address++) {
            TestClient guesser = bank.connectFrom("127.0.0." + address);
            for (int i = 0; i < 5; i++, guesses++) {
                assertEquals(ErrorCode.BAD_CREDENTIALS, guesser.loginError("Audit", "audit-guess-" + guesses));
            }
        }
        assertEquals(ErrorCode.THROTTLED, bank.connectFrom("127.0.0.98").loginError("Audit", bank.auditPassword()));
        assertEquals(
                "Audit",
                bank.connect().login("Audit", bank.auditPassword()).user(),
                "the auditor's expected address (loopback, --auditor-from) is never blocked by guesses from elsewhere");
    }

    @Test
    void aLoginAbandonedAfterItsFirstStepIsNotAFailure() throws IOException {
        for (int i = 0; i < 10; i++) {
            TestClient client = bank.connectFrom("127.0.0.2");
            Reply first =
                    client.call(new Request.Login(Scram.ClientExchange.withPassword("Alice", PASSWORD.toCharArray())
                            .clientFirst()));
            assertTrue(first.ok(), () -> "step one: " + first.error());
            client.close(); // never sends its proof
        }
        assertEquals(
                "Alice", bank.connectFrom("127.0.0.2").login("Alice", PASSWORD).user());
    }

    @Test
    void theServerNeverSeesThePasswordAndItsSignatureIsChecked() throws Exception {
        TestClient client = bank.connect();
        Scram.ClientExchange exchange = Scram.ClientExchange.withPassword("Alice", PASSWORD.toCharArray());
        Reply first = client.call(new Request.Login(exchange.clientFirst()));
        String serverFirst =
                Json.convert(first.result(), Result.Challenge.class).serverFirst();
        assertTrue(serverFirst.matches("r=[^,]+,s=[A-Za-z0-9+/=]+,i=4096"), serverFirst);
        String clientFinal = exchange.clientFinal(serverFirst);
        assertFalse(clientFinal.contains(PASSWORD));
        Reply last = client.call(new Request.LoginFinal(clientFinal));
        String serverFinal = Json.convert(last.result(), Result.User.class).serverFinal();
        exchange.checkServerFinal(serverFinal); // throws if the server did not hold Alice's ServerKey
        String users = Files.readString(dataDir.resolve("users"));
        assertFalse(users.contains(PASSWORD), "only verifiers on disk");
    }

    @Test
    void aReplayedProofIsRefused() throws Exception {
        TestClient client = bank.connect();
        Scram.ClientExchange exchange = Scram.ClientExchange.withPassword("Alice", PASSWORD.toCharArray());
        Reply first = client.call(new Request.Login(exchange.clientFirst()));
        String clientFinal = exchange.clientFinal(
                Json.convert(first.result(), Result.Challenge.class).serverFirst());
        assertTrue(client.call(new Request.LoginFinal(clientFinal)).ok());

        // An eavesdropper replays the same two messages: the server's nonce differs, so the proof is worthless.
        TestClient replayer = bank.connect();
        assertTrue(replayer.call(new Request.Login(exchange.clientFirst())).ok());
        Reply replayed = replayer.call(new Request.LoginFinal(clientFinal));
        assertFalse(replayed.ok());
        assertEquals(ErrorCode.MALFORMED_REQUEST, replayed.error().code(), "the nonce is not this login's");
        assertEquals(ErrorCode.UNAUTHENTICATED, replayer.error(new Request.Balance("1001")));
    }

    @Test
    void passwdChangesThePasswordAndTheOldOneStopsWorking() throws IOException {
        TestClient alice = bank.connect();
        alice.login("Alice", PASSWORD);
        Scram.Verifier verifier = Scram.newKeys("a-new-password".toCharArray(), Scram.MIN_ITERATIONS)
                .verifier();
        Result.User changed = alice.ok(new Request.Passwd(verifier), Result.User.class);
        assertEquals("Alice", changed.user());
        assertEquals(ErrorCode.BAD_CREDENTIALS, bank.connect().loginError("Alice", PASSWORD));
        assertEquals("Alice", bank.connect().login("Alice", "a-new-password").user());
        bank.close();
        bank = TestServer.start(TestServer.config(dataDir));
        assertEquals("Alice", bank.connect().login("Alice", "a-new-password").user(), "kept across a restart");
    }

    @Test
    void theAuditorRotatesItsPasswordAndTheFirstPasswordFileGoes() throws IOException {
        String first = bank.auditPassword();
        TestClient audit = bank.connect();
        audit.login("Audit", first);
        Scram.Verifier verifier = Scram.newKeys("rotated-audit-password".toCharArray(), Scram.MIN_ITERATIONS)
                .verifier();
        assertEquals(
                "Audit",
                audit.ok(new Request.Passwd(verifier), Result.User.class).user());
        assertFalse(Files.exists(dataDir.resolve("audit-password")), "a file holding a dead password is deleted");
        assertEquals(ErrorCode.BAD_CREDENTIALS, bank.connect().loginError("Audit", first));
        assertEquals(
                "Audit", bank.connect().login("Audit", "rotated-audit-password").user());
    }

    @Test
    void aLoginBegunBeforeAPasswdCannotFinishWithTheOldPassword() throws Exception {
        TestClient attacker = bank.connect();
        Scram.ClientExchange old = Scram.ClientExchange.withPassword("Alice", PASSWORD.toCharArray());
        Reply first = attacker.call(new Request.Login(old.clientFirst()));
        String serverFirst =
                Json.convert(first.result(), Result.Challenge.class).serverFirst();

        TestClient alice = bank.connect();
        alice.login("Alice", PASSWORD);
        alice.ok(
                new Request.Passwd(Scram.newKeys("a-new-password".toCharArray(), Scram.MIN_ITERATIONS)
                        .verifier()),
                Result.User.class);

        Reply last = attacker.call(new Request.LoginFinal(old.clientFinal(serverFirst)));
        assertFalse(last.ok(), "the proof was made with the verifier of before the passwd");
        assertEquals(ErrorCode.BAD_CREDENTIALS, last.error().code());
        assertEquals(ErrorCode.UNAUTHENTICATED, attacker.error(new Request.Balance("1001")));
    }

    @Test
    void aProofOfTheWrongLengthIsAWrongPasswordForAKnownNameAsForAnUnknownOne() throws IOException {
        for (String user : new String[] {"Alice", "Mallory"}) {
            TestClient client = bank.connect();
            Scram.ClientExchange exchange = Scram.ClientExchange.withPassword(user, PASSWORD.toCharArray());
            Reply first = client.call(new Request.Login(exchange.clientFirst()));
            String serverFirst =
                    Json.convert(first.result(), Result.Challenge.class).serverFirst();
            String nonce = serverFirst.substring(2, serverFirst.indexOf(','));
            Reply last = client.call(new Request.LoginFinal("c=biws,r=" + nonce + ",p=AAAA"));
            assertEquals(ErrorCode.BAD_CREDENTIALS, last.error().code(), user);
        }
    }

    @Test
    void anUnknownNameIsAnsweredWithTheIterationCountMostUsersHave() throws Exception {
        for (String user : new String[] {"Carol", "Dave", "Erin"}) {
            byte[] salt = new byte[Scram.SALT_BYTES];
            salt[0] = (byte) user.charAt(0);
            // Keys of no password (random enough for a test): a verifier of 100,000 iterations without computing them.
            Scram.ClientKeys keys =
                    new Scram.ClientKeys(100_000, salt, new byte[Scram.KEY_BYTES], new byte[Scram.KEY_BYTES]);
            bank.connect().ok(new Request.Register(user, keys.verifier()), Result.User.class);
        }
        for (String user : new String[] {"Carol", "Nobody"}) {
            Reply first = bank.connect()
                    .call(new Request.Login(Scram.ClientExchange.withPassword(user, PASSWORD.toCharArray())
                            .clientFirst()));
            String serverFirst =
                    Json.convert(first.result(), Result.Challenge.class).serverFirst();
            assertTrue(serverFirst.endsWith(",i=100000"), user + ": " + serverFirst);
        }
    }

    @Test
    void anyOtherRequestBetweenTheTwoStepsAbandonsTheLogin() throws Exception {
        TestClient client = bank.customer("Bob");
        Scram.ClientExchange exchange = Scram.ClientExchange.withPassword("Alice", PASSWORD.toCharArray());
        Reply first = client.call(new Request.Login(exchange.clientFirst()));
        String serverFirst =
                Json.convert(first.result(), Result.Challenge.class).serverFirst();
        client.call(new Request.Balance("1001"));
        Reply last = client.call(new Request.LoginFinal(exchange.clientFinal(serverFirst)));
        assertEquals(ErrorCode.MALFORMED_REQUEST, last.error().code(), "login_final with no login in progress");
    }

    @Test
    void passwdNeedsALoginAndAVerifierWithinBounds() throws IOException {
        Scram.Verifier verifier = Scram.newKeys("a-new-password".toCharArray(), Scram.MIN_ITERATIONS)
                .verifier();
        assertEquals(ErrorCode.UNAUTHENTICATED, bank.connect().error(new Request.Passwd(verifier)));
        TestClient alice = bank.connect();
        alice.login("Alice", PASSWORD);
        Request.Passwd cheap = new Request.Passwd(verifier);
        assertEquals(
                ErrorCode.INVALID_ARGUMENT,
                alice.error(new Request.Passwd(cheap.salt(), 100, cheap.storedKey(), cheap.serverKey())));
        assertEquals("Alice", bank.connect().login("Alice", PASSWORD).user(), "unchanged");
    }
}
