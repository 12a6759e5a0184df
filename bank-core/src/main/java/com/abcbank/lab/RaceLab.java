package com.abcbank.lab;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The race: the same seeded workload of deposits, withdrawals and transfers, by {@code threads} workers on a few
 * shared laboratory accounts, run once against a ledger without locks and once against one with per-account
 * locks in one global order; for each, the total the books should show and the total they do show.
 *
 * <p>Everything reported is measured in the run. The expected total is the initial total plus the deposits minus
 * the withdrawals that the ledger said it applied (transfers move money and net to zero), each worker counting its
 * own and handing its count over through the end latch. The actual total is the sum of the balances after every
 * worker has finished. Their difference is the money the run lost (negative) or created (positive).
 *
 * <p>Workload: worker {@code t} draws its operations from its own {@link SplittableRandom} split off
 * {@code seed}, and the draws never depend on the results, so both ledgers get the same operations in the same
 * order per worker. 40% deposits, 30% withdrawals, 30% transfers between two different accounts, amounts 0.01 to
 * 50.00, on accounts that start with 1,000.00 each.
 *
 * <p>Bounded: at most {@link #MAX_THREADS} workers and {@link #MAX_OPERATIONS} operations each, and each run
 * stops at {@link #MAX_RUN_MS} whatever is left (the report says how many operations ran). Workers are daemon
 * threads.
 */
public final class RaceLab {
    public static final int MAX_THREADS = 64;
    public static final int MAX_ACCOUNTS = 100;
    public static final int MAX_OPERATIONS = 100_000;
    /** The widest race window: 10 ms. */
    public static final int MAX_WINDOW_MICROS = 10_000;
    /** Each of the two runs stops after this long, finished or not. */
    public static final long MAX_RUN_MS = 20_000;

    static final long INITIAL_BALANCE_CENTS = 100_000;
    static final long MAX_AMOUNT_CENTS = 5_000;

    /**
     * What to run.
     *
     * @param operations per worker
     * @param windowMicros the pause between read and write, 0 for none
     */
    public record Settings(int threads, int accounts, int operations, int windowMicros, long seed) {
        public Settings {
            check("threads", threads, 1, MAX_THREADS);
            check("accounts", accounts, 2, MAX_ACCOUNTS);
            check("operations", operations, 1, MAX_OPERATIONS);
            check("window", windowMicros, 0, MAX_WINDOW_MICROS);
        }

        private static void check(String name, long value, long min, long max) {
            if (value < min || value > max) {
                throw new IllegalArgumentException(name + " must be " + min + " to " + max + ": " + value);
            }
        }
    }

    /**
     * One ledger's run.
     *
     * @param ledger {@code unsafe} or {@code safe}
     * @param operations operations run (fewer than asked only if the run hit {@link #MAX_RUN_MS})
     * @param refused operations refused for want of money (as the ledger saw the balance)
     * @param differenceCents {@code actualCents - expectedCents}: negative lost, positive created
     */
    public record Run(
            String ledger,
            long operations,
            long refused,
            long initialCents,
            long expectedCents,
            long actualCents,
            long differenceCents,
            long elapsedNanos,
            boolean finished) {
        public boolean conserved() {
            return differenceCents == 0;
        }
    }

    public record Report(Settings settings, Run unsafe, Run safe) {}

    private RaceLab() {}

    /** Runs the workload against the unsafe ledger, then against the safe one. */
    public static Report run(Settings settings) throws InterruptedException {
        long windowNanos = TimeUnit.MICROSECONDS.toNanos(settings.windowMicros());
        Run unsafe = run(settings, "unsafe", accounts -> new LabLedger.Unsafe(accounts, windowNanos));
        Run safe = run(settings, "safe", accounts -> new LabLedger.Safe(accounts, windowNanos));
        return new Report(settings, unsafe, safe);
    }

    private static Run run(Settings settings, String name, Function<List<LabAccount>, LabLedger> make)
            throws InterruptedException {
        List<LabAccount> accounts = new ArrayList<>();
        for (int a = 0; a < settings.accounts(); a++) {
            accounts.add(new LabAccount(a + 1, INITIAL_BALANCE_CENTS));
        }
        LabLedger ledger = make.apply(accounts);
        long initial = ledger.totalCents();
        SplittableRandom seeds = new SplittableRandom(settings.seed());
        List<Worker> workers = new ArrayList<>();
        // A guard, not a measurement: it may start while the threads are being made.
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MAX_RUN_MS);
        for (int t = 0; t < settings.threads(); t++) {
            workers.add(new Worker(ledger, seeds.split(), settings.operations(), deadline));
        }
        long start = LabThreads.runTogether("lab-race-" + name + "-", workers, MAX_RUN_MS);
        long elapsed = System.nanoTime() - start;
        long operations = 0;
        long refused = 0;
        long net = 0;
        for (Worker worker : workers) { // published by endGate: countDown happens-before await's return
            operations += worker.operations;
            refused += worker.refused;
            net += worker.netCents;
        }
        long expected = initial + net;
        long actual = ledger.totalCents();
        boolean finished = operations == (long) settings.threads() * settings.operations();
        return new Run(name, operations, refused, initial, expected, actual, actual - expected, elapsed, finished);
    }

    /** One worker's operations and its own tally of what was applied. Confined to its thread until the end gate. */
    private static final class Worker implements Runnable {
        private final LabLedger ledger;
        private final SplittableRandom random;
        private final int count;
        private final long deadlineNanos;
        long operations;
        long refused;
        /** Deposits minus withdrawals that the ledger applied. */
        long netCents;

        Worker(LabLedger ledger, SplittableRandom random, int count, long deadlineNanos) {
            this.ledger = ledger;
            this.random = random;
            this.count = count;
            this.deadlineNanos = deadlineNanos;
        }

        @Override
        public void run() {
            List<LabAccount> accounts = ledger.accounts;
            for (int i = 0; i < count && System.nanoTime() - deadlineNanos < 0; i++) {
                int kind = random.nextInt(10);
                LabAccount account = accounts.get(random.nextInt(accounts.size()));
                int other = random.nextInt(accounts.size() - 1); // a different account: skip this one's index
                LabAccount to = accounts.get(other >= account.id - 1 ? other + 1 : other);
                long amountCents = 1 + random.nextLong(MAX_AMOUNT_CENTS);
                boolean applied;
                if (kind < 4) {
                    applied = ledger.deposit(account, amountCents);
                    netCents += applied ? amountCents : 0;
                } else if (kind < 7) {
                    applied = ledger.withdraw(account, amountCents);
                    netCents -= applied ? amountCents : 0;
                } else {
                    applied = ledger.transfer(account, to, amountCents);
                }
                operations++;
                refused += applied ? 0 : 1;
            }
        }
    }
}
