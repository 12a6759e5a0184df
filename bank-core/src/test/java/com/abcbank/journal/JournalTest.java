package com.abcbank.journal;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.abcbank.ledger.Caller;
import com.abcbank.ledger.HistoryEntry;
import com.abcbank.ledger.Ledger;
import com.abcbank.ledger.LedgerConfig;
import com.abcbank.ledger.Outcome;
import com.abcbank.ledger.Page;
import com.abcbank.ledger.Snapshot;
import com.abcbank.ledger.Tellers;
import com.abcbank.ledger.Transaction;
import com.abcbank.ledger.TransactionQuery;
import com.abcbank.ledger.TxType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The journal in normal operation: what is acknowledged comes back after a restart, exactly (balances, the audit
 * pages, idempotency keys), across segments, under concurrent group commit, in each {@link Durability}; and a disk
 * that fails stops acknowledgement for good. Damage and torn writes are {@link JournalCrashRecoveryTest}'s.
 *
 * <p>The static helpers here (opening a bank on a directory, comparing two banks, reading frames) are shared with
 * {@link JournalCrashRecoveryTest}.
 */
class JournalTest {
    static final LedgerConfig CONFIG = LedgerConfig.defaults();
    static final Caller AUDITOR = Caller.auditor("auditor");
    static final Caller ALICE = Caller.customer("alice");
    static final Caller BOB = Caller.customer("bob");
    static final Caller CAROL = Caller.customer("carol");
    /** Bounds every wait that a healthy journal finishes in milliseconds, well below the writer's own 30 s. */
    static final Duration BOUND = Duration.ofSeconds(10);

    @TempDir
    Path tmp;

    // ---------------------------------------------------------------- round trip

    @Test
    void aRestartRebuildsTheSameBooksAndKeysFromRandomWork() throws Exception {
        Path dir = tmp.resolve("journal");
        Workload work;
        Ledger original;
        try (Bank bank = open(dir, Durability.FSYNC, Journal.DEFAULT_SEGMENT_BYTES)) {
            work = randomWork(bank, 400, 42);
            original = bank.ledger();
        }
        assertEquals(EnumSet.allOf(TxType.class), work.types(), "the workload covers every kind of transaction");
        assertTrue(work.keyed.size() >= 50, "enough keyed requests to retry: " + work.keyed.size());
        long lastSeq = original.lastSeq();
        assertEquals(work.committed.size(), lastSeq);

        try (Bank restarted = open(dir, Durability.FSYNC, Journal.DEFAULT_SEGMENT_BYTES)) {
            assertEquals(
                    new Journal.Recovery(
                            lastSeq, lastSeq, 0, restarted.recovery().millis()),
                    restarted.recovery());
            assertSameBooks(original, restarted.ledger());
            assertEquals(work.committed, transactions(restarted.ledger()), "every transaction, field by field");
            Snapshot before = restarted.ledger().snapshot();

            for (Keyed keyed : work.keyed) {
                Outcome<Transaction> retry = keyed.request().apply(restarted.ledger());
                assertEquals(keyed.tx(), retry.value(), "a retry after the restart is the first attempt's transaction");
            }
            assertEquals(before, restarted.ledger().snapshot(), "retries moved nothing");
            assertEquals(lastSeq, restarted.ledger().lastSeq());

            // The chain and the sequence go on from where they stopped.
            Transaction next = commit(
                    restarted,
                    restarted.ledger().deposit(ALICE, work.accounts.get(ALICE).get(0), 1_00, "after-restart"));
            assertEquals(lastSeq + 1, next.seq());
        }
        try (Bank again = open(dir, Durability.FSYNC, Journal.DEFAULT_SEGMENT_BYTES)) {
            assertEquals(lastSeq + 1, again.recovery().lastSeq());
            assertEquals(work.committed, transactions(again.ledger()).subList(0, (int) lastSeq));
            assertEquals(
                    "after-restart", again.ledger().transaction(lastSeq + 1).key());
        }
    }

