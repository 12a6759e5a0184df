package com.abcbank.ledger;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Idempotency keys (a retried request happens once) and replay of the journal (a restart rebuilds the same bank). */
class LedgerRetryAndReplayTest {
    private static final Caller ALICE = Caller.customer("alice");
    private static final Caller BOB = Caller.customer("bob");
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);

    private final List<Transaction> journal = new CopyOnWriteArrayList<>();
    private final Ledger ledger = new Ledger(LedgerConfig.defaults(), CLOCK, journal::add);

    @Test
    void aRetryWithTheSameKeyReturnsTheFirstTransactionAndMovesNothingMore() {
        Tellers.createAccount(ledger, ALICE, "1001", 10_000);
        Transaction first = ledger.withdraw(ALICE, "1001", 3_000, "k-1").value();
        Snapshot after = ledger.snapshot();

        Outcome<Transaction> retry = ledger.withdraw(ALICE, "1001", 3_000, "k-1");

        assertSame(first, retry.value());
        assertEquals(after, ledger.snapshot());
        assertEquals(7_000, ledger.balance(ALICE, "1001").value().balanceCents());
        assertEquals("k-1", first.key());
    }

    @Test
    void theSameKeyForAnotherRequestIsRefusedAndChangesNothing() {
        Tellers.createAccount(ledger, ALICE, "1001", 10_000);
        Tellers.createAccount(ledger, ALICE, "1002", 0);
        ledger.withdraw(ALICE, "1001", 3_000, "k-1");
        Snapshot before = ledger.snapshot();

        assertEquals(
                ErrorCode.KEY_REUSED,
                ledger.withdraw(ALICE, "1001", 3_001, "k-1").error());
        assertEquals(
                ErrorCode.KEY_REUSED,
                ledger.transfer(ALICE, "1001", "1002", 3_000, "k-1").error());
        assertEquals(
                ErrorCode.KEY_REUSED,
                ledger.deposit(ALICE, "1002", 3_000, "k-1").error());
        assertEquals(before, ledger.snapshot());
    }

    @Test
    void keysBelongToTheirUser() {
        Tellers.createAccount(ledger, ALICE, "1001", 10_000);
        Tellers.createAccount(ledger, BOB, "2001", 10_000);
        ledger.withdraw(ALICE, "1001", 1_000, "shared");

        Transaction bobs = ledger.withdraw(BOB, "2001", 1_000, "shared").value();

        assertEquals(BOB.user(), bobs.user());
        assertEquals(9_000, ledger.balance(BOB, "2001").value().balanceCents());
    }

    @Test
    void aRefusedRequestReleasesItsKeySoTheRetryRunsOnItsOwnMerits() {
        Tellers.createAccount(ledger, ALICE, "1001", 1_000);
        assertEquals(
                ErrorCode.INSUFFICIENT_FUNDS,
                ledger.withdraw(ALICE, "1001", 5_000, "k-2").error());
        Tellers.deposit(ledger, ALICE, "1001", 10_000);

        Transaction retried = ledger.withdraw(ALICE, "1001", 5_000, "k-2").value();

        assertEquals(6_000, retried.postings().get(0).balanceAfterCents());
    }

    @Test
    void malformedKeysAreRefused() {
        Tellers.createAccount(ledger, ALICE, "1001", 1_000);
        assertEquals(
                ErrorCode.INVALID_ARGUMENT,
                ledger.deposit(ALICE, "1001", 100, "has space").error());
        assertEquals(
                ErrorCode.INVALID_ARGUMENT,
                ledger.deposit(ALICE, "1001", 100, "").error());
        assertEquals(
                ErrorCode.INVALID_ARGUMENT,
                ledger.deposit(ALICE, "1001", 100, "x".repeat(65)).error());
        assertEquals(1_000, ledger.balance(ALICE, "1001").value().balanceCents());
    }

    @Test
    void concurrentRetriesOfOneKeyHappenOnce() throws Exception {
        Tellers.createAccount(ledger, ALICE, "1001", 1_000_000);
        int threads = 16;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int round = 0; round < 200; round++) {
                String key = "round-" + round;
                CountDownLatch start = new CountDownLatch(1);
                List<Future<Transaction>> results = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    results.add(pool.submit(() -> {
                        start.await();
                        return ledger.withdraw(ALICE, "1001", 100, key).value();
                    }));
                }
                start.countDown();
                Transaction first = results.get(0).get(10, SECONDS);
                for (Future<Transaction> result : results) {
                    assertSame(first, result.get(10, SECONDS), "every retry sees the one transaction");
                }
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(
                1_000_000 - 200 * 100, ledger.balance(ALICE, "1001").value().balanceCents());
        assertEquals(1 + 200, ledger.lastSeq());
    }

    @Test
    void forgottenKeysRunAfresh() {
        Tellers.createAccount(ledger, ALICE, "1001", 10_000);
        ledger.withdraw(ALICE, "1001", 1_000, "old");
        ledger.forgetKeysBefore(CLOCK.instant().plus(Duration.ofSeconds(1)));

        ledger.withdraw(ALICE, "1001", 1_000, "old");

        assertEquals(8_000, ledger.balance(ALICE, "1001").value().balanceCents());
    }

    @Test
    void replayingTheJournalRebuildsTheSameBankKeysAndCounters() {
        Random random = new Random(7);
        List<String> checking = List.of("1001", "1002", "2001");
        Tellers.createAccount(ledger, ALICE, "1001", 50_000);
        ledger.createAccount(ALICE, "1002", 0, "open-1002");
        Tellers.createAccount(ledger, BOB, "2001", 20_000);
        List<String> loans = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            String account = checking.get(random.nextInt(3));
            Caller owner = account.startsWith("1") ? ALICE : BOB;
            long amount = 1L + random.nextInt(5_000);
            String key = random.nextBoolean() ? "k" + i : null;
            Outcome<Transaction> outcome = switch (random.nextInt(6)) {
                case 0 -> ledger.deposit(owner, account, amount, key);
                case 1 -> ledger.withdraw(owner, account, amount, key);
                case 2 -> ledger.transfer(owner, account, checking.get(random.nextInt(3)), amount, key);
                case 3 -> ledger.applyLoan(owner, account, amount, key);
                case 4 ->
                    loans.isEmpty()
                            ? ledger.deposit(owner, account, amount, key)
                            : ledger.payLoanCheck(owner, loans.get(random.nextInt(loans.size())), amount, key);
                default ->
                    loans.isEmpty()
                            ? ledger.deposit(owner, account, amount, key)
                            : ledger.payLoanTransfer(
                                    owner, account, loans.get(random.nextInt(loans.size())), amount, key);
            };
            if (outcome.isOk() && outcome.value().type() == TxType.LOAN) {
                loans.add(outcome.value().opened());
            }
        }
        assertEquals(ledger.lastSeq(), journal.size(), "every committed transaction reached the journal, in order");

        Ledger restarted = new Ledger(LedgerConfig.defaults(), CLOCK);
        journal.forEach(restarted::replay);

        assertEquals(ledger.snapshot(), restarted.snapshot());
        assertEquals(
                ledger.report(Caller.auditor("Audit")).value(),
                restarted.report(Caller.auditor("Audit")).value());
        // Keys survive: a retry after the restart returns the original transaction.
        Transaction opened = journal.get(1);
        assertEquals(
                opened, restarted.createAccount(ALICE, "1002", 0, "open-1002").value());
        // Counters survive: the next loan gets the next number, and the loan limit still counts old loans.
        Transaction nextLoan = Tellers.applyLoan(restarted, ALICE, "1001", 100).value();
        Transaction expected = Tellers.applyLoan(ledger, ALICE, "1001", 100).value();
        assertEquals(expected.opened(), nextLoan.opened());
        assertEquals(expected.seq(), nextLoan.seq());
        assertTrue(restarted
                .transactions(Caller.auditor("Audit"), TransactionQuery.firstPage())
                .isOk());
    }

    @Test
    void aStateTakenWhileKeyedDepositsRunNamesTheKeyOfEveryTransactionItIncludes() throws Exception {
        Ledger live = new Ledger(LedgerConfig.defaults(), Clock.systemUTC());
        int depositors = 8;
        int maxDepositsEach = 50_000; // a bound on memory, far above what 40 states take
        int states = 40;
        for (int u = 0; u < depositors; u++) {
            Tellers.createAccount(live, Caller.customer("u" + u), "100" + u, 0);
        }
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicInteger deposits = new java.util.concurrent.atomic.AtomicInteger();
        CountDownLatch started = new CountDownLatch(depositors);
        ExecutorService pool = Executors.newFixedThreadPool(depositors);
        List<Long> lastSeqs = new ArrayList<>();
        List<Future<?>> workers = new ArrayList<>();
        try {
            for (int u = 0; u < depositors; u++) {
                int me = u;
                workers.add(pool.submit(() -> {
                    started.countDown();
                    for (int n = 0; n < maxDepositsEach && !stop.get(); n++) {
                        live.deposit(Caller.customer("u" + me), "100" + me, 100, "k-" + me + "-" + n);
                        deposits.incrementAndGet();
                    }
                }));
            }
            assertTrue(started.await(10, SECONDS));
            // The newest transactions of each state are the ones whose key-table entries may not be complete yet.
            for (int round = 0; round < states; round++) {
                LedgerState state = live.exportState(Instant.EPOCH);
                java.util.Set<Long> named = new java.util.HashSet<>();
                state.keyed().forEach(tx -> named.add(tx.seq()));
                for (long seq = Math.max(depositors + 1, state.lastSeq() - 200); seq <= state.lastSeq(); seq++) {
                    assertTrue(named.contains(seq), "the state includes tx " + seq + " but not its key");
                }
                lastSeqs.add(state.lastSeq());
            }
        } finally {
            stop.set(true);
            pool.shutdown();
            assertTrue(pool.awaitTermination(30, SECONDS));
        }
        for (Future<?> worker : workers) {
            worker.get(1, SECONDS); // a depositor that threw fails the test instead of vanishing
        }
        assertTrue(lastSeqs.get(lastSeqs.size() - 1) > lastSeqs.get(0), "deposits ran between the states: " + lastSeqs);
        assertEquals(deposits.get(), live.exportState(Instant.EPOCH).keyed().size());
    }

    @Test
    void aDuplicateRefusalComesAfterTheOpeningItRevealsIsSequenced() throws Exception {
        CountDownLatch inCommit = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CommitLog slowJournal = tx -> {
            if (tx.type() == TxType.OPEN_ACCOUNT) {
                inCommit.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        Ledger slow = new Ledger(LedgerConfig.defaults(), Clock.systemUTC(), slowJournal);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<?> alice = pool.submit(() -> Tellers.createAccount(slow, ALICE, "1234", 0));
            assertTrue(inCommit.await(10, SECONDS));
            Future<Long> shown = pool.submit(() -> {
                assertEquals(
                        ErrorCode.DUPLICATE_ACCOUNT,
                        Tellers.createAccount(slow, BOB, "1234", 0).error());
                return slow.lastSeq(); // what the server waits for before answering this refusal
            });
            release.countDown();
            alice.get(10, SECONDS);
            assertEquals(1, shown.get(10, SECONDS), "the refusal reveals tx 1, so the server must wait for it");
        } finally {
            pool.shutdownNow();
        }
    }
}
