package com.abcbank.server.bench;

import com.abcbank.journal.Durability;
import com.abcbank.journal.Journal;
import com.abcbank.journal.JournalArchive;
import com.abcbank.journal.JournalCorruptedException;
import com.abcbank.journal.SnapshotStore;
import com.abcbank.ledger.Caller;
import com.abcbank.ledger.Ledger;
import com.abcbank.ledger.LedgerConfig;
import com.abcbank.ledger.LedgerState;
import com.abcbank.ledger.Report;
import com.abcbank.server.BenchAccess;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Writes a big bank's data directory, for {@code scripts/bigbank.sh}: the journal, a snapshot, the users file, and
 * {@code bigbank.properties} saying what is in it. Everything goes through the public {@link Ledger}, {@link Journal}
 * and {@link SnapshotStore}, as the server itself would write it, so the server starts on it unchanged: the newest
 * snapshot, then the journal's tail after it.
 *
 * <p>The bank: {@code --users} customers; {@code --accounts} accounts, of which {@code --loan-percent} are loans
 * and the rest checking accounts (customer {@code i % users} owns checking account {@code i}); then transactions
 * up to {@code --transactions} in all (openings and loans count): 65% transfers, 15% deposits, 15% withdrawals, 5%
 * loan payments, a {@code --keyed-percent} of them with an idempotency key. A refusal (too little money) commits
 * nothing and is counted. Seeded: the same options give the same accounts, balances and transactions; only the
 * times move with the day it is run.
 *
 * <p>Time is simulated: the transactions are spread evenly over the {@code --days} before now, so that the
 * idempotency keys a server still remembers are those of the last {@link BenchAccess#keyWindow()} (a day), as in a
 * bank that has been running that long, not all of them.
 *
 * <p>Durability {@link Durability#BATCH}: the journal is forced every 50 ms, not per transaction; the whole journal
 * is forced before the snapshot and at the end, so what is on disk is exactly what a durable server would have
 * written. The snapshot is taken {@code --tail} transactions before the end, as the server's schedule would have
 * (every 100,000 by default, so half of that is an average start after a crash): a start loads it and replays
 * the tail.
 *
 * <p>The generator's own heap: today's ledger keeps every transaction it committed in memory, so every
 * {@code --restart-every} transactions the generator does what a restarted server does: exports the state, and
 * goes on with a new ledger restored from it (the older history read from the journal files). That bounds its
 * heap by about that many transactions (650 bytes each today) plus the accounts.
 */
@Command(
        name = "BigBank",
        mixinStandardHelpOptions = true,
        description = "Writes a big bank's data directory (see scripts/bigbank.sh).")
public final class BigBank implements Callable<Integer> {
    /** What is in a generated bank: written last, so a directory holding it holds a whole bank. */
    public static final String MANIFEST = "bigbank.properties";

    @Option(names = "--dir", required = true, description = "The data directory to create (must be empty or absent).")
    Path dir;

    @Option(names = "--accounts", defaultValue = "1000000", description = "Accounts, loans included.")
    int accounts;

    @Option(names = "--transactions", defaultValue = "10000000", description = "Transactions in all.")
    long transactions;

    @Option(names = "--users", description = "Customers (default: a quarter of the accounts).")
    Integer users;

    @Option(names = "--loan-percent", defaultValue = "5", description = "Percent of the accounts that are loans.")
    int loanPercent;

    @Option(names = "--keyed-percent", defaultValue = "10", description = "Percent of requests with a key.")
    int keyedPercent;

    @Option(names = "--days", defaultValue = "30", description = "The simulated time the transactions span.")
    int days;

    @Option(names = "--tail", defaultValue = "50000", description = "Transactions after the snapshot.")
    long tail;

    @Option(names = "--restart-every", defaultValue = "1000000", description = "Restart the ledger this often.")
    long restartEvery;

    @Option(names = "--seed", defaultValue = "1", description = "The random seed.")
    long seed;

    @Option(
            names = "--pbkdf2-iterations",
            defaultValue = "4096",
            description = "Work factor of the passwords (4096 at least).")
    int pbkdf2Iterations;

    /** Where the progress lines go. */
    PrintStream progress = System.out;

    public static void main(String[] args) {
        System.exit(new CommandLine(new BigBank()).execute(args));
    }

    @Override
    public Integer call() throws IOException, JournalCorruptedException {
        BigBankPlan plan = plan();
        long started = System.nanoTime();
        Files.createDirectories(dir);
        try (var entries = Files.list(dir)) {
            if (entries.findAny().isPresent()) {
                throw new CommandLine.ParameterException(
                        new CommandLine(this), "--dir " + dir + " is not empty: generate into a new directory");
            }
        }
        BigBankUsers.write(dir, plan.users(), pbkdf2Iterations);
        progress.printf(Locale.ROOT, "users: %,d customers and the auditor written%n", plan.users());
        Result result = build(plan);
        double seconds = (System.nanoTime() - started) / 1e9;
        writeManifest(plan, result, seconds);
        progress.printf(
                Locale.ROOT,
                "done: %,d accounts (%,d loans), %,d transactions (%,d refused requests), snapshot at tx %,d,"
                        + " in %.1f s%n",
                result.report().checkingAccounts() + result.report().loanAccounts(),
                result.report().loanAccounts(),
                result.report().transactions(),
                result.refused(),
                result.snapshotSeq(),
                seconds);
        return 0;
    }

    /** The checked options. */
    BigBankPlan plan() {
        int customers = users != null ? users : Math.max(1, accounts / 4);
        if (days < 0 || restartEvery < 1 || pbkdf2Iterations < 4096) {
            throw new CommandLine.ParameterException(
                    new CommandLine(this),
                    "--days must be 0 or more, --restart-every 1 or more, --pbkdf2-iterations 4096 or more");
        }
        try {
            return BigBankPlan.of(accounts, transactions, customers, loanPercent, keyedPercent, tail, seed);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(new CommandLine(this), e.getMessage());
        }
    }

    /** What {@link #build} made. */
    record Result(Report report, long snapshotSeq, long refused) {}

    private Result build(BigBankPlan plan) throws IOException, JournalCorruptedException {
        Path journalDir = dir.resolve("journal");
        SimulatedClock clock = new SimulatedClock(
                Instant.now().minus(Duration.ofDays(days)),
                Duration.ofDays(days).dividedBy(plan.transactions()));
        BigBankWorkload workload = new BigBankWorkload(plan);
        Journal journal = journalOf(journalDir);
        Ledger ledger = new Ledger(LedgerConfig.defaults(), clock, journal);
        journal.recover(false, ledger::replay);
        long snapshotSeq = 0;
        long nextRestart = restartEvery;
        long nextProgress = progressStep(plan);
        long started = System.nanoTime();
        try {
            while (ledger.lastSeq() < plan.transactions()) {
                clock.tick();
                workload.next(ledger);
                long seq = ledger.lastSeq();
                if (seq == plan.snapshotSeq() && snapshotSeq == 0) {
                    snapshotSeq = snapshot(ledger, journal, clock);
                }
                if (seq >= nextRestart && seq < plan.transactions()) {
                    nextRestart = seq + restartEvery;
                    ledger.forgetKeysBefore(clock.instant().minus(BenchAccess.keyWindow()));
                    LedgerState state = ledger.exportState(clock.instant().minus(BenchAccess.keyWindow()));
                    journal.awaitForced(state.lastSeq());
                    journal.close();
                    journal = journalOf(journalDir);
                    ledger = restored(state, journal, journalDir, clock);
                }
                if (seq >= nextProgress) {
                    nextProgress += progressStep(plan);
                    double seconds = (System.nanoTime() - started) / 1e9;
                    progress.printf(
                            Locale.ROOT,
                            "%,d / %,d transactions, %,d refused, %.0f s, %,.0f tx/s%n",
                            seq,
                            plan.transactions(),
                            workload.refused(),
                            seconds,
                            seq / seconds);
                }
            }
            journal.awaitForced(ledger.lastSeq());
            Report report = ledger.report(Caller.auditor("Audit")).value();
            return new Result(report, snapshotSeq, workload.refused());
        } finally {
            journal.close();
        }
    }

    private static long progressStep(BigBankPlan plan) {
        return Math.max(1, plan.transactions() / 10);
    }

    /** Writes a snapshot as the server's schedule does: the state, forced journal, then the file. */
    private long snapshot(Ledger ledger, Journal journal, Clock clock) throws IOException {
        LedgerState state = ledger.exportState(clock.instant().minus(BenchAccess.keyWindow()));
        journal.awaitForced(state.lastSeq());
        Path file = new SnapshotStore(dir.resolve("snapshots")).write(state);
        progress.printf(
                Locale.ROOT,
                "snapshot %s: %,d accounts, %,d remembered keys, as of tx %,d%n",
                file.getFileName(),
                state.accounts().size(),
                state.keyed().size(),
                state.lastSeq());
        return state.lastSeq();
    }

    /** A new ledger going on from {@code state}, as a server restarted on it would. */
    private static Ledger restored(LedgerState state, Journal journal, Path journalDir, Clock clock)
            throws IOException, JournalCorruptedException {
        Ledger ledger = new Ledger(LedgerConfig.defaults(), clock, journal);
        ledger.restore(state, new JournalArchive(journalDir, state.lastSeq()));
        journal.recover(state.lastSeq(), false, ledger::replay);
        return ledger;
    }

    private static Journal journalOf(Path journalDir) {
        return new Journal(journalDir, Durability.BATCH, 50, Journal.DEFAULT_SEGMENT_BYTES);
    }

    private void writeManifest(BigBankPlan plan, Result result, double seconds) throws IOException {
        Properties manifest = new Properties();
        Report report = result.report();
        manifest.setProperty("users", Integer.toString(plan.users()));
        manifest.setProperty("accounts", Long.toString((long) report.checkingAccounts() + report.loanAccounts()));
        manifest.setProperty("checking", Integer.toString(report.checkingAccounts()));
        manifest.setProperty("loans", Integer.toString(report.loanAccounts()));
        manifest.setProperty("transactions", Long.toString(report.transactions()));
        manifest.setProperty("snapshotSeq", Long.toString(result.snapshotSeq()));
        manifest.setProperty("refused", Long.toString(result.refused()));
        manifest.setProperty("checkingTotalCents", Long.toString(report.checkingTotalCents()));
        manifest.setProperty("seed", Long.toString(plan.seed()));
        manifest.setProperty("seconds", String.format(Locale.ROOT, "%.1f", seconds));
        manifest.setProperty("sample.user", BigBankUsers.name(0));
        manifest.setProperty("sample.account", BigBankWorkload.checkingNumber(0));
        manifest.setProperty("sample.user2", BigBankUsers.name(plan.users() / 2));
        manifest.setProperty("sample.account2", BigBankWorkload.checkingNumber(plan.users() / 2));
        manifest.setProperty("passwordFile", BigBankUsers.PASSWORD_FILE);
        Path temporary = dir.resolve(MANIFEST + ".tmp");
        try (OutputStream out = Files.newOutputStream(temporary)) {
            manifest.store(out, "written by " + BigBank.class.getName());
        }
        Files.move(temporary, dir.resolve(MANIFEST));
    }

    /** Starts {@code span} before now and moves on by one step per transaction: the generator's one thread. */
    static final class SimulatedClock extends Clock {
        private final Duration step;
        private Instant now;

        SimulatedClock(Instant start, Duration step) {
            this.now = start;
            this.step = step;
        }

        void tick() {
            now = now.plus(step);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException("the bank's clock is UTC");
        }
    }
}
