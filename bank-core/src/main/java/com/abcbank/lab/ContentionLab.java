package com.abcbank.lab;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Lock contention made visible: the same workload run twice, once with every worker on one shared laboratory
 * account ({@code one account}) and once with worker {@code i} on an account of its own ({@code separate
 * accounts}), recording for every operation when it asked for the account's lock, when it got it and when it let
 * it go.
 *
 * <p>An operation follows the real ledger's discipline, one {@link java.util.concurrent.locks.ReentrantLock} per
 * account ({@link LabAccount#lock}, the lock {@link LabLedger.Safe} takes): note the time (requested), take the
 * lock, note the time (acquired), hold it for {@code holdMicros} (parked in a loop until the deadline: the work a
 * real operation does inside its locks, like {@link RaceLab}'s window), deposit {@link #DEPOSIT_CENTS} through
 * {@link LabLedger.Safe} (its own {@code lock()} on the lock this thread already holds only counts up: the lock is
 * reentrant), note the time (released), unlock. Parking gives the core away, so the picture is the same on one
 * core as on sixteen: the waiting is for the lock, not for a CPU.
 *
 * <p>What the report shows, and the tests hold it to: on one account the intervals never overlap (one holder at a
 * time, so the run lasts at least threads × operations × hold); on separate accounts they do, because nobody
 * waits for anybody. Released is noted before the unlock and acquired after the lock, so one holder's released
 * is never after the next holder's acquired, even in whole microseconds (both truncate the same monotonic clock).
 * The lock is not fair, like the ledger's: a worker that lets go and at once asks again often gets it back before
 * the workers already queued wake up, so one worker may run several operations in a row while the others wait.
 *
 * <p>Money is checked too: after each run every account holds its initial balance plus one deposit per operation
 * on it, or the run throws (a broken invariant, not a result).
 *
 * <p>Bounded: at most {@link #MAX_THREADS} workers, {@link #MAX_OPERATIONS} operations each and
 * {@link #MAX_HOLD_MICROS} per hold, and threads × operations × hold at most {@link #MAX_TOTAL_HOLD_MICROS} (the
 * one-account run holds its lock that long, one worker after another). Each run also stops starting operations
 * at {@link #MAX_RUN_MS} (then it has fewer than threads × operations intervals). Workers are daemon threads,
 * named {@code lab-contention-worker-N}; the report calls them {@code worker-N}.
 */
public final class ContentionLab {
    public static final int MAX_THREADS = 16;
    public static final int MAX_OPERATIONS = 50;
    /** The longest hold: 100 ms. */
    public static final int MAX_HOLD_MICROS = 100_000;
    /** The most threads × operations × holdMicros may come to: 5 s of holding, the one-account run's length. */
    public static final long MAX_TOTAL_HOLD_MICROS = 5_000_000;
    /** Each of the two runs starts no operation after this long (a guard: the bounds above keep far below it). */
    public static final long MAX_RUN_MS = 15_000;

    public static final String ONE_ACCOUNT = "one account";
    public static final String SEPARATE_ACCOUNTS = "separate accounts";

    /** What each operation deposits: 1.00. */
    static final long DEPOSIT_CENTS = 100;

    static final long INITIAL_BALANCE_CENTS = 0;

    /**
     * What to run.
     *
     * @param operations per worker
     * @param holdMicros how long each operation holds its account's lock, 0 for only the deposit
     */
    public record Settings(int threads, int operations, int holdMicros) {
        public Settings {
            check("threads", threads, 1, MAX_THREADS);
            check("operations", operations, 1, MAX_OPERATIONS);
            check("hold", holdMicros, 0, MAX_HOLD_MICROS);
            long total = (long) threads * operations * holdMicros;
            if (total > MAX_TOTAL_HOLD_MICROS) {
                throw new IllegalArgumentException("threads * operations * hold must be at most "
                        + MAX_TOTAL_HOLD_MICROS + " us (" + MAX_TOTAL_HOLD_MICROS / 1_000_000
                        + " s: the one-account run holds its lock that long): " + threads + " * " + operations
                        + " * " + holdMicros + " = " + total + " us");
            }
        }

        private static void check(String name, long value, long min, long max) {
            if (value < min || value > max) {
                throw new IllegalArgumentException(name + " must be " + min + " to " + max + ": " + value);
            }
        }
    }

    /**
     * One operation, in microseconds from its run's start.
     *
     * @param thread {@code worker-1}, {@code worker-2}, ...
     * @param account {@code A}, {@code B}, ...
     * @param requestedMicros when the worker asked for the lock
     * @param acquiredMicros when it got it (the wait is {@code acquiredMicros - requestedMicros})
     * @param releasedMicros when it let it go, after the hold and the deposit
     */
    public record Interval(
            String thread, String account, long requestedMicros, long acquiredMicros, long releasedMicros) {}

    /**
     * One of the two runs.
     *
     * @param name {@link #ONE_ACCOUNT} or {@link #SEPARATE_ACCOUNTS}
     * @param accounts the accounts' names, {@code A} first
     * @param elapsedMicros from the start gate to the last worker's end
     * @param intervals every operation, worker by worker, each worker's in the order it ran them
     */
    public record Run(String name, List<String> accounts, long elapsedMicros, List<Interval> intervals) {
        public Run {
            accounts = List.copyOf(accounts);
            intervals = List.copyOf(intervals);
        }
    }

    /** The two runs: {@link #ONE_ACCOUNT}, then {@link #SEPARATE_ACCOUNTS}. */
    public record Report(Settings settings, List<Run> runs) {
        public Report {
            runs = List.copyOf(runs);
        }
    }

    private ContentionLab() {}

    /** Runs the workload with every worker on account A, then with worker {@code i} on account {@code i}. */
    public static Report run(Settings settings) throws InterruptedException {
        Run one = run(settings, ONE_ACCOUNT, accounts(1));
        Run separate = run(settings, SEPARATE_ACCOUNTS, accounts(settings.threads()));
        return new Report(settings, List.of(one, separate));
    }

    /** Fresh accounts with ids 1..count, named A.. by {@link #name}. */
    static List<LabAccount> accounts(int count) {
        List<LabAccount> accounts = new ArrayList<>();
        for (int a = 1; a <= count; a++) {
            accounts.add(new LabAccount(a, INITIAL_BALANCE_CENTS));
        }
        return accounts;
    }

    static String name(LabAccount account) {
        return String.valueOf((char) ('A' + account.id - 1));
    }

    /**
     * One run on {@code accounts} (given, so that a test can read their balances afterwards): worker {@code t}
     * (from 0) works on {@code accounts.get(t % accounts.size())}.
     */
    static Run run(Settings settings, String name, List<LabAccount> accounts) throws InterruptedException {
        LabLedger ledger = new LabLedger.Safe(accounts, 0);
        long[] before = new long[accounts.size()];
        for (int a = 0; a < before.length; a++) {
            before[a] = accounts.get(a).balanceCents;
        }
        long holdNanos = TimeUnit.MICROSECONDS.toNanos(settings.holdMicros());
        List<Worker> workers = new ArrayList<>();
        // A guard, not a measurement: it may start while the threads are being made.
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MAX_RUN_MS);
        for (int t = 0; t < settings.threads(); t++) {
            workers.add(new Worker(
                    "worker-" + (t + 1),
                    ledger,
                    accounts.get(t % accounts.size()),
                    settings.operations(),
                    holdNanos,
                    deadline));
        }
        long start = LabThreads.runTogether("lab-contention-worker-", workers, MAX_RUN_MS);
        long elapsedMicros = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - start);
        List<Interval> intervals = new ArrayList<>();
        for (Worker worker : workers) { // published by endGate: countDown happens-before await's return
            intervals.addAll(worker.intervals(start));
        }
        checkDeposits(name, accounts, before, intervals);
        List<String> names = accounts.stream().map(ContentionLab::name).toList();
        return new Run(name, names, elapsedMicros, intervals);
    }

    /** Every account holds what it held plus one deposit per operation on it; anything else is a bug here. */
    private static void checkDeposits(String run, List<LabAccount> accounts, long[] before, List<Interval> intervals) {
        for (int a = 0; a < before.length; a++) {
            String account = name(accounts.get(a));
            long operations =
                    intervals.stream().filter(i -> i.account().equals(account)).count();
            long expected = before[a] + operations * DEPOSIT_CENTS;
            if (accounts.get(a).balanceCents != expected) {
                throw new IllegalStateException(run + ": account " + account + " holds "
                        + accounts.get(a).balanceCents + " cents, not " + expected + " after " + operations
                        + " deposits of " + DEPOSIT_CENTS);
            }
        }
    }

    /**
     * One worker's operations and their times. Confined to its thread until the end gate. The times are kept as
     * {@link System#nanoTime} readings, three per operation, and made into intervals after the run: the run's start
     * is read only once every worker waits at the gate, so making the threads is not part of the picture.
     */
    private static final class Worker implements Runnable {
        final String thread;
        private final LabLedger ledger;
        private final LabAccount account;
        private final int count;
        private final long holdNanos;
        private final long deadlineNanos;
        /** Requested, acquired, released: operation {@code i} at {@code 3 * i}. */
        private final long[] nanos;

        private int done;

        Worker(String thread, LabLedger ledger, LabAccount account, int count, long holdNanos, long deadlineNanos) {
            this.thread = thread;
            this.ledger = ledger;
            this.account = account;
            this.count = count;
            this.holdNanos = holdNanos;
            this.deadlineNanos = deadlineNanos;
            this.nanos = new long[3 * count];
        }

        @Override
        public void run() {
            for (int i = 0; i < count && System.nanoTime() - deadlineNanos < 0; i++) {
                long requested = System.nanoTime();
                long acquired;
                long released;
                account.lock.lock();
                try {
                    acquired = System.nanoTime();
                    hold(acquired + holdNanos);
                    if (!ledger.deposit(account, DEPOSIT_CENTS)) { // reentrant: this thread holds the lock
                        throw new IllegalStateException("the safe ledger refused a deposit");
                    }
                    released = System.nanoTime(); // before the unlock: never after the next holder's acquired
                } finally {
                    account.lock.unlock();
                }
                nanos[3 * done] = requested;
                nanos[3 * done + 1] = acquired;
                nanos[3 * done + 2] = released;
                done++;
            }
        }

        /**
         * Parks until {@code untilNanos}. In a loop: {@code parkNanos} may return early (spuriously, or at an
         * interrupt, after which it returns at once; the hold is bounded either way).
         */
        private static void hold(long untilNanos) {
            for (long left = untilNanos - System.nanoTime(); left > 0; left = untilNanos - System.nanoTime()) {
                LockSupport.parkNanos(left);
            }
        }

        /** The operations run, in whole microseconds from {@code startNanos}: truncated alike, so order is kept. */
        List<Interval> intervals(long startNanos) {
            String accountName = name(account);
            List<Interval> intervals = new ArrayList<>();
            for (int i = 0; i < done; i++) {
                intervals.add(new Interval(
                        thread,
                        accountName,
                        TimeUnit.NANOSECONDS.toMicros(nanos[3 * i] - startNanos),
                        TimeUnit.NANOSECONDS.toMicros(nanos[3 * i + 1] - startNanos),
                        TimeUnit.NANOSECONDS.toMicros(nanos[3 * i + 2] - startNanos)));
            }
            return intervals;
        }
    }
}
