package com.abcbank.journal;

import static com.abcbank.journal.JournalTest.ALICE;
import static com.abcbank.journal.JournalTest.BOB;
import static com.abcbank.journal.JournalTest.assertSameBooks;
import static com.abcbank.journal.JournalTest.commit;
import static com.abcbank.journal.JournalTest.copyDir;
import static com.abcbank.journal.JournalTest.decode;
import static com.abcbank.journal.JournalTest.frameStarts;
import static com.abcbank.journal.JournalTest.framed;
import static com.abcbank.journal.JournalTest.payloadAt;
import static com.abcbank.journal.JournalTest.randomWork;
import static com.abcbank.journal.JournalTest.replayed;
import static com.abcbank.journal.JournalTest.transactions;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.abcbank.journal.JournalTest.Bank;
import com.abcbank.ledger.Posting;
import com.abcbank.ledger.Tellers;
import com.abcbank.ledger.Transaction;
import com.abcbank.ledger.TxType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What a crash, a bad disk or an editor can leave in the journal, and what recovery makes of it. A crash leaves at
 * most a torn tail, which is cut (it was never acknowledged); anything else is refused, naming the file and byte,
 * without changing the file, unless the operator asks to repair, which cuts at the damage.
 *
 * <p>Most tests start from the same eight transactions in one segment ({@link #writeEight}) and work on copies.
 */
class JournalCrashRecoveryTest {
    private static final long SEGMENT_BYTES = Journal.DEFAULT_SEGMENT_BYTES;
    private static final int EIGHT = 8;

    @TempDir
    Path tmp;

    private Path dir;
    private Path segment;
    /** The eight transactions as committed. */
    private List<Transaction> committed;

    private byte[] bytes;
    private List<Integer> starts;

    @BeforeEach
    void writeEight() throws Exception {
        dir = tmp.resolve("journal");
        segment = Segments.path(dir, 1);
        committed = new ArrayList<>();
        try (Bank bank = JournalTest.open(dir, Durability.FSYNC, SEGMENT_BYTES)) {
            var ledger = bank.ledger();
            committed.add(commit(bank, ledger.createAccount(ALICE, "1001", 50_000, "open-1001")));
            committed.add(commit(bank, Tellers.createAccount(ledger, BOB, "2001", 20_000)));
            committed.add(commit(bank, Tellers.deposit(ledger, ALICE, "1001", 7_500)));
            Transaction loan = commit(bank, ledger.applyLoan(BOB, "2001", 30_000, "loan-1"));
            committed.add(loan);
            committed.add(commit(bank, Tellers.withdraw(ledger, ALICE, "1001", 1_234)));
            committed.add(commit(bank, ledger.transfer(BOB, "2001", "1001", 4_321, "t-1")));
            committed.add(commit(bank, Tellers.payLoanCheck(ledger, BOB, loan.opened(), 5_000)));
            // The last record is the largest kind: two postings and a key.
            committed.add(commit(bank, ledger.transfer(ALICE, "1001", "2001", 999, "transfer-the-last")));
        }
        bytes = Files.readAllBytes(segment);
        starts = frameStarts(bytes);
        assertEquals(EIGHT, starts.size());
        assertEquals(List.of(segment), Segments.list(dir));
    }

    // ---------------------------------------------------------------- torn tails: cut

    @Test
    void aTailTornAtEveryByteOfTheLastRecordIsCutAndAppendingGoesOn() throws Exception {
        int lastStart = starts.get(EIGHT - 1);
        assertTrue(bytes.length - lastStart > 100, "the last record is a full-size one: " + (bytes.length - lastStart));
        List<Transaction> kept = committed.subList(0, EIGHT - 1);
        var expected = replayed(kept);
        for (int offset = lastStart; offset < bytes.length; offset++) {
            String at = "torn at byte " + offset;
            Path torn = tmp.resolve("torn-" + offset);
            Files.createDirectories(torn);
            Path tornSegment = torn.resolve(segment.getFileName());
            Files.write(tornSegment, Arrays.copyOf(bytes, offset));

            try (Bank bank = JournalTest.open(torn, Durability.FSYNC, SEGMENT_BYTES)) {
                assertEquals(EIGHT - 1, bank.recovery().lastSeq(), at);
                assertEquals(EIGHT - 1, bank.recovery().records(), at);
                assertEquals(offset - lastStart, bank.recovery().cutBytes(), at);
                assertEquals(lastStart, Files.size(tornSegment), at + ": the file ends where record 7 ends");
                assertEquals(kept, transactions(bank.ledger()), at);
                assertSameBooks(expected, bank.ledger());

                Transaction next = commit(bank, Tellers.deposit(bank.ledger(), BOB, "2001", 100 + offset));
                assertEquals(EIGHT, next.seq(), at);
            }
            try (Bank again = JournalTest.open(torn, Durability.FSYNC, SEGMENT_BYTES)) {
                assertEquals(EIGHT, again.recovery().lastSeq(), at);
                assertEquals(0, again.recovery().cutBytes(), at);
                assertEquals(100 + offset, again.ledger().transaction(EIGHT).amountCents(), at);
            }
        }
    }

    @ParameterizedTest(name = "{0} zero bytes")
    @ValueSource(ints = {1, 7, 8, 9, 4096})
    void zerosAfterTheLastRecordAreCut(int zeros) throws Exception {
        Files.write(segment, new byte[zeros], StandardOpenOption.APPEND);
        try (Bank bank = JournalTest.open(dir, Durability.FSYNC, SEGMENT_BYTES)) {
            assertEquals(EIGHT, bank.recovery().lastSeq());
            assertEquals(zeros, bank.recovery().cutBytes());
            assertEquals(bytes.length, Files.size(segment));
            assertEquals(committed, transactions(bank.ledger()));
            assertEquals(
                    EIGHT + 1,
                    commit(bank, Tellers.deposit(bank.ledger(), BOB, "2001", 1)).seq());
        }
        try (Bank bank = JournalTest.open(dir, Durability.FSYNC, SEGMENT_BYTES)) {
            assertEquals(EIGHT + 1, bank.recovery().lastSeq());
        }
    }

    @Test
    void aLastRecordWhoseHeaderReachedTheDiskButNotItsPayloadIsCut() throws Exception {
        int lastStart = starts.get(EIGHT - 1);
        byte[] zeroed = bytes.clone();
        Arrays.fill(zeroed, lastStart + Frames.HEADER_BYTES, zeroed.length, (byte) 0);
        Files.write(segment, zeroed);
        try (Bank bank = JournalTest.open(dir, Durability.FSYNC, SEGMENT_BYTES)) {
            assertEquals(EIGHT - 1, bank.recovery().lastSeq());
            assertEquals(bytes.length - lastStart, bank.recovery().cutBytes());
            assertEquals(lastStart, Files.size(segment));
        }
    }

    // ---------------------------------------------------------------- flipped bits: refused

    /** A bit flipped in the middle record (the fifth), at byte {@code byteInFrame} of its frame (-1: its last). */
    @ParameterizedTest(name = "{0}: byte {1} bit {2}")
    @CsvSource({
        "length sign bit,              0, 7",
        "length above the 64 KiB limit, 1, 0",
        "length past the end of the file, 2, 4",
        "length a little longer,        2, 0",
        "length off by one,             3, 0",
        "checksum low bit,              7, 0",
        "checksum high bit,             4, 7",
        "payload format byte,           8, 0",
        "payload previous hash,         20, 3",
        "payload amount,                -9, 1",
        "payload last byte,             -1, 0",
    })
    void aFlippedBitInAMiddleRecordIsRefusedUntouchedAndRepairCutsThere(String what, int byteInFrame, int bit)
            throws Exception {
        int damaged = 4;
        int start = starts.get(damaged);
        int end = starts.get(damaged + 1);
        int at = byteInFrame >= 0 ? start + byteInFrame : end + byteInFrame;
        byte[] flipped = bytes.clone();
        flipped[at] ^= (byte) (1 << bit);
        Files.write(segment, flipped);

        List<Long> applied = new ArrayList<>();
        JournalCorruptedException e = assertRefused(dir, applied, what);
        assertNamesTheDamage(e, segment, start);
        assertEquals(seqs(1, damaged), applied, "nothing applied from the damaged record on");
        assertArrayEquals(flipped, Files.readAllBytes(segment), "refusing leaves the file as it was");
        assertEquals(List.of(segment), Segments.list(dir));

        assertRepairCutsAt(segment, start, damaged);
    }

    @Test
    void aFlippedBitInTheLastRecordOfANonLastSegmentIsRefused() throws Exception {
        // The same flip in the last segment would pass for a torn tail; in an older one it cannot be.
        Path next = Segments.path(dir, EIGHT + 1);
        try (Bank bank = JournalTest.open(dir, Durability.FSYNC, 1)) { // 1 byte: the next write rolls over
            commit(bank, Tellers.deposit(bank.ledger(), BOB, "2001", 1));
        }
        assertEquals(List.of(segment, next), Segments.list(dir));
        byte[] flipped = bytes.clone();
        flipped[flipped.length - 1] ^= 1;
        Files.write(segment, flipped);

        JournalCorruptedException e = assertRefused(dir, new ArrayList<>(), "flipped in segment 1 of 2");
        assertNamesTheDamage(e, segment, starts.get(EIGHT - 1));
        assertArrayEquals(flipped, Files.readAllBytes(segment));
    }

    // ---------------------------------------------------------------- the chain: refused

    @Test
    void aRemovedMiddleRecordIsRefusedEvenWhenTheFramesAreValid() throws Exception {
        int removed = 3;
        List<byte[]> payloads = payloads();
        payloads.remove(removed);
        byte[] rewritten = framed(payloads);
        Files.write(segment, rewritten);
        assertEquals(EIGHT - 1, frameStarts(rewritten).size(), "every frame and CRC is valid");

        List<Long> applied = new ArrayList<>();
        JournalCorruptedException e = assertRefused(dir, applied, "rewritten");
        assertNamesTheDamage(e, segment, starts.get(removed));
        assertEquals(seqs(1, removed), applied);
        assertArrayEquals(rewritten, Files.readAllBytes(segment));
    }

    @Test
    void aRecordRepeatedRightAfterItselfIsRefusedNotSkipped() throws Exception {
        int repeated = 3;
        List<byte[]> payloads = payloads();
        payloads.add(repeated + 1, payloads.get(repeated));
        byte[] rewritten = framed(payloads);
        Files.write(segment, rewritten);
        assertEquals(EIGHT + 1, frameStarts(rewritten).size(), "every frame and CRC is valid");

        List<Long> applied = new ArrayList<>();
        JournalCorruptedException e = assertRefused(dir, applied, "rewritten");
        assertNamesTheDamage(e, segment, frameStarts(rewritten).get(repeated + 1));
        assertEquals(seqs(1, repeated + 1), applied);
    }

    @Test
    void anAmountEditedWithAValidChecksumIsRefusedAtTheNextRecord() throws Exception {
        int edited = 2; // alice's deposit of 75.00
        List<byte[]> payloads = payloads();
        RecordCodec.Decoded decoded = RecordCodec.decode(payloads.get(edited));
        Transaction original = decoded.tx();
        assertEquals(TxType.DEPOSIT, original.type());
        // A consistent forgery: both legs and both balances-after move by 1,000.00, so the ledger replays it.
        long extraCents = 100_000;
        Posting vault = original.postings().get(0);
        Posting account = original.postings().get(1);
        Transaction forged = new Transaction(
                original.seq(),
                original.time(),
                original.type(),
                original.user(),
                original.opened(),
                List.of(
                        new Posting(
                                vault.account(),
                                vault.amountCents() - extraCents,
                                vault.balanceAfterCents() - extraCents),
                        new Posting(
                                account.account(),
                                account.amountCents() + extraCents,
                                account.balanceAfterCents() + extraCents)),
                original.key());
        payloads.set(edited, RecordCodec.encode(forged, decoded.previousHash()));
        byte[] rewritten = framed(payloads);
        Files.write(segment, rewritten);
        assertEquals(starts, frameStarts(rewritten), "same frame sizes, every CRC valid");
        assertEquals(forged, decode(rewritten, starts.get(edited)));

        List<Long> applied = new ArrayList<>();
        JournalCorruptedException e = assertRefused(dir, applied, "rewritten");
        assertNamesTheDamage(e, segment, starts.get(edited + 1));
        assertTrue(e.getMessage().contains("chain"), e.getMessage());
        assertEquals(seqs(1, edited + 1), applied, "the forgery itself is read; the record after it exposes it");
        assertArrayEquals(rewritten, Files.readAllBytes(segment));
    }

    @Test
    void aWellFramedRecordThatDoesNotDecodeIsRefusedAndRepairCutsThere() throws Exception {
        int damaged = 4;
        List<byte[]> payloads = payloads();
        payloads.get(damaged)[0] = 99; // an unknown record format, under a valid CRC (a bug, or an edit)
        byte[] rewritten = framed(payloads);
        Files.write(segment, rewritten);

        JournalCorruptedException e = assertRefused(dir, new ArrayList<>(), "undecodable");
        assertNamesTheDamage(e, segment, starts.get(damaged));
        assertArrayEquals(rewritten, Files.readAllBytes(segment));

        assertRepairCutsAt(segment, starts.get(damaged), damaged);
    }

    // ---------------------------------------------------------------- segments

    @Test
    void acrossManySegmentsATornTailIsCutAndOlderDamageIsRefused() throws Exception {
        Path many = tmp.resolve("many");
        List<Transaction> all;
        try (Bank bank = JournalTest.open(many, Durability.FSYNC, 4096)) {
            all = randomWork(bank, 200, 99).committed;
        }
        List<Path> segments = Segments.list(many);
        assertTrue(segments.size() >= 4, "segments: " + segments);
        int n = all.size();

        // A torn tail in the last segment is cut.
        Path torn = tmp.resolve("torn");
        copyDir(many, torn);
        Path tornLast = torn.resolve(segments.get(segments.size() - 1).getFileName());
        byte[] last = Files.readAllBytes(tornLast);
        List<Integer> lastStarts = frameStarts(last);
        int lastStart = lastStarts.get(lastStarts.size() - 1);
        int cutAt = lastStart + (last.length - lastStart) / 2;
        Files.write(tornLast, Arrays.copyOf(last, cutAt));
        try (Bank bank = JournalTest.open(torn, Durability.FSYNC, 4096)) {
            assertEquals(n - 1, bank.recovery().lastSeq());
            assertEquals(cutAt - lastStart, bank.recovery().cutBytes());
            assertEquals(lastStart, Files.size(tornLast));
            assertSameBooks(replayed(all.subList(0, n - 1)), bank.ledger());
            assertEquals(
                    n,
                    commit(bank, Tellers.deposit(bank.ledger(), ALICE, "1001", 1))
                            .seq());
        }
        try (Bank bank = JournalTest.open(torn, Durability.FSYNC, 4096)) {
            assertEquals(n, bank.recovery().lastSeq());
        }

        // The same tear in an older segment is corruption: that segment was forced before the next was begun.
        Path olderTorn = tmp.resolve("older-torn");
        copyDir(many, olderTorn);
        Path second = olderTorn.resolve(segments.get(1).getFileName());
        byte[] secondBytes = Files.readAllBytes(second);
        List<Integer> secondStarts = frameStarts(secondBytes);
        int secondLastStart = secondStarts.get(secondStarts.size() - 1);
        byte[] secondTorn = Arrays.copyOf(secondBytes, secondBytes.length - 3);
        Files.write(second, secondTorn);
        JournalCorruptedException e = assertRefused(olderTorn, new ArrayList<>(), "older segment torn");
        assertNamesTheDamage(e, second, secondLastStart);
        assertArrayEquals(secondTorn, Files.readAllBytes(second));

        // A flipped bit in an older segment's last record, which in the last segment would pass for a torn tail.
        Path olderFlipped = tmp.resolve("older-flipped");
        copyDir(many, olderFlipped);
        Path first = olderFlipped.resolve(segments.get(0).getFileName());
        byte[] firstBytes = Files.readAllBytes(first);
        List<Integer> firstStarts = frameStarts(firstBytes);
        firstBytes[firstBytes.length - 5] ^= 0x10;
        Files.write(first, firstBytes);
        e = assertRefused(olderFlipped, new ArrayList<>(), "older segment flipped");
        assertNamesTheDamage(e, first, firstStarts.get(firstStarts.size() - 1));
        assertArrayEquals(firstBytes, Files.readAllBytes(first));

        // A whole middle segment gone: a gap in the sequence, found at the first byte of the segment after it.
        Path gap = tmp.resolve("gap");
        copyDir(many, gap);
        Files.delete(gap.resolve(segments.get(1).getFileName()));
        Path afterGap = gap.resolve(segments.get(2).getFileName());
        e = assertRefused(gap, new ArrayList<>(), "middle segment deleted");
        assertNamesTheDamage(e, afterGap, 0);
    }

    // ---------------------------------------------------------------- helpers

    private List<byte[]> payloads() {
        List<byte[]> payloads = new ArrayList<>();
        starts.forEach(start -> payloads.add(payloadAt(bytes, start)));
        return payloads;
    }

    private static List<Long> seqs(long first, long last) {
        return LongStream.rangeClosed(first, last).boxed().toList();
    }

    /**
     * Recovery of {@code journal} must refuse; {@code applied} gets what it replayed first. If it starts instead,
     * says what it made of the journal.
     */
    private static JournalCorruptedException assertRefused(Path journal, List<Long> applied, String what)
            throws Exception {
        Bank started;
        try {
            started = JournalTest.open(journal, Durability.FSYNC, SEGMENT_BYTES, 5, false, tx -> applied.add(tx.seq()));
        } catch (JournalCorruptedException e) {
            return e;
        }
        started.close();
        List<Long> sizes = new ArrayList<>();
        for (Path file : Segments.list(journal)) {
            sizes.add(Files.size(file));
        }
        return fail(what + ": expected JournalCorruptedException, but recovery started with " + started.recovery()
                + ", segment sizes now " + sizes);
    }

    private static void assertNamesTheDamage(JournalCorruptedException e, Path file, long offset) {
        assertEquals(file, e.file());
        assertEquals(offset, e.offset());
        assertTrue(e.getMessage().contains(file.toString()), "names the file: " + e.getMessage());
        assertTrue(e.getMessage().contains("byte " + offset), "names the byte offset: " + e.getMessage());
    }

    /** With repair, recovery keeps the {@code kept} records before byte {@code cutAt} and cuts the rest. */
    private void assertRepairCutsAt(Path file, int cutAt, int kept) throws Exception {
        long size = Files.size(file);
        Consumer<Transaction> ignore = tx -> {};
        try (Bank bank = JournalTest.open(dir, Durability.FSYNC, SEGMENT_BYTES, 5, true, ignore)) {
            assertEquals(kept, bank.recovery().lastSeq());
            assertEquals(kept, bank.recovery().records());
            assertEquals(size - cutAt, bank.recovery().cutBytes());
            assertEquals(cutAt, Files.size(file));
            assertEquals(committed.subList(0, kept), transactions(bank.ledger()));
            assertSameBooks(replayed(committed.subList(0, kept)), bank.ledger());
            assertEquals(
                    kept + 1,
                    commit(bank, Tellers.deposit(bank.ledger(), ALICE, "1001", 1))
                            .seq());
        }
        try (Bank bank = JournalTest.open(dir, Durability.FSYNC, SEGMENT_BYTES)) {
            assertEquals(kept + 1, bank.recovery().lastSeq(), "after repair the journal is whole again");
        }
    }
}
