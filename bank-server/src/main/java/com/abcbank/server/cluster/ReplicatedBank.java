package com.abcbank.server.cluster;

import com.abcbank.journal.ChainHead;
import com.abcbank.ledger.Outcome;
import com.abcbank.ledger.Transaction;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The bank as the replicated state machine sees it: the one thing every node applies the log to. Called by
 * {@link BankStateMachine} on Ratis's one apply thread, in log order; nothing here may depend on the node's own
 * clock, randomness or timing, so that every node that applies the same entries holds the same books and the same
 * journal, byte for byte.
 */
public interface ReplicatedBank {
    /**
     * Applies one command at the entry's {@code time} and returns its outcome: a value of the protocol's results
     * ({@code Result}), which nothing changes afterwards, since its reply may be written long after (or never).
     */
    Outcome<?> apply(Command command, Instant time);

    /** After every command of an entry applied at {@code time}: the time-driven rules (forgetting old keys). */
    void afterEntry(Instant time);

    /** The ledger's last transaction: cheap, read after every entry. */
    long lastSeq();

    /**
     * The journal chain's head at transaction {@code seq} (at most {@link #lastSeq}), read back from the journal:
     * compared across nodes. May wait for the journal to write that far.
     */
    ChainHead headAt(long seq) throws IOException;

    /**
     * Writes a snapshot of the bank as of now, which is the state after log entry {@code index} of {@code term}, and
     * returns it; the older ones may be deleted.
     */
    SnapshotFile snapshot(long term, long index) throws IOException;

    /** The newest snapshot, if any: where a restart began, or the last one written. */
    Optional<SnapshotFile> latestSnapshot();

    /**
     * After Ratis installed a snapshot from the leader in this node's state machine directory (this node had fallen
     * behind a purged log): brings the bank to it. The transactions between this node's books and the snapshot are
     * fetched from a peer ({@code source}) and replayed into the ledger and the journal exactly as committed, so the
     * node keeps its whole history and its chain must reach the snapshot's head; the users are the snapshot's.
     *
     * @return the snapshot now applied
     * @throws IOException if the snapshot cannot be read, or the transactions fetched do not reach its chain head
     */
    SnapshotFile install(TransactionSource source) throws IOException;

    /** Up to {@code max} committed transactions after {@code afterSeq}, at most up to {@code untilSeq}, in order. */
    List<Transaction> transactions(long afterSeq, long untilSeq, int max);

    /** Where a node that installs a snapshot fetches the transactions it misses. */
    interface TransactionSource {
        /** Transactions after {@code afterSeq}, at most up to {@code untilSeq}, in order (at least one). */
        List<Transaction> fetch(long afterSeq, long untilSeq) throws IOException;
    }

    /** A snapshot's files on disk and the log entry it covers. */
    record SnapshotFile(List<Path> files, long term, long index) {}
}
