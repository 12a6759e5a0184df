package com.abcbank.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abcbank.protocol.Request;
import com.abcbank.protocol.Result;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Idempotency keys are remembered for {@link SnapshotSchedule#KEY_WINDOW} on the server's clock, then forgotten:
 * a retry inside the window returns the first result, one after it runs afresh. Time is moved, not waited for,
 * and forgetting is triggered through the server's hook instead of its once-a-minute schedule.
 */
class KeyWindowTest {
    @TempDir
    Path dataDir;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));

    @Test
    void aKeyIsRememberedForTheWindowAndForgottenAfterIt() throws IOException {
        try (TestServer bank = TestServer.start(TestServer.config(dataDir), clock)) {
            TestClient alice = bank.customer("Alice");
            alice.ok(new Request.CreateAccount("1001", 10_000L), Result.Tx.class);
            Request.Deposit deposit = new Request.Deposit("1001", 500, "deposit-1");
            Result.Tx first = alice.ok(deposit, Result.Tx.class);

            clock.advance(SnapshotSchedule.KEY_WINDOW.minusSeconds(1));
            bank.server.forgetOldKeys();
            Result.Tx retried = alice.ok(deposit, Result.Tx.class);
            assertEquals(first, retried, "inside the window a retry is the first deposit, not a second one");
            assertEquals(10_500, alice.balance("1001").balance());

            clock.advance(Duration.ofSeconds(2));
            bank.server.forgetOldKeys();
            Result.Tx afresh = alice.ok(deposit, Result.Tx.class);
            assertTrue(afresh.tx() > first.tx(), () -> "after the window the key was still remembered: " + afresh);
            assertEquals(11_000, alice.balance("1001").balance(), "after the window the retry runs afresh");
            assertEquals(clock.instant().toString(), afresh.time(), "the transaction is stamped by the server's clock");
        }
    }
}