    @Test
    void anEmptyJournalRecoversToAnEmptyBankAndThenKeepsItsFirstTransaction() throws Exception {
        Path dir = tmp.resolve("journal");
        Transaction first;
        try (Bank bank = open(dir, Durability.FSYNC, Journal.DEFAULT_SEGMENT_BYTES)) {
            assertEquals(0, bank.recovery().lastSeq());
            assertEquals(0, bank.recovery().records());
            assertEquals(List.of(Segments.path(dir, 1)), Segments.list(dir), "the first segment is made at start");
            first = commit(bank, Tellers.createAccount(bank.ledger(), ALICE, "1001", 5_000));
        }
        try (Bank bank = open(dir, Durability.FSYNC, Journal.DEFAULT_SEGMENT_BYTES)) {
            assertEquals(1, bank.recovery().lastSeq());
            assertEquals(first, bank.ledger().transaction(1));
        }
    }

    // ---------------------------------------------------------------- segments

    @Test
    void smallSegmentsRollOverAndARestartReadsAcrossAllOfThem() throws Exception {
        Path dir = tmp.resolve("journal");
        Workload work;
        Ledger original;
        try (Bank bank = open(dir, Durability.FSYNC, 4096)) {
            work = randomWork(bank, 300, 7);
            original = bank.ledger();
        }
        List<Path> segments = Segments.list(dir);
        assertTrue(segments.size() >= 5, "4 KiB segments should have rolled over: " + segments);
        for (Path segment : segments) {
            byte[] bytes = Files.readAllBytes(segment);
            List<Integer> starts = frameStarts(bytes);
            assertTrue(!starts.isEmpty(), segment + " is empty");
            assertEquals(
                    Segments.firstSeq(segment),
                    decode(bytes, starts.get(0)).seq(),
                    segment + " is named after its first record");
        }
        for (int i = 0; i < segments.size() - 1; i++) {
            long size = Files.size(segments.get(i));
            assertTrue(size >= 4096, "a closed segment reached the limit before rolling over: " + size);
        }

        try (Bank restarted = open(dir, Durability.FSYNC, 4096)) {
            assertEquals(original.lastSeq(), restarted.recovery().lastSeq());
            assertEquals(original.lastSeq(), restarted.recovery().records());
            assertSameBooks(original, restarted.ledger());
            assertEquals(work.committed, transactions(restarted.ledger()));
            // Appending goes on in the last segment, or a new one, named after its first record.
            for (int i = 0; i < 40; i++) {
                commit(
                        restarted,
                        Tellers.deposit(
                                restarted.ledger(), BOB, work.accounts.get(BOB).get(0), 1 + i));
            }
        }
        try (Bank again = open(dir, Durability.FSYNC, 4096)) {
            assertEquals(original.lastSeq() + 40, again.recovery().lastSeq());
            assertEquals(work.committed, transactions(again.ledger()).subList(0, work.committed.size()));
        }
        Path last = Segments.list(dir).get(Segments.list(dir).size() - 1);
        byte[] bytes = Files.readAllBytes(last);
        assertEquals(Segments.firstSeq(last), decode(bytes, 0).seq());
    }

    // ---------------------------------------------------------------- group commit

