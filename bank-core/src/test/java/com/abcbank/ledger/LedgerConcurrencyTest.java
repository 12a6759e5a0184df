package com.abcbank.ledger;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Many threads against one ledger. Every test checks invariants, not just the absence of exceptions: money is
 * conserved, no checking account goes below zero, every thread finishes within a bound (no deadlock), and the
 * final state equals a sequential replay of the journal. Worker threads are daemons, so a deadlock fails the
 * bounded wait instead of hanging the build. Seeds are fixed per thread: a failure replays.
 */
class LedgerConcurrencyTest {
    private static final int THREADS = 16;
    private static final int OPERATIONS_PER_THREAD = 10_000;
    private static final long WORKERS_BOUND_SECONDS = 60;
    private static final Caller AUDIT = Caller.auditor("Audit");
    private static final List<String> USERS = List.of("alice", "bob", "carol");

    /** A body run by each worker; {@code t} is the worker's index. */
    private interface Work {
        void run(int t) throws Exception;
    }

    @Test
    void randomOperationsOnHotAccountsConserveMoneyAndMatchASequentialReplay() throws Exception {
        Ledger ledger = new Ledger(LedgerConfig.defaults().withVaultShards(2), java.time.Clock.systemUTC());
        // Six hot checking accounts, two per user, and few vault shards: every lock is contended.
        Map<String, String> ownerOf = new HashMap<>();
        for (int u = 0; u < USERS.size(); u++) {
            for (int a = 0; a < 2; a++) {
                String number = "100" + u + a;
                ok(Tellers.createAccount(ledger, Caller.customer(USERS.get(u)), number, 50_000));
                ownerOf.put(number, USERS.get(u));
            }
        }
        List<String> checking = List.copyOf(ownerOf.keySet());
        List<String> loans = new java.util.concurrent.CopyOnWriteArrayList<>();
        Map<ErrorCode, AtomicInteger> refusals = new ConcurrentHashMap<>();
        AtomicInteger committed = new AtomicInteger();

        runWorkers(THREADS, t -> {
            Random random = new Random(t);
            for (int i = 0; i < OPERATIONS_PER_THREAD; i++) {
                String account = checking.get(random.nextInt(checking.size()));
                Caller owner = Caller.customer(ownerOf.get(account));
                long amountCents = 1L + random.nextInt(20_000);
                Outcome<Transaction> outcome = switch (random.nextInt(8)) {
                    case 0 -> Tellers.deposit(ledger, owner, account, amountCents);
                    case 1 -> Tellers.withdraw(ledger, owner, account, amountCents);
                    case 2, 3 ->
                        Tellers.transfer(
                                ledger, owner, account, checking.get(random.nextInt(checking.size())), amountCents);
                    case 4 -> Tellers.applyLoan(ledger, owner, account, amountCents * 10);
                    case 5 -> Tellers.payLoanCheck(ledger, owner, anyOf(loans, random, account), amountCents);
                    case 6 ->
                        Tellers.payLoanTransfer(ledger, owner, account, anyOf(loans, random, account), amountCents);
                    default ->
                        Tellers.withdraw(
                                ledger, owner, account, 1 + random.nextInt(200_000)); // often an overdraft attempt
                };
                if (outcome.isOk()) {
                    committed.incrementAndGet();
                    if (outcome.value().type() == TxType.LOAN) {
                        loans.add(outcome.value().opened());
                    }
                } else {
                    refusals.computeIfAbsent(outcome.error(), code -> new AtomicInteger())
                            .incrementAndGet();
                }
                if (i % 1_000 == 0) {
                    assertEquals(0, ledger.snapshot().sumCents(), "books out of balance mid-run");
                }
            }
        });

        Snapshot end = ledger.snapshot();
        assertEquals(0, end.sumCents());
        for (AccountView account : end.accounts()) {
            if (account.kind() == AccountKind.CHECKING) {
                assertTrue(account.balanceCents() >= 0, () -> "overdrawn: " + account);
            }
            if (account.kind() == AccountKind.LOAN) {
                assertTrue(account.balanceCents() <= 0, () -> "loan paid beyond zero: " + account);
            }
        }
        assertEquals(6 + committed.get(), end.lastSeq(), "one sequence number per committed transaction, no gaps");
        assertMatchesReplay(end, ledger);
        // The mix must really have exercised the refusal paths under contention, or the test proves less.
        assertTrue(refusals.containsKey(ErrorCode.INSUFFICIENT_FUNDS), () -> "refusals seen: " + refusals);
        assertTrue(refusals.containsKey(ErrorCode.LOAN_LIMIT_EXCEEDED), () -> "refusals seen: " + refusals);
        assertTrue(committed.get() > THREADS * OPERATIONS_PER_THREAD / 4, () -> "too few commits: " + committed);
    }

