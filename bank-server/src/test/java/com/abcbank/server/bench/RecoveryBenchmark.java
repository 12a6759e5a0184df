package com.abcbank.server.bench;

import com.abcbank.journal.Durability;
import com.abcbank.journal.Journal;
import com.abcbank.journal.JournalArchive;
import com.abcbank.journal.SnapshotStore;
import com.abcbank.ledger.Caller;
import com.abcbank.ledger.Ledger;
import com.abcbank.ledger.LedgerConfig;
import com.abcbank.ledger.LedgerState;
import com.abcbank.ledger.Snapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Start-up time for a journal of N transactions (default 1,000,000), replaying the whole journal versus loading
 * the newest snapshot and replaying nothing after it. Builds the journal with the real ledger and journal (batch
 * durability, to build it quickly), then times each kind of start three times and prints the medians.
 *
 * <p>Run it with {@code scripts/bench.sh recovery [TRANSACTIONS]}.
 */
public final class RecoveryBenchmark {
    private static final int ACCOUNTS = 1_000;
    private static final int RUNS = 3;

    public static void main(String[] args) throws Exception {
        long transactions = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000;
        Path data = Files.createTempDirectory("abc-bank-recovery");
        Path journalDir = data.resolve("journal");
        try {
            long started = System.nanoTime();
            Snapshot written = build(journalDir, transactions);
            System.out.printf(
                    Locale.ROOT,
                    "built a journal of %,d transactions over %,d accounts in %.1f s: %,d bytes%n",
                    written.lastSeq(),
                    ACCOUNTS,
                    (System.nanoTime() - started) / 1e9,
                    size(journalDir));

            List<Long> full = new ArrayList<>();
            Ledger recovered = null;
            for (int run = 0; run < RUNS; run++) {
                System.gc();
                long began = System.nanoTime();
                try (Journal journal = journalOf(journalDir)) {
                    recovered = new Ledger(LedgerConfig.defaults(), Clock.systemUTC(), journal);
                    journal.recover(false, recovered::replay);
                }
                full.add((System.nanoTime() - began) / 1_000_000);
                check(written, recovered);
            }

            SnapshotStore store = new SnapshotStore(data.resolve("snapshots"));
            long began = System.nanoTime();
            LedgerState state = recovered.exportState(Instant.EPOCH);
            Path file = store.write(state);
            long snapshotMs = (System.nanoTime() - began) / 1_000_000;
            recovered = null;

            List<Long> fromSnapshot = new ArrayList<>();
            for (int run = 0; run < RUNS; run++) {
                System.gc();
                long start = System.nanoTime();
                Ledger ledger;
                try (Journal journal = journalOf(journalDir)) {
                    ledger = new Ledger(LedgerConfig.defaults(), Clock.systemUTC(), journal);
                    LedgerState loaded = store.loadLatest();
                    ledger.restore(loaded, new JournalArchive(journalDir, loaded.lastSeq()));
                    journal.recover(loaded.lastSeq(), false, ledger::replay);
                }
                fromSnapshot.add((System.nanoTime() - start) / 1_000_000);
                check(written, ledger);
            }
            System.out.printf(
                    Locale.ROOT,
                    "snapshot of %,d accounts written in %d ms: %,d bytes%n",
                    state.accounts().size(),
                    snapshotMs,
                    Files.size(file));
            System.out.printf(
                    Locale.ROOT, "start, replaying the whole journal: median %,d ms (runs %s)%n", median(full), full);
            System.out.printf(
                    Locale.ROOT,
                    "start, from the snapshot:           median %,d ms (runs %s)%n",
                    median(fromSnapshot),
                    fromSnapshot);
            System.out.printf(
                    Locale.ROOT,
                    "ratio: %.0fx faster from the snapshot%n",
                    (double) median(full) / Math.max(1, median(fromSnapshot)));
        } finally {
            try (Stream<Path> paths = Files.walk(data)) {
                paths.sorted(Collections.reverseOrder())
                        .forEach(path -> path.toFile().delete());
            }
        }
    }

    private static Journal journalOf(Path dir) {
        return new Journal(dir, Durability.BATCH, 50, Journal.DEFAULT_SEGMENT_BYTES);
    }

    private static Snapshot build(Path dir, long transactions) throws IOException, Exception {
        Caller owner = Caller.customer("bench");
        Random random = new Random(1);
        try (Journal journal = journalOf(dir)) {
            Ledger ledger = new Ledger(LedgerConfig.defaults(), Clock.systemUTC(), journal);
            journal.recover(false, ledger::replay);
            for (int a = 0; a < ACCOUNTS; a++) {
                ledger.createAccount(owner, String.valueOf(100_000 + a), 10_000_000, null);
            }
            while (ledger.lastSeq() < transactions) {
                int from = random.nextInt(ACCOUNTS);
                int to = (from + 1 + random.nextInt(ACCOUNTS - 1)) % ACCOUNTS;
                ledger.transfer(
                        owner,
                        String.valueOf(100_000 + from),
                        String.valueOf(100_000 + to),
                        1 + random.nextInt(500),
                        null);
            }
            journal.awaitDurable(ledger.lastSeq());
            return ledger.snapshot();
        }
    }

    private static void check(Snapshot expected, Ledger ledger) {
        if (!expected.equals(ledger.snapshot())) {
            throw new IllegalStateException("the recovered ledger differs from the one that wrote the journal");
        }
    }

    private static long size(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.mapToLong(path -> path.toFile().length()).sum();
        }
    }

    private static long median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }
}