    @Test
    void concurrentCommittersAreAllKeptAndNoAcknowledgedTransactionIsLost() throws Exception {
        int threadCount = 16;
        int transfersPerThread = 500;
        Path dir = tmp.resolve("journal");
        var acknowledged = new ConcurrentLinkedQueue<Transaction>();
        Snapshot closedWith;
        try (Bank bank = open(dir, Durability.FSYNC, Journal.DEFAULT_SEGMENT_BYTES)) {
            Ledger ledger = bank.ledger();
            for (int t = 0; t < threadCount; t++) {
                commit(bank, Tellers.createAccount(ledger, user(t), account(t), 1_000_000));
            }
            var startGate = new CountDownLatch(1);
            var endGate = new CountDownLatch(threadCount);
            var failure = new AtomicReference<Throwable>();
            for (int t = 0; t < threadCount; t++) {
                int me = t;
                var random = new Random(t); // seeded: replayable
                var worker = new Thread(
                        () -> {
                            try {
                                startGate.await();
                                for (int i = 0; i < transfersPerThread; i++) {
                                    int other = (me + 1 + random.nextInt(threadCount - 1)) % threadCount;
                                    // 500 transfers of at most 5.00 cannot empty a 10,000.00 account: all commit.
                                    Transaction tx = Tellers.transfer(
                                                    ledger,
                                                    user(me),
                                                    account(me),
                                                    account(other),
                                                    1 + random.nextInt(500))
                                            .value();
                                    bank.journal().awaitDurable(tx.seq());
                                    acknowledged.add(tx);
                                }
                            } catch (Throwable e) {
                                failure.compareAndSet(null, e);
                            } finally {
                                endGate.countDown();
                            }
                        },
                        "committer-" + t);
                worker.setDaemon(true); // a stuck journal must not hang the build
                worker.start();
            }
            startGate.countDown();
            assertTrue(endGate.await(60, SECONDS), "committers stuck waiting for the journal");
            assertNull(failure.get());
            assertNull(bank.journal().failure());
            closedWith = ledger.snapshot();
        }
        assertEquals(threadCount * transfersPerThread, acknowledged.size());

        try (Bank restarted = open(dir, Durability.FSYNC, Journal.DEFAULT_SEGMENT_BYTES)) {
            for (Transaction tx : acknowledged) {
                assertEquals(tx, restarted.ledger().transaction(tx.seq()), "acknowledged tx " + tx.seq());
            }
            assertEquals(closedWith, restarted.ledger().snapshot());
            assertEquals(0, restarted.ledger().snapshot().sumCents());
        }
    }

    private static Caller user(int t) {
        return Caller.customer("user-" + t);
    }

    private static String account(int t) {
        return String.format("2000%02d", t);
    }

    // ---------------------------------------------------------------- durability modes

    @ParameterizedTest
    @EnumSource(
            value = Durability.class,
            names = {"FSYNC", "BATCH"})
    void whatWasAcknowledgedSurvivesAProcessCrashWithoutClose(Durability durability) throws Exception {
        Path dir = tmp.resolve("journal");
        Path crashed = tmp.resolve("crashed");
        try (Bank bank = open(dir, durability, 2048)) {
            Workload work = randomWork(bank, 120, 11);
            // A process crash keeps what was written to the operating system: copy the files while the journal
            // is still open, without close() flushing anything more.
            copyDir(dir, crashed);
            try (Bank recovered = open(crashed, durability, 2048)) {
                assertEquals(work.committed, transactions(recovered.ledger()));
                assertSameBooks(bank.ledger(), recovered.ledger());
            }
        }
    }

    @Test
    void batchDurabilityKeepsEveryAcknowledgedTransactionAcrossARestart() throws Exception {
        Path dir = tmp.resolve("journal");
        Workload work;
        Ledger original;
        try (Bank bank = open(dir, Durability.BATCH, Journal.DEFAULT_SEGMENT_BYTES, 20)) {
            work = randomWork(bank, 200, 3);
            original = bank.ledger();
            assertNull(bank.journal().failure());
        }
        try (Bank restarted = open(dir, Durability.BATCH, Journal.DEFAULT_SEGMENT_BYTES, 20)) {
            assertEquals(work.committed.size(), restarted.recovery().lastSeq());
            assertSameBooks(original, restarted.ledger());
        }
    }

