package com.abcbank.server.cluster;

import com.abcbank.journal.ChainHead;
import com.abcbank.protocol.Reply;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * The bank as the replicated state machine sees it: the one thing every node applies the log to. Called by
 * {@link BankStateMachine} on Ratis's one apply thread, in log order; nothing here may depend on the node's own
 * clock, randomness or timing, so that every node that applies the same entries holds the same books and the same
 * journal, byte for byte.
 */
public interface ReplicatedBank {
    /** Applies one command at the entry's {@code time} and returns its reply (without an id). */
    Reply apply(Command command, Instant time);

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

    /** A snapshot on disk and the log entry it covers. */
    record SnapshotFile(Path file, long term, long index) {}
}
