package com.abcbank.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abcbank.journal.JournalFailedException;
import com.abcbank.ledger.Caller;
import com.abcbank.ledger.ErrorCode;
import com.abcbank.ledger.Ledger;
import com.abcbank.ledger.LedgerConfig;
import com.abcbank.ledger.Outcome;
import com.abcbank.protocol.Request;
import com.abcbank.protocol.Result;
import com.abcbank.server.auth.Users;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@link Dispatcher} against the durability boundary alone ({@link ControlledLog}, no disk): no answer, a
 * write's or a read's, before the log covers everything it shows, and a failed log maps to
 * {@link ErrorCode#STORAGE_FAILED}, before or while a request waits.
 */
class DispatcherDurabilityTest {
    private static final Caller ALICE = Caller.customer("Alice");
    private static final long WAIT_SECONDS = 10;

    @TempDir
    Path dataDir;

    private final ControlledLog log = new ControlledLog();
    private Ledger ledger;
    private Dispatcher dispatcher;

    @BeforeEach
    void open() throws IOException {
        ledger = new Ledger(LedgerConfig.defaults(), Clock.systemUTC(), log);
        Users users = Users.open(
                dataDir,
                TestServer.PBKDF2_ITERATIONS,
                Clock.systemUTC(),
                new PrintStream(OutputStream.nullOutputStream()));
        dispatcher = new Dispatcher(ledger, users, log);
    }

    private CompletableFuture<Outcome<?>> inBackground(Request request) {
        return TestServer.inBackground("request", () -> dispatcher.dispatch(ALICE, request));
    }

    /** The next sequence number a request waits for, once it is waiting. */
    private long nextAwaited() throws InterruptedException {
        Long seq = log.awaited.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        if (seq == null) {
            throw new AssertionError("no request waited for the log");
        }
        return seq;
    }

    @Test
    void aWriteIsAnsweredOnlyOnceTheLogCoversItsTransaction() throws Exception {
        CompletableFuture<Outcome<?>> opened = inBackground(new Request.CreateAccount("1001", 50_000L));
        assertEquals(1, nextAwaited(), "the request waits for its own transaction");
        assertEquals(1, log.committedSeq(), "handed over before waiting");
        assertFalse(opened.isDone(), "answered before the log covered tx 1");

        log.makeDurable(1);
        Outcome<?> outcome = opened.get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertTrue(outcome.isOk(), outcome::toString);
        assertEquals(1, ((Result.Tx) outcome.value()).tx());
    }

    @Test
    void aReadIsAnsweredOnlyOnceTheLogCoversEveryTransactionItCouldShow() throws Exception {
        CompletableFuture<Outcome<?>> opened = inBackground(new Request.CreateAccount("1001", 50_000L));
        assertEquals(1, nextAwaited());
        // Tx 1 is in the ledger but not durable: a balance showing 500.00 must wait for it too.
        CompletableFuture<Outcome<?>> balance = inBackground(new Request.Balance("1001"));
        assertEquals(1, nextAwaited(), "the read waits for the last committed transaction");
        assertFalse(balance.isDone(), "a read showed a transaction that a crash could take back");
        assertFalse(opened.isDone());

        log.makeDurable(1);
        Outcome<?> read = balance.get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertEquals(50_000, ((Result.Account) read.value()).balance());
        assertTrue(opened.get(WAIT_SECONDS, TimeUnit.SECONDS).isOk());
    }

    @Test
    void aFailureWhileWaitingIsStorageFailedAndMayOrMayNotHaveHappened() throws Exception {
        CompletableFuture<Outcome<?>> opened = inBackground(new Request.CreateAccount("1001", 50_000L));
        assertEquals(1, nextAwaited());
        log.fail(new IOException("No space left on device"));

        Outcome<?> outcome = opened.get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertEquals(ErrorCode.STORAGE_FAILED, outcome.error());
        assertTrue(outcome.message().contains("may or may not"), outcome::message);
    }

    @Test
    void aFailedLogRefusesEveryRequestWithoutTouchingTheLedger() throws Exception {
        log.fail(new IOException("No space left on device"));

        for (Request request :
                new Request[] {new Request.CreateAccount("1001", 50_000L), new Request.Balance("1001")}) {
            Outcome<?> outcome = dispatcher.dispatch(ALICE, request);
            assertEquals(ErrorCode.STORAGE_FAILED, outcome.error(), request::toString);
            assertTrue(outcome.message().contains("until restarted"), outcome::message);
        }
        assertEquals(0, ledger.lastSeq(), "a refused request committed a transaction");
        assertEquals(0, log.committedSeq());
        assertTrue(log.awaited.isEmpty(), "a refused request waited for the log");
    }

    @Test
    void verifyWaitsForTheLogAndAFailureThereIsStorageFailed() throws Exception {
        CompletableFuture<Outcome<?>> opened = inBackground(new Request.CreateAccount("1001", 50_000L));
        assertEquals(1, nextAwaited());
        CompletableFuture<Outcome<?>> verify = TestServer.inBackground(
                "verify", () -> dispatcher.dispatch(Caller.auditor("Audit"), new Request.Verify()));
        assertEquals(1, nextAwaited(), "verify waits for every transaction its snapshot shows");
        log.fail(new IOException("No space left on device"));

        Outcome<?> outcome = verify.get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertEquals(ErrorCode.STORAGE_FAILED, outcome.error(), outcome::toString);
        assertEquals(
                ErrorCode.STORAGE_FAILED,
                opened.get(WAIT_SECONDS, TimeUnit.SECONDS).error());
    }

    @Test
    void verifyWithALogThatKeepsNothingIsRefusedClearly() {
        Outcome<?> outcome = dispatcher.dispatch(Caller.auditor("Audit"), new Request.Verify());
        assertEquals(ErrorCode.INVALID_ARGUMENT, outcome.error());
        assertTrue(outcome.message().contains("no journal"), outcome::message);
    }

    @Test
    void aPipelinedBatchWaitsOnceAndAFailureTakesBackOnlyWhatTheLogDidNotCover() {
        List<Dispatcher.Answer> batch = new ArrayList<>();
        for (String account : List.of("1001", "1002", "1003")) {
            batch.add(dispatcher.execute(ALICE, new Request.CreateAccount(account, 100L)));
        }
        batch.add(dispatcher.execute(ALICE, new Request.Balance("1001")));
        assertEquals(
                List.of(1L, 2L, 3L, 3L),
                batch.stream().map(Dispatcher.Answer::shows).toList());
        assertTrue(log.awaited.isEmpty(), "executing waits for nothing");

        log.makeDurable(2);
        log.fail(new IOException("No space left on device"));
        JournalFailedException failure = dispatcher.awaitDurable(3);
        assertNotNull(failure);
        assertEquals(List.of(3L), List.copyOf(log.awaited), "one wait for the whole batch");

        List<ErrorCode> sent = batch.stream()
                .map(answer -> dispatcher.settle(answer, failure))
                .map(outcome -> outcome.isOk() ? null : outcome.error())
                .toList();
        assertEquals(
                Arrays.asList(null, null, ErrorCode.STORAGE_FAILED, ErrorCode.STORAGE_FAILED),
                sent,
                "what the log kept is answered; the rest may or may not have happened");
    }
}