    @Test
    void oppositeTransfersBetweenTwoAccountsNeverDeadlock() throws Exception {
        Ledger ledger = new Ledger();
        Caller alice = Caller.customer("alice");
        ok(Tellers.createAccount(ledger, alice, "2001", 1_000_000));
        ok(Tellers.createAccount(ledger, alice, "2002", 1_000_000));

        runWorkers(THREADS, t -> {
            String from = t % 2 == 0 ? "2001" : "2002";
            String to = t % 2 == 0 ? "2002" : "2001";
            for (int i = 0; i < OPERATIONS_PER_THREAD; i++) {
                Outcome<Transaction> outcome = Tellers.transfer(ledger, alice, from, to, 1 + (i % 500));
                if (!outcome.isOk() && outcome.error() != ErrorCode.INSUFFICIENT_FUNDS) {
                    fail("unexpected refusal " + outcome);
                }
            }
        });

        Snapshot end = ledger.snapshot();
        assertEquals(0, end.sumCents());
        assertEquals(
                2_000_000, balance(ledger, "2001") + balance(ledger, "2002"), "transfers neither create nor destroy");
        assertMatchesReplay(end, ledger);
    }

    @Test
    void auditReportTakenWhileMoneyMovesAlwaysBalances() throws Exception {
        Ledger ledger = new Ledger(LedgerConfig.defaults().withVaultShards(4), java.time.Clock.systemUTC());
        for (int a = 0; a < 8; a++) {
            ok(Tellers.createAccount(ledger, Caller.customer(USERS.get(a % USERS.size())), "300" + a, 100_000));
        }
        AtomicBoolean moving = new AtomicBoolean(true);
        AtomicInteger reports = new AtomicInteger();
        AtomicInteger opened = new AtomicInteger();

        runWorkers(THREADS, t -> {
            if (t < 2) { // auditors: report until the movers are done, and at least a few times
                while (moving.get() || reports.get() < 10) {
                    Report report = ledger.report(AUDIT).value();
                    assertEquals(0, report.sumCents(), () -> "report out of balance: " + report);
                    reports.incrementAndGet();
                }
                return;
            }
            Random random = new Random(t);
            try {
                for (int i = 0; i < OPERATIONS_PER_THREAD / 2; i++) {
                    int a = random.nextInt(8);
                    Caller owner = Caller.customer(USERS.get(a % USERS.size()));
                    switch (random.nextInt(5)) {
                        case 0 -> Tellers.deposit(ledger, owner, "300" + a, 1 + random.nextInt(1_000));
                        case 1 -> Tellers.withdraw(ledger, owner, "300" + a, 1 + random.nextInt(1_000));
                        case 2 -> Tellers.applyLoan(ledger, owner, "300" + a, 1 + random.nextInt(1_000));
                        case 3 -> { // accounts opened during the report must not unbalance it
                            if (Tellers.createAccount(
                                            ledger, owner, String.format("4%02d%05d", t, i), 1 + random.nextInt(1_000))
                                    .isOk()) {
                                opened.incrementAndGet();
                            }
                        }
                        default ->
                            Tellers.transfer(
                                    ledger, owner, "300" + a, "300" + random.nextInt(8), 1 + random.nextInt(1_000));
                    }
                }
            } finally {
                if (t == THREADS - 1) {
                    moving.set(false);
                }
            }
        });

        assertTrue(reports.get() >= 10, () -> "too few reports: " + reports);
        assertTrue(opened.get() > 0);
        assertEquals(0, ledger.report(AUDIT).value().sumCents());
    }

    @Test
    void concurrentOpeningsOfTheSameNumbersSucceedExactlyOnceEach() throws Exception {
        Ledger ledger = new Ledger();
        int numbers = 2_000;
        AtomicInteger successes = new AtomicInteger();
        Map<String, String> winners = new ConcurrentHashMap<>();

        runWorkers(THREADS, t -> {
            Caller caller = Caller.customer("user" + t);
            for (int n = 0; n < numbers; n++) {
                String number = String.valueOf(10_000 + n);
                Outcome<Transaction> outcome = Tellers.createAccount(ledger, caller, number, 100);
                if (outcome.isOk()) {
                    successes.incrementAndGet();
                    assertNull(winners.put(number, caller.user()), () -> number + " opened twice");
                } else {
                    assertEquals(ErrorCode.DUPLICATE_ACCOUNT, outcome.error());
                }
            }
        });

        assertEquals(numbers, successes.get());
        Snapshot end = ledger.snapshot();
        assertEquals(
                numbers,
                end.accounts().stream()
                        .filter(a -> a.kind() == AccountKind.CHECKING)
                        .count());
        for (AccountView account : end.accounts()) {
            if (account.kind() == AccountKind.CHECKING) {
                assertEquals(winners.get(account.number()), account.owner());
                assertEquals(100, account.balanceCents());
            }
        }
        assertEquals(0, end.sumCents());
    }