    @Test
    void durabilityNoneWritesNoFiles() throws Exception {
        Path dir = tmp.resolve("journal");
        Workload work;
        try (Bank bank = open(dir, Durability.NONE, Journal.DEFAULT_SEGMENT_BYTES)) {
            assertEquals(new Journal.Recovery(0, 0, 0, 0), bank.recovery());
            work = randomWork(bank, 50, 5);
            assertNull(bank.journal().failure());
        }
        assertTrue(work.committed.size() > 10, "the in-memory bank works: " + work.committed.size());
        assertEquals(List.of(), filesUnder(tmp), "nothing written anywhere under the temp dir");
        try (Bank restarted = open(dir, Durability.NONE, Journal.DEFAULT_SEGMENT_BYTES)) {
            assertEquals(0, restarted.ledger().lastSeq(), "an in-memory bank starts empty");
        }
    }

    // ---------------------------------------------------------------- a failing disk

    @Test
    void aFailedWriteStopsAcknowledgementForGood() throws Exception {
        Path devFull = Path.of("/dev/full");
        assumeTrue(Files.exists(devFull), "needs /dev/full (Linux)");
        Path dir = tmp.resolve("journal");
        Files.createDirectories(dir);
        // Every write to /dev/full fails with ENOSPC; reading it gives its size as opened, 0, so recovery finds an
        // empty journal and the writer opens the device as its tail segment.
        Files.createSymbolicLink(Segments.path(dir, 1), devFull);
        Journal journal = new Journal(dir, Durability.FSYNC, 5, Journal.DEFAULT_SEGMENT_BYTES);
        Ledger ledger = new Ledger(CONFIG, new TickingClock(), journal);
        try {
            assertEquals(0, journal.recover(false, ledger::replay).lastSeq());
            assertNull(journal.failure(), "healthy until it writes");
            Transaction opened =
                    Tellers.createAccount(ledger, ALICE, "1001", 5_000).value();
            Transaction deposit = Tellers.deposit(ledger, ALICE, "1001", 2_500).value();

            JournalFailedException thrown = assertTimeoutPreemptively(
                    BOUND, () -> assertThrows(JournalFailedException.class, () -> journal.awaitDurable(deposit.seq())));
            Throwable failure = journal.failure();
            assertNotNull(failure);
            assertInstanceOf(IOException.class, failure, "ENOSPC from /dev/full");
            assertSame(failure, thrown.getCause());

            // No retry: the same wait fails again, and so does the wait for the transaction before it.
            assertTimeoutPreemptively(
                    BOUND, () -> assertThrows(JournalFailedException.class, () -> journal.awaitDurable(deposit.seq())));
            assertTimeoutPreemptively(
                    BOUND, () -> assertThrows(JournalFailedException.class, () -> journal.awaitDurable(opened.seq())));
            assertSame(failure, journal.failure(), "the first failure stays the reason");
        } finally {
            assertTimeoutPreemptively(BOUND, journal::close);
        }
    }

    // ================================================================ shared helpers

