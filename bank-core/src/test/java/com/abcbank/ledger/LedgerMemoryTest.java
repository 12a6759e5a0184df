package com.abcbank.ledger;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abcbank.journal.Durability;
import com.abcbank.journal.Journal;
import com.abcbank.journal.JournalArchive;
import com.abcbank.journal.SnapshotStore;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bounded memory: with a journal that keeps files, the ledger holds only what is not yet indexed, and every history
 * view reads the rest back from disk, with no transaction skipped or repeated where memory and disk meet.
 */
class LedgerMemoryTest {
    private static final Caller ALICE = Caller.customer("alice");
    private static final Caller AUDITOR = Caller.auditor("Audit");
    private static final List<String> ACCOUNTS = List.of("1001", "1002", "1003", "1004");
    private static final long WAIT_MS = 30_000;

    @TempDir
    Path dir;

    private Journal open(Path journalDir, long segmentBytes) {
        return new Journal(journalDir, Durability.BATCH, 1, segmentBytes);
    }

    private static Ledger recovered(Journal journal) throws Exception {
        Ledger ledger = new Ledger(LedgerConfig.defaults(), Clock.systemUTC(), journal);
        journal.recover(false, ledger::replay);
        return ledger;
    }

    @Test
    void pagesNeverSkipOrRepeatAcrossTheDiskAndMemoryBoundaryUnderConcurrentCommits() throws Exception {
        try (Journal journal = open(dir, 32 * 1024)) { // small segments: the boundary crosses files too
            Ledger ledger = recovered(journal);
            for (String number : ACCOUNTS) {
                journal.awaitDurable(Tellers.createAccount(ledger, ALICE, number, 1_000_000)
                        .value()
                        .seq());
            }
            int writers = 3;
            CountDownLatch done = new CountDownLatch(writers);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            for (int w = 0; w < writers; w++) {
                Random random = new Random(w);
                Thread writer = new Thread(() -> {
                    try {
                        for (int i = 0; i < 1_500; i++) {
                            String from = ACCOUNTS.get(random.nextInt(4));
                            String to = ACCOUNTS.get((ACCOUNTS.indexOf(from) + 1 + random.nextInt(3)) % 4);
                            Outcome<Transaction> moved = random.nextInt(4) == 0
                                    ? Tellers.deposit(ledger, ALICE, from, 1 + random.nextInt(100))
                                    : Tellers.transfer(ledger, ALICE, from, to, 1 + random.nextInt(100));
                            journal.awaitDurable(moved.value().seq());
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    } finally {
                        done.countDown();
                    }
                });
                writer.setDaemon(true);
                writer.start();
            }
            AtomicBoolean stop = new AtomicBoolean();
            List<List<Long>> accountWalks = new ArrayList<>();
            List<List<Long>> journalWalks = new ArrayList<>();
            Thread reader = new Thread(() -> {
                try {
                    while (!stop.get()) {
                        accountWalks.add(walkAccount(ledger, "1001", 7));
                        journalWalks.add(walkJournal(ledger, 13));
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            });
            reader.setDaemon(true);
            reader.start();
            assertTrue(done.await(60, SECONDS), "writers stuck");
            stop.set(true);
            reader.join(WAIT_MS);
            assertNull(failure.get(), () -> "failed: " + failure.get());

            List<Long> finalHistory = walkAccount(ledger, "1001", 1_000);
            assertTrue(accountWalks.size() > 1, "the reader walked while commits ran");
            for (List<Long> walk : accountWalks) {
                assertEquals(finalHistory.subList(0, walk.size()), walk, "a walk skipped or repeated a transaction");
            }
            for (List<Long> walk : journalWalks) {
                for (int i = 0; i < walk.size(); i++) {
                    assertEquals(i + 1, walk.get(i), "the journal's pages skipped or repeated a transaction");
                }
            }
            journal.awaitDurable(ledger.lastSeq());
            ledger.awaitIndexed(ledger.lastSeq(), WAIT_MS);
            assertEquals(0, ledger.heldTransactions(), "everything indexed has left memory");
            assertEqualsSequentialReplay(ledger);
        }
    }

    /** Replays the ledger's own transactions, in sequence order, into an in-memory ledger: the same statements. */
    private static void assertEqualsSequentialReplay(Ledger ledger) {
        Ledger replayed = new Ledger();
        for (long seq = 1; seq <= ledger.lastSeq(); seq++) {
            replayed.replay(ledger.transaction(seq));
        }
        assertEquals(replayed.snapshot(), ledger.snapshot());
        for (String number : ACCOUNTS) {
            assertEquals(entries(replayed, number), entries(ledger, number), "history of " + number);
        }
        TransactionQuery query = TransactionQuery.firstPage().limit(1_000);
        while (true) {
            Page<Transaction> expected = replayed.transactions(AUDITOR, query).value();
            assertEquals(expected, ledger.transactions(AUDITOR, query).value(), "the journal's pages");
            if (expected.next() == null) {
                return;
            }
            query = query.after(expected.next());
        }
    }

    private static List<Long> walkAccount(Ledger ledger, String number, int pageSize) {
        List<Long> seqs = new ArrayList<>();
        long cursor = 0;
        while (true) {
            Page<HistoryEntry> page =
                    ledger.history(AUDITOR, number, cursor, pageSize).value();
            page.items().forEach(entry -> seqs.add(entry.seq()));
            if (page.next() == null) {
                return seqs;
            }
            cursor = page.next();
        }
    }

    private static List<Long> walkJournal(Ledger ledger, int pageSize) {
        List<Long> seqs = new ArrayList<>();
        TransactionQuery query = TransactionQuery.firstPage().limit(pageSize);
        while (true) {
            Page<Transaction> page = ledger.transactions(AUDITOR, query).value();
            page.items().forEach(tx -> seqs.add(tx.seq()));
            if (page.next() == null) {
                return seqs;
            }
            query = query.after(page.next());
        }
    }

    private static List<HistoryEntry> entries(Ledger ledger, String number) {
        return ledger.history(AUDITOR, number, 0, 1_000).value().items();
    }

    /** Some work with keys on every account, made durable and indexed; returns the ledger's statements. */
    private static List<List<HistoryEntry>> work(Journal journal, Ledger ledger) {
        for (String number : ACCOUNTS) {
            Tellers.createAccount(ledger, ALICE, number, 10_000);
        }
        for (int i = 0; i < 200; i++) {
            ledger.transfer(ALICE, ACCOUNTS.get(i % 4), ACCOUNTS.get((i + 1) % 4), 1 + i, "k-" + i);
        }
        journal.awaitDurable(ledger.lastSeq());
        ledger.awaitIndexed(ledger.lastSeq(), WAIT_MS);
        List<List<HistoryEntry>> statements = new ArrayList<>();
        ACCOUNTS.forEach(number -> statements.add(entries(ledger, number)));
        return statements;
    }

    @Test
    void historyAfterARestartFromTheJournalAlone() throws Exception {
        List<List<HistoryEntry>> before;
        Page<Transaction> journalBefore;
        try (Journal journal = open(dir, 8 * 1024)) {
            Ledger ledger = recovered(journal);
            before = work(journal, ledger);
            journalBefore = ledger.transactions(
                            AUDITOR, TransactionQuery.firstPage().limit(500))
                    .value();
        }
        try (Journal journal = open(dir, 8 * 1024)) {
            Ledger restarted = recovered(journal);

            assertEquals(0, restarted.heldTransactions(), "a restart holds no transaction as an object");
            List<List<HistoryEntry>> after = new ArrayList<>();
            ACCOUNTS.forEach(number -> after.add(entries(restarted, number)));
            assertEquals(before, after);
            assertEquals(
                    journalBefore,
                    restarted
                            .transactions(AUDITOR, TransactionQuery.firstPage().limit(500))
                            .value());
        }
    }

    @Test
    void historyAfterARestartFromASnapshotReachesBackBeforeIt() throws Exception {
        Path journalDir = dir.resolve("journal");
        SnapshotStore snapshots = new SnapshotStore(dir.resolve("snapshots"));
        List<List<HistoryEntry>> before;
        try (Journal journal = open(journalDir, 8 * 1024)) {
            Ledger ledger = recovered(journal);
            work(journal, ledger);
            journal.awaitForced(ledger.lastSeq());
            snapshots.write(ledger.exportState(Instant.EPOCH));
            Tellers.deposit(ledger, ALICE, "1001", 77); // after the snapshot: replayed at the start
            journal.awaitDurable(ledger.lastSeq());
            before = new ArrayList<>();
            for (String number : ACCOUNTS) {
                before.add(entries(ledger, number));
            }
        }
        try (Journal journal = open(journalDir, 8 * 1024)) {
            Ledger restarted = new Ledger(LedgerConfig.defaults(), Clock.systemUTC(), journal);
            LedgerState state = snapshots.loadLatest();
            restarted.restore(state, new JournalArchive(journalDir, state.lastSeq()));
            journal.recover(state.lastSeq(), false, restarted::replay);

            List<List<HistoryEntry>> after = new ArrayList<>();
            ACCOUNTS.forEach(number -> after.add(entries(restarted, number)));
            assertEquals(before, after);
            assertEquals(77, after.get(0).get(after.get(0).size() - 1).amountCents());
            assertEquals(0, restarted.heldTransactions());
            // The snapshot's keys (written from the journal as the state was iterated) survive: a retry moves nothing.
            long balance = restarted.balance(ALICE, "1001").value().balanceCents();
            Transaction retried =
                    restarted.transfer(ALICE, "1001", "1002", 1, "k-0").value();
            assertEquals(5, retried.seq(), "the first keyed transfer, after the four openings");
            assertEquals(balance, restarted.balance(ALICE, "1001").value().balanceCents());
        }
    }

    @Test
    void aRetryFindsItsTransactionAfterItLeftMemory() throws Exception {
        try (Journal journal = open(dir, Journal.DEFAULT_SEGMENT_BYTES)) {
            Ledger ledger = recovered(journal);
            Tellers.createAccount(ledger, ALICE, "1001", 10_000);
            Tellers.createAccount(ledger, ALICE, "1002", 0);
            Transaction first =
                    ledger.transfer(ALICE, "1001", "1002", 2_500, "pay-rent").value();
            journal.awaitDurable(first.seq());
            ledger.awaitIndexed(first.seq(), WAIT_MS);
            assertEquals(0, ledger.heldTransactions(), "the transaction left memory");

            Transaction retried =
                    ledger.transfer(ALICE, "1001", "1002", 2_500, "pay-rent").value();

            assertEquals(first, retried, "read back from the journal");
            assertNotSame(first, retried);
            assertEquals(7_500, ledger.balance(ALICE, "1001").value().balanceCents(), "moved once");
            Outcome<Transaction> reused = ledger.transfer(ALICE, "1001", "1002", 1, "pay-rent");
            assertEquals(ErrorCode.KEY_REUSED, reused.error());
            assertTrue(reused.message().contains("transfer of 25.00"), reused::message);
        }
    }

    @Test
    void pastTheKeyCountTheOldestKeysAreForgottenFirst() {
        Ledger ledger = new Ledger(LedgerConfig.defaults(), Clock.systemUTC(), CommitLog.NONE, 3);
        Tellers.createAccount(ledger, ALICE, "1001", 10_000);
        for (int i = 1; i <= 4; i++) {
            ledger.withdraw(ALICE, "1001", 100, "k-" + i);
        }
        assertEquals(3, ledger.rememberedKeys(), "at most three keys");

        ledger.withdraw(ALICE, "1001", 100, "k-1"); // forgotten: runs afresh
        ledger.withdraw(ALICE, "1001", 100, "k-4"); // remembered: the same withdrawal, not another

        assertEquals(10_000 - 5 * 100, ledger.balance(ALICE, "1001").value().balanceCents());
        assertEquals(3, ledger.rememberedKeys());
    }

    /** A clock that moves one millisecond each time it is read: every transaction has its own time. */
    private static final class Ticking extends Clock {
        private final java.util.concurrent.atomic.AtomicLong millis = new java.util.concurrent.atomic.AtomicLong();

        @Override
        public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(1_700_000_000_000L + millis.incrementAndGet());
        }
    }

    @Test
    void filteredJournalPagesFromDiskMatchTheInMemoryLedger() throws Exception {
        Caller bob = Caller.customer("bob");
        try (Journal journal = open(dir, 16 * 1024)) {
            Ledger ledger = new Ledger(LedgerConfig.defaults(), new Ticking(), journal);
            journal.recover(false, ledger::replay);
            Tellers.createAccount(ledger, ALICE, "1001", 100_000);
            Tellers.createAccount(ledger, bob, "2002", 100_000);
            for (int i = 0; i < 600; i++) {
                Caller who = i % 3 == 0 ? bob : ALICE;
                String from = who.equals(bob) ? "2002" : "1001";
                String to = who.equals(bob) ? "1001" : "2002";
                Outcome<Transaction> moved = i % 5 == 0
                        ? Tellers.deposit(ledger, who, from, 1 + i)
                        : Tellers.transfer(ledger, who, from, to, 1 + i % 50);
                journal.awaitDurable(moved.value().seq());
            }
            ledger.awaitIndexed(ledger.lastSeq() - 50, WAIT_MS); // most on disk, some maybe still held
            Ledger replayed = new Ledger();
            for (long seq = 1; seq <= ledger.lastSeq(); seq++) {
                replayed.replay(ledger.transaction(seq));
            }
            Instant from = ledger.transaction(100).time();
            Instant to = ledger.transaction(450).time();
            List<TransactionQuery> queries = List.of(
                    TransactionQuery.firstPage().limit(17),
                    TransactionQuery.firstPage().limit(9).account("2002"),
                    TransactionQuery.firstPage().limit(11).user("bob"),
                    TransactionQuery.firstPage().limit(13).between(from, to),
                    TransactionQuery.firstPage().limit(7).between(from, null).account("1001"),
                    TransactionQuery.firstPage().limit(5).between(null, to).user("alice"),
                    TransactionQuery.firstPage().limit(3).account("VAULT-00"),
                    TransactionQuery.firstPage().limit(3).account("9999"));
            for (TransactionQuery query : queries) {
                assertEquals(walk(replayed, query), walk(ledger, query), query::toString);
            }
        }
    }

    private static List<Transaction> walk(Ledger ledger, TransactionQuery first) {
        List<Transaction> all = new ArrayList<>();
        TransactionQuery query = first;
        while (true) {
            Page<Transaction> page = ledger.transactions(AUDITOR, query).value();
            all.addAll(page.items());
            if (page.next() == null) {
                return all;
            }
            query = query.after(page.next());
        }
    }

    @Test
    void aCorruptRecordReadBackIsAClearError() throws Exception {
        try (Journal journal = open(dir, Journal.DEFAULT_SEGMENT_BYTES)) {
            Ledger ledger = recovered(journal);
            Tellers.createAccount(ledger, ALICE, "1001", 10_000);
            Transaction withdrawal =
                    Tellers.withdraw(ledger, ALICE, "1001", 100).value();
            journal.awaitDurable(withdrawal.seq());
            ledger.awaitIndexed(withdrawal.seq(), WAIT_MS);
            Path segment = dir.resolve(String.format("journal-%020d.log", 1));
            try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                long last = channel.size() - 1; // the last byte of record 2: a balance-after, under its checksum
                ByteBuffer one = ByteBuffer.allocate(1);
                channel.read(one, last);
                one.put(0, (byte) (one.get(0) ^ 0x01)).rewind();
                channel.write(one, last);
            }

            UncheckedIOException e =
                    assertThrows(UncheckedIOException.class, () -> ledger.history(ALICE, "1001", 0, 10));
            assertTrue(e.getMessage().contains("checksum mismatch"), e::getMessage);
            assertTrue(e.getMessage().contains(segment.getFileName().toString()), e::getMessage);
            assertEquals(1, ledger.transaction(1).seq(), "the record before the damage still reads back");
        }
    }
}
