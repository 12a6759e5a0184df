package com.abcbank.ledger;

import com.abcbank.journal.Durability;
import com.abcbank.journal.Journal;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Measures the heap a bank retains per account and per transaction with a journal (bounded memory): not a test (a
 * unit test must not assert memory), a command the lead runs:
 *
 * <pre>
 * ./mvnw -B -q -o test-compile -pl bank-core
 * M=~/.m2/repository
 * java -Xmx1g -cp bank-core/target/classes:bank-core/target/test-classes:$M/org/slf4j/slf4j-api/2.0.16/slf4j-api-2.0.16.jar\
 * :$M/ch/qos/logback/logback-classic/1.5.12/logback-classic-1.5.12.jar:$M/ch/qos/logback/logback-core/1.5.12/logback-core-1.5.12.jar \
 *     com.abcbank.ledger.HeapFootprint 200000 1000000
 * </pre>
 *
 * Arguments: accounts, transactions (transfers between random accounts), and optionally the share of them sent with an
 * idempotency key, in percent (default 0). It opens the accounts (each with a deposit: one transaction each), then
 * runs the transfers on one thread in batch durability, waits until the journal has indexed everything, and reads
 * the used heap after full collections at half and at the full size of each; the differences, divided, are the
 * figures (so fixed costs cancel out). Then it restarts from the journal alone and reports the start's time and
 * heap. Logback on the class path shows the journal's own timings (replay, index). The figures include the ledger's
 * whole retained state: accounts, their indexes, the journal's position index, held transactions (none once
 * indexed) and remembered keys.
 */
public final class HeapFootprint {
    private static final Caller OWNER = Caller.customer("owner");

    private HeapFootprint() {}

    public static void main(String[] args) throws Exception {
        int accounts = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int transactions = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
        int keyedPercent = args.length > 2 ? Integer.parseInt(args[2]) : 0;
        Path dir = Files.createTempDirectory("heap-footprint");
        try {
            run(dir, accounts, transactions, keyedPercent);
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder())
                        .forEach(path -> path.toFile().delete());
            }
        }
    }

    private static void run(Path dir, int accounts, int transactions, int keyedPercent) throws Exception {
        long[] heap = new long[4]; // after half the accounts, all of them, half the transactions, all of them
        try (Journal journal = new Journal(dir, Durability.BATCH, 10, Journal.DEFAULT_SEGMENT_BYTES)) {
            Ledger ledger = new Ledger(LedgerConfig.defaults(), Clock.systemUTC(), journal);
            journal.recover(false, ledger::replay);
            for (int i = 0; i < accounts; i++) {
                ledger.createAccount(OWNER, number(i), 1_000_000, null);
                if (i + 1 == accounts / 2 || i + 1 == accounts) {
                    settle(journal, ledger);
                    heap[i + 1 == accounts ? 1 : 0] = usedAfterGc();
                }
            }
            Random random = new Random(1);
            long started = System.nanoTime();
            for (int i = 0; i < transactions; i++) {
                int from = random.nextInt(accounts);
                int to = (from + 1 + random.nextInt(accounts - 1)) % accounts;
                String key = random.nextInt(100) < keyedPercent ? "k-" + i : null;
                ledger.transfer(OWNER, number(from), number(to), 1 + random.nextInt(100), key);
                if (i + 1 == transactions / 2) {
                    settle(journal, ledger);
                    heap[2] = usedAfterGc();
                }
            }
            long commitMs = (System.nanoTime() - started) / 1_000_000;
            settle(journal, ledger);
            heap[3] = usedAfterGc();
            print(
                    "committed %,d transactions in %,d ms (one thread, batch durability, with pauses to measure)",
                    transactions, commitMs);
            print(
                    "held as objects once indexed: %,d; keys remembered: %,d; heap used at the end: %,d bytes",
                    ledger.heldTransactions(), ledger.rememberedKeys(), heap[3]);
        }
        // Differences between two sizes of the same bank: fixed costs (the journal's buffers, a page of positions)
        // cancel out.
        print(
                "bytes per account (with its opening deposit): %,.1f",
                (double) (heap[1] - heap[0]) / (accounts - accounts / 2));
        print("bytes per transaction: %,.1f", (double) (heap[3] - heap[2]) / (transactions - transactions / 2));
        long started = System.nanoTime();
        try (Journal journal = new Journal(dir, Durability.BATCH, 10, Journal.DEFAULT_SEGMENT_BYTES)) {
            Ledger restarted = new Ledger(LedgerConfig.defaults(), Clock.systemUTC(), journal);
            journal.recover(false, restarted::replay);
            long startMs = (System.nanoTime() - started) / 1_000_000;
            restarted.awaitIndexed(restarted.lastSeq(), 600_000);
            long indexedMs = (System.nanoTime() - started) / 1_000_000;
            print(
                    "restart from the journal alone: serving after %,d ms (replay); history indexed after %,d ms;"
                            + " heap used then %,d bytes",
                    startMs, indexedMs, usedAfterGc());
            print(
                    "a history page after the restart: %d entries",
                    restarted
                            .history(Caller.auditor("Audit"), number(0), 0, 100)
                            .value()
                            .items()
                            .size());
        }
    }

    private static void settle(Journal journal, Ledger ledger) {
        journal.awaitDurable(ledger.lastSeq());
        ledger.awaitIndexed(ledger.lastSeq(), 600_000);
    }

    private static String number(int i) {
        return String.format(Locale.ROOT, "%08d", i);
    }

    private static long usedAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    @SuppressWarnings("AnnotateFormatMethod")
    private static void print(String format, Object... args) {
        System.out.println(String.format(Locale.ROOT, format, args));
    }
}