    /** A ledger on a recovered journal. Closing it closes the journal. */
    record Bank(Journal journal, Ledger ledger, Journal.Recovery recovery) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            journal.close();
        }
    }

    static Bank open(Path dir, Durability durability, long segmentBytes) throws IOException, JournalCorruptedException {
        return open(dir, durability, segmentBytes, 5);
    }

    static Bank open(Path dir, Durability durability, long segmentBytes, long batchWindowMs)
            throws IOException, JournalCorruptedException {
        return open(dir, durability, segmentBytes, batchWindowMs, false, tx -> {});
    }

    /** Opens a bank on {@code dir}, telling {@code applied} about each transaction the journal replays. */
    static Bank open(
            Path dir,
            Durability durability,
            long segmentBytes,
            long batchWindowMs,
            boolean repair,
            Consumer<Transaction> applied)
            throws IOException, JournalCorruptedException {
        Journal journal = new Journal(dir, durability, batchWindowMs, segmentBytes);
        Ledger ledger = new Ledger(CONFIG, new TickingClock(), journal);
        Journal.Recovery recovery = journal.recover(repair, tx -> {
            applied.accept(tx);
            ledger.replay(tx);
        });
        return new Bank(journal, ledger, recovery);
    }

    /** The committed transaction, once the journal keeps it. */
    static Transaction commit(Bank bank, Outcome<Transaction> outcome) {
        Transaction tx = outcome.value();
        bank.journal().awaitDurable(tx.seq()); // bounded by the writer itself: throws after 30 s
        return tx;
    }

    /** A bank that never had a journal, given {@code txs} as a journal would give them. */
    static Ledger replayed(List<Transaction> txs) {
        Ledger ledger = new Ledger(CONFIG, new TickingClock());
        txs.forEach(ledger::replay);
        return ledger;
    }

    /** Every committed transaction, in sequence order. */
    static List<Transaction> transactions(Ledger ledger) {
        List<Transaction> all = new ArrayList<>();
        for (long seq = 1; seq <= ledger.lastSeq(); seq++) {
            all.add(ledger.transaction(seq));
        }
        return all;
    }

    /** The same balances, the same audit pages, the same statements. */
    static void assertSameBooks(Ledger expected, Ledger actual) {
        Snapshot snapshot = expected.snapshot();
        assertEquals(snapshot, actual.snapshot(), "snapshot");
        assertEquals(0, snapshot.sumCents());
        assertEquals(pages(expected), pages(actual), "show_history pages");
        snapshot.accounts()
                .forEach(account -> assertEquals(
                        history(expected, account.number()),
                        history(actual, account.number()),
                        "history of " + account.number()));
    }

    static List<Page<Transaction>> pages(Ledger ledger) {
        List<Page<Transaction>> pages = new ArrayList<>();
        TransactionQuery query = TransactionQuery.firstPage().limit(37);
        while (true) {
            Page<Transaction> page = ledger.transactions(AUDITOR, query).value();
            pages.add(page);
            if (page.next() == null) {
                return pages;
            }
            query = query.after(page.next());
        }
    }

    static List<Page<HistoryEntry>> history(Ledger ledger, String account) {
        List<Page<HistoryEntry>> pages = new ArrayList<>();
        long after = 0;
        while (true) {
            Page<HistoryEntry> page =
                    ledger.history(AUDITOR, account, after, 25).value();
            pages.add(page);
            if (page.next() == null) {
                return pages;
            }
            after = page.next();
        }
    }

    /** Where each frame of a segment starts; fails unless the segment is whole frames. */
    static List<Integer> frameStarts(byte[] segment) {
        List<Integer> starts = new ArrayList<>();
        ByteBuffer in = ByteBuffer.wrap(segment);
        while (in.hasRemaining()) {
            int start = in.position();
            int length = in.getInt();
            assertTrue(
                    length > 0 && start + Frames.HEADER_BYTES + length <= segment.length,
                    "frame at " + start + " of length " + length);
            in.position(start + Frames.HEADER_BYTES + length);
            starts.add(start);
        }
        return starts;
    }

    static byte[] payloadAt(byte[] segment, int start) {
        int length = ByteBuffer.wrap(segment).getInt(start);
        return Arrays.copyOfRange(segment, start + Frames.HEADER_BYTES, start + Frames.HEADER_BYTES + length);
    }

    static Transaction decode(byte[] segment, int start) throws IOException {
        return RecordCodec.decode(payloadAt(segment, start)).tx();
    }

    /** {@code payloads}, framed back to back as the writer frames them. */
    static byte[] framed(List<byte[]> payloads) {
        ByteBuffer out = ByteBuffer.allocate(
                payloads.stream().mapToInt(p -> Frames.HEADER_BYTES + p.length).sum());
        payloads.forEach(payload -> Frames.put(out, payload));
        return out.array();
    }

    static void copyDir(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path file : files.toList()) {
                Files.copy(file, to.resolve(file.getFileName()));
            }
        }
    }

    static List<Path> filesUnder(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).toList();
        }
    }

    /**
     * A clock that moves 1.000003 ms per reading, from the same instant for each new one. A ledger reads it once
     * per vault shard when it is made, so a restarted ledger's vaults were "created" when the original's were,
     * and snapshots compare equal; transactions keep the time they were committed at (nanoseconds included).
     */
    static final class TickingClock extends Clock {
        private static final Instant START = Instant.parse("2026-01-01T09:00:00Z");
        private final AtomicLong readings = new AtomicLong();

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException("UTC only");
        }

        @Override
        public Instant instant() {
            return START.plusNanos(readings.getAndIncrement() * 1_000_003L);
        }
    }

    /** A request carrying an idempotency key, and the transaction its first attempt made. */
    record Keyed(Function<Ledger, Outcome<Transaction>> request, Transaction tx) {}

    /** What {@link #randomWork} committed. */
    static final class Workload {
        final List<Transaction> committed = new ArrayList<>();
        final List<Keyed> keyed = new ArrayList<>();
        final Map<Caller, List<String>> accounts =
                new TreeMap<>((a, b) -> a.user().compareTo(b.user()));

        Set<TxType> types() {
            Set<TxType> types = EnumSet.noneOf(TxType.class);
            committed.forEach(tx -> types.add(tx.type()));
            return types;
        }
    }

    /**
     * Opens two accounts each for alice, bob and carol, then makes {@code operations} random requests of every
     * money-moving kind (about a third with an idempotency key), waiting for each committed one to be durable.
     * Some are refused (insufficient funds, overpayment): those commit nothing.
     */
    static Workload randomWork(Bank bank, int operations, long seed) {
        Random random = new Random(seed);
        Ledger ledger = bank.ledger();
        Workload work = new Workload();
        List<Caller> users = List.of(ALICE, BOB, CAROL);
        List<String> checking = new ArrayList<>();
        List<String> loans = new ArrayList<>();
        int number = 1000;
        for (Caller user : users) {
            for (int i = 0; i < 2; i++) {
                String account = Integer.toString(++number);
                String key = i == 0 ? "open-" + account : null;
                long opening = i == 0 ? 200_000 + random.nextInt(100_000) : 0;
                Function<Ledger, Outcome<Transaction>> request = l -> l.createAccount(user, account, opening, key);
                keep(bank, work, request, request.apply(ledger), key);
                work.accounts.computeIfAbsent(user, u -> new ArrayList<>()).add(account);
                checking.add(account);
            }
        }
        for (int i = 0; i < operations; i++) {
            Caller user = users.get(random.nextInt(users.size()));
            List<String> own = work.accounts.get(user);
            String mine = own.get(random.nextInt(own.size()));
            String other = checking.get(random.nextInt(checking.size()));
            String loan = loans.isEmpty() ? null : loans.get(random.nextInt(loans.size()));
            long amountCents = 1L + random.nextInt(20_000);
            String key = random.nextInt(3) == 0 ? "k-" + seed + "-" + i : null;
            Function<Ledger, Outcome<Transaction>> request = switch (random.nextInt(6)) {
                case 0 -> l -> l.deposit(user, other, amountCents, key);
                case 1 -> l -> l.withdraw(user, mine, amountCents, key);
                case 2 -> other.equals(mine) ? null : l -> l.transfer(user, mine, other, amountCents, key);
                case 3 -> l -> l.applyLoan(user, mine, amountCents * 3, key);
                case 4 -> loan == null ? null : l -> l.payLoanCheck(user, loan, amountCents, key);
                default -> loan == null ? null : l -> l.payLoanTransfer(user, mine, loan, amountCents, key);
            };
            if (request == null) {
                continue;
            }
            Transaction tx = keep(bank, work, request, request.apply(ledger), key);
            if (tx != null && tx.type() == TxType.LOAN) {
                loans.add(tx.opened());
            }
        }
        return work;
    }

    private static Transaction keep(
            Bank bank,
            Workload work,
            Function<Ledger, Outcome<Transaction>> request,
            Outcome<Transaction> outcome,
            String key) {
        if (!outcome.isOk()) {
            return null;
        }
        Transaction tx = commit(bank, outcome);
        work.committed.add(tx);
        if (key != null) {
            work.keyed.add(new Keyed(request, tx));
        }
        return tx;
    }
}
