package com.abcbank.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abcbank.ledger.Caller;
import com.abcbank.ledger.Ledger;
import com.abcbank.ledger.LedgerConfig;
import com.abcbank.ledger.LedgerState;
import com.abcbank.ledger.Tellers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Starts from a snapshot plus the journal after it, at the edges: segment boundaries, batch mode, repair. */
class JournalSnapshotTest {
    private static final Caller ALICE = Caller.customer("alice");

    @TempDir
    Path dir;

    /** Three transactions, each in its own segment (every batch rotates); returns the state after them. */
    private LedgerState threeTransactions(Durability durability) throws Exception {
        return threeTransactions(durability, 1);
    }

    private LedgerState threeTransactions(Durability durability, long segmentBytes) throws Exception {
        try (Journal journal = new Journal(dir, durability, 10, segmentBytes)) {
            Ledger ledger = new Ledger(LedgerConfig.defaults(), Clock.systemUTC(), journal);
            journal.recover(false, ledger::replay);
            journal.awaitDurable(
                    Tellers.createAccount(ledger, ALICE, "1001", 10_000).value().seq());
            journal.awaitDurable(
                    Tellers.deposit(ledger, ALICE, "1001", 500).value().seq());
            journal.awaitDurable(
                    ledger.withdraw(ALICE, "1001", 200, "k-1").value().seq());
            journal.awaitForced(ledger.lastSeq());
            return ledger.exportState(Instant.EPOCH);
        }
    }

    private Ledger startFrom(LedgerState state, boolean repair) throws Exception {
        Ledger ledger = new Ledger(LedgerConfig.defaults(), Clock.systemUTC());
        ledger.restore(state, new JournalArchive(dir, state.lastSeq()));
        JournalReader.read(dir, state.lastSeq(), RecordCodec.NO_PREVIOUS, repair, ledger::replay);
        return ledger;
    }

    @Test
    void aSegmentCreatedAtTheSnapshotAndLeftEmptyByACrashStillStarts() throws Exception {
        LedgerState state = threeTransactions(Durability.FSYNC);
        Files.createFile(Segments.path(dir, state.lastSeq() + 1)); // rotate() ran, then the crash

        Ledger ledger = startFrom(state, false);

        assertEquals(state.lastSeq(), ledger.lastSeq());
        assertEquals(
                10_300, ledger.balance(Caller.auditor("Audit"), "1001").value().balanceCents());
        assertEquals(3, ledger.history(ALICE, "1001", 0, 10).value().items().size(), "history from the archive");
    }

    @Test
    void theFirstReplayedRecordMustChainToTheSnapshotsLastEvenAcrossASegmentBoundary() throws Exception {
        LedgerState state = threeTransactions(Durability.FSYNC);
        // Replace record 3 (its own segment) with a record of another journal: same seq, different chain.
        Path other = Files.createDirectory(dir.resolveSibling(dir.getFileName() + "-other"));
        try (Journal journal = new Journal(other, Durability.FSYNC, 10, 1)) {
            Ledger ledger = new Ledger(LedgerConfig.defaults(), Clock.systemUTC(), journal);
            journal.recover(false, ledger::replay);
            Tellers.createAccount(ledger, ALICE, "1001", 10_000);
            Tellers.deposit(ledger, ALICE, "1001", 501);
            journal.awaitDurable(
                    Tellers.withdraw(ledger, ALICE, "1001", 200).value().seq());
            journal.awaitDurable(
                    Tellers.deposit(ledger, ALICE, "1001", 7).value().seq());
        }
        Files.copy(Segments.path(other, 4), Segments.path(dir, 4));

        JournalCorruptedException e = assertThrows(JournalCorruptedException.class, () -> startFrom(state, false));
        assertTrue(e.getMessage().contains("does not chain"), e::getMessage);
    }

    @Test
    void batchModeForcesTheJournalBeforeASnapshotMayCoverIt() throws Exception {
        try (Journal journal = new Journal(dir, Durability.BATCH, 60_000, Journal.DEFAULT_SEGMENT_BYTES)) {
            Ledger ledger = new Ledger(LedgerConfig.defaults(), Clock.systemUTC(), journal);
            journal.recover(false, ledger::replay);
            long seq =
                    Tellers.createAccount(ledger, ALICE, "1001", 10_000).value().seq();
            journal.awaitDurable(seq);
            long forcesBefore = journal.forces(); // a 60 s window: nothing forces it but the request below

            journal.awaitForced(seq);

            assertEquals(forcesBefore + 1, journal.forces());
        }
    }

    @Test
    void repairRefusesToCutUnderASnapshot() throws Exception {
        LedgerState state = threeTransactions(Durability.FSYNC, Journal.DEFAULT_SEGMENT_BYTES);
        Path segment = Segments.path(dir, 1);
        byte[] bytes = Files.readAllBytes(segment);
        bytes[bytes.length / 2] ^= 0x01; // damage record 2 of 3, which the snapshot covers
        Files.write(segment, bytes);

        JournalCorruptedException e = assertThrows(JournalCorruptedException.class, () -> startFrom(state, true));
        assertTrue(e.getMessage().contains("before the snapshot"), e::getMessage);
        assertEquals(List.of(segment), Segments.list(dir));
        assertEquals(bytes.length, Files.size(segment), "nothing was cut");
    }
}