    @Test
    void concurrentLoanApplicationsNeverExceedTheLimit() throws Exception {
        long limitCents = 1_000_000;
        long loanCents = 30_000;
        Ledger ledger = new Ledger(LedgerConfig.defaults().withLoanLimitCents(limitCents), java.time.Clock.systemUTC());
        Caller alice = Caller.customer("alice");
        ok(Tellers.createAccount(ledger, alice, "5001", 0));
        AtomicInteger granted = new AtomicInteger();

        runWorkers(THREADS, t -> {
            for (int i = 0; i < 50; i++) {
                Outcome<Transaction> outcome = Tellers.applyLoan(ledger, alice, "5001", loanCents);
                if (outcome.isOk()) {
                    granted.incrementAndGet();
                } else {
                    assertEquals(ErrorCode.LOAN_LIMIT_EXCEEDED, outcome.error());
                }
            }
        });

        assertEquals(limitCents / loanCents, granted.get(), "every loan that fits is granted, and no more");
        long outstanding = ledger.snapshot().accounts().stream()
                .mapToLong(AccountView::outstandingCents)
                .sum();
        assertEquals(granted.get() * loanCents, outstanding);
        assertTrue(outstanding <= limitCents);
    }

    // ---------------------------------------------------------------- harness

    /** Runs {@code work} on {@code threads} daemon threads released together; fails on deadlock or any worker's failure. */
    private static void runWorkers(int threads, Work work) throws InterruptedException {
        CountDownLatch startGate = new CountDownLatch(1);
        CountDownLatch endGate = new CountDownLatch(threads);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int t = 0; t < threads; t++) {
            int index = t;
            Thread worker = new Thread(
                    () -> {
                        try {
                            startGate.await();
                            work.run(index);
                        } catch (Throwable e) {
                            failure.compareAndSet(null, e);
                        } finally {
                            endGate.countDown();
                        }
                    },
                    "worker-" + t);
            worker.setDaemon(true); // a deadlock must fail the bounded wait, not hang the build
            worker.start();
        }
        startGate.countDown();
        assertTrue(endGate.await(WORKERS_BOUND_SECONDS, SECONDS), "workers stuck: deadlock?");
        if (failure.get() != null) {
            throw new AssertionError("a worker failed", failure.get());
        }
    }

    /** Balances rebuilt from the journal alone, checking every posting's balance-after on the way. */
    private static Map<String, Long> replay(Ledger ledger) {
        Map<String, Long> balances = new HashMap<>();
        long expectedSeq = 1;
        Long cursor = 0L;
        while (cursor != null) {
            Page<Transaction> page = ledger.transactions(
                            AUDIT, TransactionQuery.firstPage().after(cursor).limit(TransactionQuery.MAX_LIMIT))
                    .value();
            for (Transaction tx : page.items()) {
                assertEquals(expectedSeq++, tx.seq(), "sequence numbers have no gaps");
                if (tx.opened() != null) {
                    balances.putIfAbsent(tx.opened(), 0L);
                }
                for (Posting posting : tx.postings()) {
                    long after = balances.merge(posting.account(), posting.amountCents(), Long::sum);
                    assertEquals(after, posting.balanceAfterCents(), () -> "replay diverges at tx " + tx);
                }
            }
            cursor = page.next();
        }
        return balances;
    }

    /** Every balance in {@code snapshot} equals the replay's, and the replay names no account the snapshot lacks. */
    private static void assertMatchesReplay(Snapshot snapshot, Ledger ledger) {
        Map<String, Long> replayed = replay(ledger);
        Map<String, Long> live = new HashMap<>();
        for (AccountView account : snapshot.accounts()) {
            live.put(account.number(), account.balanceCents());
            assertEquals(replayed.getOrDefault(account.number(), 0L), account.balanceCents(), account::toString);
        }
        assertTrue(live.keySet().containsAll(replayed.keySet()), "the journal names accounts the ledger lacks");
    }

    private static long balance(Ledger ledger, String number) {
        return ledger.balance(AUDIT, number).value().balanceCents();
    }

    private static String anyOf(List<String> loans, Random random, String fallback) {
        List<String> copy = new ArrayList<>(loans);
        return copy.isEmpty() ? fallback : copy.get(random.nextInt(copy.size()));
    }

    private static <T> T ok(Outcome<T> outcome) {
        assertTrue(outcome.isOk(), () -> "expected success, got " + outcome);
        return outcome.value();
    }
}
