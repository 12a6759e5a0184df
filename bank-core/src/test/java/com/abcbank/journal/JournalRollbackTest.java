package com.abcbank.journal;

import static com.abcbank.journal.JournalTest.ALICE;
import static com.abcbank.journal.JournalTest.CONFIG;
import static com.abcbank.journal.JournalTest.assertSameBooks;
import static com.abcbank.journal.JournalTest.commit;
import static com.abcbank.journal.JournalTest.copyDir;
import static com.abcbank.journal.JournalTest.frameStarts;
import static com.abcbank.journal.JournalTest.payloadAt;
import static com.abcbank.journal.JournalTest.randomWork;
import static com.abcbank.journal.JournalTest.replayed;
import static com.abcbank.journal.JournalTest.transactions;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abcbank.journal.JournalTest.Bank;
import com.abcbank.journal.JournalTest.TickingClock;
import com.abcbank.ledger.Ledger;
import com.abcbank.ledger.LedgerState;
import com.abcbank.ledger.Tellers;
import com.abcbank.ledger.Transaction;
import com.abcbank.protocol.Result;
import com.abcbank.protocol.Results;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A cluster node's restart: the journal rolled back to the snapshot's transaction (everything after it, security
 * events included, cut and set aside), so that the replicated log can re-apply the rest byte for byte; and the
 * chain head ({@link Journal#head}, {@link Verifier.Report#head}) that nodes compare.
 *
 * <p>Hashes are recomputed here from the files (SHA-256 of each record's payload), not taken from the code under
 * test.
 */
class JournalRollbackTest {
    private static final long ONE_SEGMENT = Journal.DEFAULT_SEGMENT_BYTES;

    @TempDir
    Path tmp;

    // ================================================================ roll-back

    @Test
    void aRollbackKeepsExactlyTheRecordsUpToUntilSeqAndTheNextTransactionChainsToTheLast() throws Exception {
        Path dir = tmp.resolve("journal");
        List<Transaction> all = deposits(dir, ONE_SEGMENT, 8);
        Path segment = Segments.path(dir, 1);
        byte[] before = Files.readAllBytes(segment);
        List<Integer> starts = frameStarts(before);
        int keep = 5;

        List<Long> applied = new ArrayList<>();
        try (Bank bank = openRolledBack(dir, ONE_SEGMENT, keep, tx -> applied.add(tx.seq()))) {
            Journal.Recovery recovery = bank.recovery();
            assertEquals(keep, recovery.lastSeq());
            assertEquals(keep, recovery.records());
            assertEquals(List.of(1L, 2L, 3L, 4L, 5L), applied);
            assertEquals(all.size() - keep, recovery.rolledBackRecords());
            assertEquals(before.length - starts.get(keep), recovery.rolledBackBytes());
            assertEquals(0, recovery.cutBytes(), "nothing torn");

            // the file is the first five frames, untouched; the rest is set aside, whole
            assertArrayEquals(slice(before, 0, starts.get(keep)), Files.readAllBytes(segment));
            assertArrayEquals(
                    slice(before, starts.get(keep), before.length), Files.readAllBytes(RolledBack.setAside(segment)));
            assertEquals(List.of(segment), Segments.list(dir), "a set-aside file is no segment");

            // the ledger and its history (indexed from the files after the cut) see only the kept records
            assertEquals(all.subList(0, keep), transactions(bank.ledger()));
            assertSameBooks(replayed(all.subList(0, keep)), bank.ledger());
            assertEquals(
                    new ChainHead(keep, hashOf(dir, keep)),
                    bank.journal().head().orElseThrow());

            Transaction next = commit(bank, Tellers.deposit(bank.ledger(), ALICE, "1001", 77));
            assertEquals(keep + 1, next.seq());
            assertEquals(
                    new ChainHead(keep + 1, hashOf(dir, keep + 1)),
                    bank.journal().head().orElseThrow());
        }
        byte[] after = Files.readAllBytes(segment);
        assertArrayEquals(
                HexFormat.of().parseHex(hashOf(dir, keep)),
                RecordCodec.previousHash(payloadAt(after, starts.get(keep))),
                "transaction 6 chains to transaction 5");

        try (Bank bank = JournalTest.open(dir, Durability.FSYNC, ONE_SEGMENT)) {
            assertEquals(keep + 1, bank.recovery().lastSeq());
            List<Transaction> read = transactions(bank.ledger());
            assertEquals(all.subList(0, keep), read.subList(0, keep));
            assertEquals(keep + 1, read.size());
            assertVerified(bank, keep + 1);
        }
    }

    @Test
    void theRolledBackTransactionsCommittedAgainGiveTheSameBytesAndHead() throws Exception {
        Path dir = tmp.resolve("journal");
        List<Transaction> all = deposits(dir, ONE_SEGMENT, 8);
        Path segment = Segments.path(dir, 1);
        byte[] before = Files.readAllBytes(segment);
        ChainHead original = new ChainHead(all.size(), hashOf(dir, all.size()));

        // What the replicated log does: the same transactions, applied again in order after the snapshot's.
        Journal journal = new Journal(dir, Durability.FSYNC, 5, ONE_SEGMENT);
        try (journal) {
            Journal.Recovery recovery = journal.recover(0, RecordCodec.NO_PREVIOUS, 3, false, tx -> {});
            assertEquals(3, recovery.lastSeq());
            all.subList(3, all.size()).forEach(journal::committed);
            assertEquals(original, journal.head().orElseThrow());
            journal.awaitDurable(all.size());
        }
        assertArrayEquals(before, Files.readAllBytes(segment), "byte for byte");
    }

    @Test
    void aRollbackToTheLastRecordOrPastTheEndChangesNothing() throws Exception {
        Path dir = tmp.resolve("journal");
        List<Transaction> all = deposits(dir, 2_048, 40);
        Files.write(dir.resolve("journal-00000000000000000099.log" + RolledBack.SUFFIX), new byte[] {1, 2, 3});
        Map<Path, byte[]> before = files(dir);
        int n = all.size();

        for (long untilSeq : new long[] {n, n + 1, Long.MAX_VALUE}) {
            try (Bank bank = openRolledBack(dir, 2_048, untilSeq, tx -> {})) {
                assertEquals(n, bank.recovery().lastSeq(), "ends before untilSeq: not an error");
                assertEquals(0, bank.recovery().rolledBackRecords());
                assertEquals(0, bank.recovery().rolledBackBytes());
                assertEquals(
                        new ChainHead(n, hashOf(dir, n)), bank.journal().head().orElseThrow());
            }
            assertFilesEqual(before, files(dir), "untilSeq " + untilSeq + ": no file changed, the old set included");
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aRollbackAcrossSegmentsSetsTheLaterOnesAsideAndKeepsOnlyTheNewestSet(boolean atASegmentsEnd) throws Exception {
        Path dir = tmp.resolve("journal");
        List<Transaction> all;
        try (Bank bank = JournalTest.open(dir, Durability.FSYNC, 2_048)) {
            all = randomWork(bank, 120, 7).committed;
        }
        List<Path> segments = Segments.list(dir);
        assertTrue(segments.size() >= 4, "segments: " + segments);
        Path kept = segments.get(1);
        List<Integer> keptStarts = frameStarts(Files.readAllBytes(kept));
        long firstOfKept = Segments.firstSeq(kept);
        // inside the second segment, or its very last record (then nothing of it is cut)
        long keep = atASegmentsEnd ? firstOfKept + keptStarts.size() - 1 : firstOfKept + keptStarts.size() / 2;
        long keptBytes = atASegmentsEnd ? Files.size(kept) : keptStarts.get((int) (keep - firstOfKept) + 1);
        long totalBytes = 0;
        for (Path segment : segments) {
            totalBytes += Files.size(segment);
        }
        long keptTotal = Files.size(segments.get(0)) + keptBytes;
        Path copy = tmp.resolve("copy");
        copyDir(dir, copy);

        try (Bank bank = openRolledBack(dir, 2_048, keep, tx -> {})) {
            assertEquals(keep, bank.recovery().lastSeq());
            assertEquals(all.size() - keep, bank.recovery().rolledBackRecords());
            assertEquals(totalBytes - keptTotal, bank.recovery().rolledBackBytes());
            assertEquals(segments.subList(0, 2), Segments.list(dir));
            assertEquals(keptBytes, Files.size(kept));
            for (Path later : segments.subList(2, segments.size())) {
                assertFalse(Files.exists(later));
                assertArrayEquals(
                        Files.readAllBytes(copy.resolve(later.getFileName())),
                        Files.readAllBytes(RolledBack.setAside(later)));
            }
            assertEquals(!atASegmentsEnd, Files.exists(RolledBack.setAside(kept)));
            assertSameBooks(replayed(all.subList(0, (int) keep)), bank.ledger());
            assertEquals(
                    keep + 1,
                    commit(bank, Tellers.deposit(bank.ledger(), ALICE, "1001", 1))
                            .seq());
        }
        try (Bank bank = JournalTest.open(dir, Durability.FSYNC, 2_048)) {
            assertEquals(keep + 1, bank.recovery().lastSeq());
            assertEquals(all.subList(0, (int) keep), transactions(bank.ledger()).subList(0, (int) keep));
            assertVerified(bank, keep + 1);
        }

        // The next restart rolls back again, into the first segment: the previous set goes, only the newest stays.
        List<Integer> firstStarts = frameStarts(Files.readAllBytes(segments.get(0)));
        List<Path> present = Segments.list(dir); // the first, the kept one, and maybe one begun by tx keep + 1
        try (Bank bank = openRolledBack(dir, 2_048, 2, tx -> {})) {
            assertEquals(2, bank.recovery().lastSeq());
        }
        List<Path> setAside = new ArrayList<>();
        for (Path file : files(dir).keySet()) {
            if (file.getFileName().toString().endsWith(RolledBack.SUFFIX)) {
                setAside.add(file);
            }
        }
        assertEquals(present.stream().map(RolledBack::setAside).toList(), setAside);
        assertEquals(List.of(segments.get(0)), Segments.list(dir));
        assertEquals((long) firstStarts.get(2), Files.size(segments.get(0)));
    }

    @Test
    void securityEventsChainedAfterUntilSeqAreCutAndTheNextTransactionChainsToIt() throws Exception {
        Path dir = tmp.resolve("journal");
        try (Bank bank = JournalTest.open(dir, Durability.FSYNC, ONE_SEGMENT)) {
            commit(bank, Tellers.createAccount(bank.ledger(), ALICE, "1001", 100));
            assertTrue(bank.journal().recordSecurityEvent(event(1)));
            commit(bank, Tellers.deposit(bank.ledger(), ALICE, "1001", 2));
            assertTrue(bank.journal().recordSecurityEvent(event(2)));
            assertTrue(bank.journal().recordSecurityEvent(event(3)));
            commit(bank, Tellers.deposit(bank.ledger(), ALICE, "1001", 3));
            assertTrue(bank.journal().recordSecurityEvent(event(4)));
        }
        Path segment = Segments.path(dir, 1);
        byte[] before = Files.readAllBytes(segment);
        List<Integer> starts = frameStarts(before);
        assertEquals(7, starts.size());
        int afterTwo = starts.get(3); // tx 1, event 1, tx 2, then event 2

        try (Bank bank = openRolledBack(dir, ONE_SEGMENT, 2, tx -> {})) {
            assertEquals(2, bank.recovery().lastSeq());
            assertEquals(4, bank.recovery().rolledBackRecords(), "events 2 and 3, tx 3, event 4");
            assertArrayEquals(slice(before, 0, afterTwo), Files.readAllBytes(segment));
            List<SecurityEvent> events = listEvents(bank.journal());
            assertEquals(List.of(event(1).numbered(1)), events, "only the event before tx 2 is left");
            assertEquals(new ChainHead(2, hashOf(dir, 2)), bank.journal().head().orElseThrow());
            commit(bank, Tellers.deposit(bank.ledger(), ALICE, "1001", 30));
        }
        byte[] after = Files.readAllBytes(segment);
        assertArrayEquals(
                HexFormat.of().parseHex(hashOf(dir, 2)),
                RecordCodec.previousHash(payloadAt(after, afterTwo)),
                "the new tx 3 chains to tx 2, not to the events cut after it");
        try (Bank bank = JournalTest.open(dir, Durability.FSYNC, ONE_SEGMENT)) {
            assertEquals(3, bank.recovery().lastSeq());
            assertVerified(bank, 3);
        }
    }

    @Test
    void aRollbackToZeroSetsTheWholeJournalAside() throws Exception {
        Path dir = tmp.resolve("journal");
        deposits(dir, 2_048, 30);
        List<Path> segments = Segments.list(dir);
        try (Bank bank = openRolledBack(dir, 2_048, 0, tx -> {})) {
            assertEquals(0, bank.recovery().lastSeq());
            assertEquals(30, bank.recovery().rolledBackRecords());
            assertEquals(ChainHead.EMPTY, bank.journal().head().orElseThrow());
            for (Path segment : segments) {
                assertTrue(Files.exists(RolledBack.setAside(segment)));
            }
            assertEquals(
                    1,
                    commit(bank, Tellers.createAccount(bank.ledger(), ALICE, "1001", 5))
                            .seq());
        }
        try (Bank bank = JournalTest.open(dir, Durability.FSYNC, 2_048)) {
            assertEquals(1, bank.recovery().lastSeq());
            assertVerified(bank, 1);
        }
    }

    @Test
    void fromASnapshotTheJournalIsCutBackToTheSnapshotsTransaction() throws Exception {
        Path dir = tmp.resolve("journal");
        LedgerState state;
        List<Transaction> all = new ArrayList<>();
        try (Bank bank = JournalTest.open(dir, Durability.FSYNC, 1_024)) {
            all.add(commit(bank, Tellers.createAccount(bank.ledger(), ALICE, "1001", 100)));
            for (int i = 1; i < 12; i++) {
                all.add(commit(bank, Tellers.deposit(bank.ledger(), ALICE, "1001", i)));
            }
            state = bank.ledger().exportState(Instant.EPOCH);
            for (int i = 0; i < 9; i++) {
                all.add(commit(bank, Tellers.deposit(bank.ledger(), ALICE, "1001", 100 + i)));
            }
        }
        long s = state.lastSeq();
        String hashOfS = hashOf(dir, s);

        Journal journal = new Journal(dir, Durability.FSYNC, 5, 1_024);
        try (journal) {
            Ledger ledger = new Ledger(CONFIG, new TickingClock(), journal);
            ledger.restore(state, new JournalArchive(dir, s));
            List<Long> applied = new ArrayList<>();
            Journal.Recovery recovery =
                    journal.recover(s, HexFormat.of().parseHex(hashOfS), s, false, tx -> applied.add(tx.seq()));
            assertEquals(s, recovery.lastSeq());
            assertEquals(List.of(), applied, "the snapshot holds them all");
            assertEquals(all.size() - s, recovery.rolledBackRecords());
            assertEquals(new ChainHead(s, hashOfS), journal.head().orElseThrow());
            // the replicated log re-applies the rest (here straight into the journal: it is the journal under test)
            all.subList((int) s, all.size()).forEach(journal::committed);
            journal.awaitDurable(all.size());
        }
        try (Bank bank = JournalTest.open(dir, Durability.FSYNC, 1_024)) {
            assertEquals(all, transactions(bank.ledger()));
            assertVerified(bank, all.size());
        }
    }

    @Test
    void damageBeforeUntilSeqIsRefusedOrRepairedAsEverywhereAndATornTailAfterItGoesWithTheRest() throws Exception {
        Path dir = tmp.resolve("journal");
        deposits(dir, ONE_SEGMENT, 8);
        Path segment = Segments.path(dir, 1);
        byte[] before = Files.readAllBytes(segment);
        List<Integer> starts = frameStarts(before);

        Path torn = tmp.resolve("torn");
        copyDir(dir, torn);
        int tornAt = starts.get(7) + 20; // the last record, cut short by a crash
        Files.write(torn.resolve(segment.getFileName()), slice(before, 0, tornAt));
        try (Bank bank = openRolledBack(torn, ONE_SEGMENT, 5, tx -> {})) {
            assertEquals(5, bank.recovery().lastSeq());
            assertEquals(0, bank.recovery().cutBytes());
            assertEquals(2, bank.recovery().rolledBackRecords(), "whole frames: 6 and 7");
            assertEquals(tornAt - starts.get(5), bank.recovery().rolledBackBytes());
        }

        byte[] flipped = before.clone();
        flipped[starts.get(2) + Frames.HEADER_BYTES + 40] ^= 0x04; // record 3
        Files.write(segment, flipped);
        assertThrows(JournalCorruptedException.class, () -> openRolledBack(dir, ONE_SEGMENT, 5, tx -> {}));
        assertArrayEquals(flipped, Files.readAllBytes(segment), "refused untouched");
        Journal journal = new Journal(dir, Durability.FSYNC, 5, ONE_SEGMENT);
        try (journal) {
            Journal.Recovery recovery = journal.recover(0, RecordCodec.NO_PREVIOUS, 5, true, tx -> {});
            assertEquals(2, recovery.lastSeq(), "repair cut at record 3: the journal ends before untilSeq");
            assertEquals(0, recovery.rolledBackBytes());
            assertEquals(before.length - starts.get(2), recovery.cutBytes());
        }
    }

    @Test
    void untilSeqBelowTheStartPointIsAMistake() {
        Journal journal = new Journal(tmp.resolve("journal"), Durability.FSYNC, 5, ONE_SEGMENT);
        assertThrows(
                IllegalArgumentException.class, () -> journal.recover(5, RecordCodec.NO_PREVIOUS, 4, false, tx -> {}));
    }

    // ================================================================ head

    @Test
    void theHeadIsTheLastCommittedTransactionsHashBeforeAndAfterCommitsAndRecovery() throws Exception {
        Path dir = tmp.resolve("journal");
        ChainHead last;
        try (Bank bank = JournalTest.open(dir, Durability.BATCH, 2_048, 50)) {
            assertEquals(ChainHead.EMPTY, bank.journal().head().orElseThrow());
            assertEquals("0".repeat(64), ChainHead.EMPTY.hash());
            assertVerified(bank, 0);
            for (int i = 0; i < 30; i++) {
                Transaction tx = i == 0
                        ? Tellers.createAccount(bank.ledger(), ALICE, "1001", 100)
                                .value()
                        : Tellers.deposit(bank.ledger(), ALICE, "1001", i).value();
                // not waited for: the head is the last transaction handed over, durable or not
                assertEquals(tx.seq(), bank.journal().head().orElseThrow().seq());
                if (i % 10 == 9) {
                    bank.journal().awaitDurable(tx.seq());
                    assertEquals(
                            new ChainHead(tx.seq(), hashOf(dir, tx.seq())),
                            bank.journal().head().orElseThrow());
                    assertTrue(bank.journal().recordSecurityEvent(event(i)), "events do not move the head");
                }
            }
            last = bank.journal().head().orElseThrow();
            assertEquals(30, last.seq());
            assertVerified(bank, 30);
        }
        assertEquals(hashOf(dir, 30), last.hash());
        try (Bank bank = JournalTest.open(dir, Durability.BATCH, 2_048, 50)) {
            assertEquals(last, bank.journal().head().orElseThrow(), "the recovered head, not the event after it");
        }
    }

    @Test
    void aHeadIsAValueTheCallerCannotChange() {
        ChainHead head = new ChainHead(3, new byte[32]);
        byte[] bytes = head.hashBytes();
        bytes[0] = 1;
        assertEquals(ChainHead.EMPTY.hash(), head.hash());
        assertArrayEquals(new byte[32], head.hashBytes());
        assertThrows(IllegalArgumentException.class, () -> new ChainHead(1, "ABCD"));
        assertThrows(IllegalArgumentException.class, () -> new ChainHead(1, "A".repeat(64)), "lower case only");
        assertThrows(IllegalArgumentException.class, () -> new ChainHead(-1, ChainHead.EMPTY.hash()));
    }

    @Test
    void withoutAJournalThereIsNoHeadAndBeforeRecoveryItIsAMistake() throws Exception {
        try (Bank bank = JournalTest.open(tmp.resolve("none"), Durability.NONE, ONE_SEGMENT)) {
            commit(bank, Tellers.createAccount(bank.ledger(), ALICE, "1001", 100));
            assertTrue(bank.journal().head().isEmpty());
        }
        Journal unopened = new Journal(tmp.resolve("journal"), Durability.FSYNC, 5, ONE_SEGMENT);
        assertThrows(IllegalStateException.class, unopened::head);
    }

    @Test
    void verifyReportsTheHeadAsLowerCaseHexAndNoReplicas() throws Exception {
        Path dir = tmp.resolve("journal");
        try (Bank bank = JournalTest.open(dir, Durability.FSYNC, ONE_SEGMENT)) {
            randomWork(bank, 20, 3);
            long n = bank.ledger().lastSeq();
            Verifier.Report report =
                    bank.journal().verify(bank.ledger().snapshot()).orElseThrow();
            assertTrue(report.ok(), report.problems()::toString);
            assertEquals(new ChainHead(n, hashOf(dir, n)), report.head());
            Result.Verify verify = Results.verify(report);
            assertEquals(hashOf(dir, n), verify.head());
            assertEquals(verify.head().toLowerCase(java.util.Locale.ROOT), verify.head());
            assertNull(verify.replicas());
        }
    }

    @Test
    void verifyOfAJournalThatEndsEarlyReportsNoHead() throws Exception {
        Path dir = tmp.resolve("journal");
        deposits(dir, ONE_SEGMENT, 6);
        Ledger ahead;
        try (Bank bank = JournalTest.open(dir, Durability.FSYNC, ONE_SEGMENT)) {
            ahead = bank.ledger();
            commit(bank, Tellers.deposit(ahead, ALICE, "1001", 1));
        }
        Path short5 = tmp.resolve("short");
        copyDir(dir, short5);
        openRolledBack(short5, ONE_SEGMENT, 5, tx -> {}).close();
        Verifier.Report report = Verifier.verify(short5, ahead.snapshot());
        assertFalse(report.ok());
        assertNull(report.head());
        assertNull(Results.verify(report).head());
    }

    // ================================================================ helpers

    /** A journal of an account opening and {@code n - 1} deposits, closed. */
    private static List<Transaction> deposits(Path dir, long segmentBytes, int n) throws Exception {
        List<Transaction> all = new ArrayList<>();
        try (Bank bank = JournalTest.open(dir, Durability.FSYNC, segmentBytes)) {
            all.add(commit(bank, Tellers.createAccount(bank.ledger(), ALICE, "1001", 1_000)));
            for (int i = 1; i < n; i++) {
                all.add(commit(bank, Tellers.deposit(bank.ledger(), ALICE, "1001", 100 + i)));
            }
        }
        return all;
    }

    /** A bank on {@code dir}, its journal rolled back to {@code untilSeq}. */
    private static Bank openRolledBack(Path dir, long segmentBytes, long untilSeq, Consumer<Transaction> applied)
            throws Exception {
        Journal journal = new Journal(dir, Durability.FSYNC, 5, segmentBytes);
        Ledger ledger = new Ledger(CONFIG, new TickingClock(), journal);
        Journal.Recovery recovery = journal.recover(0, RecordCodec.NO_PREVIOUS, untilSeq, false, tx -> {
            applied.accept(tx);
            ledger.replay(tx);
        });
        return new Bank(journal, ledger, recovery);
    }

    /** The SHA-256 of transaction {@code seq}'s record, found in the segments and hashed here. */
    private static String hashOf(Path dir, long seq) throws IOException {
        for (Path segment : Segments.list(dir)) {
            byte[] bytes = Files.readAllBytes(segment);
            for (int start : frameStarts(bytes)) {
                byte[] payload = payloadAt(bytes, start);
                if (!RecordCodec.isEvent(payload) && RecordCodec.peekSeq(payload) == seq) {
                    return HexFormat.of().formatHex(sha256(payload));
                }
            }
        }
        throw new AssertionError("no transaction " + seq + " in " + dir);
    }

    private static byte[] sha256(byte[] payload) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(payload);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    private static void assertVerified(Bank bank, long asOf) throws IOException {
        Verifier.Report report = bank.journal().verify(bank.ledger().snapshot()).orElseThrow();
        assertTrue(report.ok(), report.problems()::toString);
        assertEquals(asOf, report.asOfSeq());
        assertEquals(bank.journal().head().orElseThrow(), report.head(), "verify and the journal agree on the head");
    }

    /**
     * The audit trail's first page, once the index has counted the recovered events (in the background, right after
     * recovery: a few frames here), within {@link JournalTest#BOUND}.
     */
    private static List<SecurityEvent> listEvents(Journal journal) throws IOException {
        long deadline = System.nanoTime() + JournalTest.BOUND.toNanos();
        while (true) {
            try {
                return journal.securityEvents(new SecurityEventQuery(0, 10, null, null, null, null))
                        .entries();
            } catch (NotReadyException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.onSpinWait();
            }
        }
    }

    private static SecurityEvent event(int i) {
        return SecurityEvent.of(
                Instant.parse("2026-12-02T09:00:00Z").plusSeconds(i),
                SecurityEvent.Kind.LOGIN_FAILED,
                "user" + i,
                "127.0.0.1",
                "detail " + i);
    }

    private static byte[] slice(byte[] bytes, int from, int to) {
        return java.util.Arrays.copyOfRange(bytes, from, to);
    }

    /** Every file in {@code dir} and its bytes, by name. */
    private static Map<Path, byte[]> files(Path dir) throws IOException {
        Map<Path, byte[]> files = new TreeMap<>();
        try (Stream<Path> list = Files.list(dir)) {
            for (Path file : list.toList()) {
                files.put(file, Files.readAllBytes(file));
            }
        }
        return files;
    }

    private static void assertFilesEqual(Map<Path, byte[]> expected, Map<Path, byte[]> actual, String what) {
        assertEquals(expected.keySet(), actual.keySet(), what);
        expected.forEach((file, bytes) -> assertArrayEquals(bytes, actual.get(file), what + ": " + file));
    }
}
