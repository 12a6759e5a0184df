package com.abcbank.ledger.bench;

import com.abcbank.journal.Durability;
import com.abcbank.journal.Journal;
import com.abcbank.journal.JournalCorruptedException;
import com.abcbank.ledger.Caller;
import com.abcbank.ledger.CommitLog;
import com.abcbank.ledger.Ledger;
import com.abcbank.ledger.LedgerConfig;
import com.abcbank.ledger.Outcome;
import com.abcbank.ledger.Report;
import com.abcbank.ledger.Transaction;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The ledger core alone, without a server or a socket: {@link Ledger#transfer} between {@value #ACCOUNTS} accounts,
 * on 1 and 2 threads, with the accounts picked uniformly ({@code pattern=uniform}: two threads rarely meet on an
 * account lock, so this is the uncontended path) or with 90% of transfers touching account 0
 * ({@code pattern=hot}: the hot-account case, where the two threads queue on one lock). Each transfer is
 * a committed transaction: a refusal (insufficient funds) would be far cheaper and would flatter the figure, so
 * every account opens with more than the benchmark can drain, and {@link #checkBooks} fails the run if money was
 * created or lost or a transfer was refused.
 *
 * <p>{@code journal=none} commits into {@link CommitLog#NONE}: the sequencer, the locks, the key check and the
 * bookkeeping, and nothing else. {@code journal=batch} commits into the real {@link Journal} in
 * {@link Durability#BATCH} mode in a temporary directory: the record encoding, the hash chain and the commit
 * buffer join the critical section, and the flusher thread writes (and forces, every 10 ms) on one of the cores.
 * Nothing waits for durability here; what the server adds on top of this (waiting for the force, the socket, the
 * JSON) is for {@code client bench} and {@code scripts/bench_compare.sh}.
 *
 * <p>Every iteration gets a new ledger ({@link Level#Iteration}): today's ledger keeps every committed transaction
 * on the heap, so one ledger for the whole run would grow by gigabytes and measure the collector more than the
 * ledger. Keeping them is still part of the measured cost within an iteration, as it is in the server.
 *
 * <p>Run it with {@code scripts/jmh.sh} (all of it, about two and a half minutes) or, say,
 * {@code scripts/jmh.sh LedgerTransferBenchmark -p journal=none}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(
        value = 1,
        // A fixed heap, large enough for an iteration's transactions; the journal's SLF4J has no binding here, and
        // its one-line complaint would land in the middle of JMH's progress lines.
        jvmArgsAppend = {"-Xms3g", "-Xmx3g", "-Dslf4j.internal.verbosity=ERROR"})
@State(Scope.Benchmark)
public class LedgerTransferBenchmark {
    static final int ACCOUNTS = 10_000;
    /** The account that 90% of transfers touch with {@code pattern=hot}. */
    static final int HOT = 0;
    /** Percent of transfers that touch {@link #HOT} with {@code pattern=hot}. */
    static final int HOT_PERCENT = 90;
    /** The most an opening may deposit: a transfer moves at most {@link #MAX_TRANSFER_CENTS}, so none runs dry. */
    static final long OPENING_CENTS = 100_000_000L;

    static final long MAX_TRANSFER_CENTS = 500;
    private static final Caller OWNER = Caller.customer("bench");
    private static final Caller AUDITOR = Caller.auditor("Audit");

    @Param({"none", "batch"})
    public String journal;

    @Param({"uniform", "hot"})
    public String pattern;

    Ledger ledger;
    String[] numbers;
    /** {@code pattern=hot}, read once: the measured loop compares no strings. */
    boolean hot;
    /** Transfers the ledger refused in this iteration: must stay 0 (see the class comment). */
    final AtomicLong refused = new AtomicLong();

    private Journal openJournal;
    private Path journalDir;

    @Setup(Level.Iteration)
    public void openBank() throws IOException, JournalCorruptedException {
        CommitLog log = CommitLog.NONE;
        if (journal.equals("batch")) {
            journalDir = Files.createTempDirectory("abc-bank-jmh");
            openJournal = new Journal(journalDir, Durability.BATCH, 10, Journal.DEFAULT_SEGMENT_BYTES);
            log = openJournal;
        } else if (!journal.equals("none")) {
            throw new IllegalArgumentException("journal is none or batch, not " + journal);
        }
        if (!pattern.equals("uniform") && !pattern.equals("hot")) {
            throw new IllegalArgumentException("pattern is uniform or hot, not " + pattern);
        }
        hot = pattern.equals("hot");
        ledger = new Ledger(LedgerConfig.defaults(), Clock.systemUTC(), log);
        if (openJournal != null) {
            openJournal.recover(false, ledger::replay); // an empty journal: readies it for appending
        }
        numbers = new String[ACCOUNTS];
        for (int i = 0; i < ACCOUNTS; i++) {
            numbers[i] = Integer.toString(100_000 + i);
            Outcome<Transaction> opened = ledger.createAccount(OWNER, numbers[i], OPENING_CENTS, null);
            if (!opened.isOk()) {
                throw new IllegalStateException("could not open " + numbers[i] + ": " + opened.message());
            }
        }
        refused.set(0);
    }

    /** Fails the run if the iteration created or lost money, or if any transfer was refused. */
    @TearDown(Level.Iteration)
    public void checkBooks() throws IOException {
        try {
            Report report = ledger.report(AUDITOR).value();
            if (report.sumCents() != 0 || report.checkingTotalCents() != ACCOUNTS * OPENING_CENTS) {
                throw new IllegalStateException("the books do not balance: " + report);
            }
            if (refused.get() != 0) {
                throw new IllegalStateException(
                        refused.get() + " transfers were refused; the figure is not of committed transfers");
            }
        } finally {
            closeJournal();
        }
    }

    private void closeJournal() throws IOException {
        if (openJournal == null) {
            return;
        }
        openJournal.close();
        openJournal = null;
        try (Stream<Path> files = Files.walk(journalDir)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }

    /** One thread's source of randomness: seeded per thread, so a run's sequence of pairs can be replayed. */
    @State(Scope.Thread)
    public static class Picker {
        private static final AtomicLong SEEDS = new AtomicLong(1);
        final SplittableRandom random = new SplittableRandom(SEEDS.getAndIncrement());
    }

    @Benchmark
    @Threads(1)
    public void transfer1Thread(Picker picker, Blackhole blackhole) {
        blackhole.consume(transfer(picker.random));
    }

    @Benchmark
    @Threads(2)
    public void transfer2Threads(Picker picker, Blackhole blackhole) {
        blackhole.consume(transfer(picker.random));
    }

    /** One transfer between two different accounts, chosen by {@link #pattern}, of 1 to 500 cents. */
    Outcome<Transaction> transfer(SplittableRandom random) {
        int from;
        int to;
        if (hot && random.nextInt(100) < HOT_PERCENT) {
            int other = 1 + random.nextInt(ACCOUNTS - 1);
            boolean hotPays = random.nextBoolean(); // both ways, so the hot account neither fills nor drains
            from = hotPays ? HOT : other;
            to = hotPays ? other : HOT;
        } else {
            from = random.nextInt(ACCOUNTS);
            to = (from + 1 + random.nextInt(ACCOUNTS - 1)) % ACCOUNTS;
        }
        long amountCents = 1 + random.nextLong(MAX_TRANSFER_CENTS);
        Outcome<Transaction> outcome = ledger.transfer(OWNER, numbers[from], numbers[to], amountCents, null);
        if (!outcome.isOk()) {
            refused.incrementAndGet();
        }
        return outcome;
    }
}
