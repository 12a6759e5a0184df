/**
 * The bank's durable memory: a write-ahead journal of every committed transaction, with group commit, crash
 * recovery, snapshots, the history read back from disk, and the independent re-check of the books.
 *
 * <h2>What is API</h2>
 * The server uses the public types only: {@link com.abcbank.journal.Journal} (recover, then append through the
 * ledger's {@link com.abcbank.ledger.CommitLog}, and {@code awaitDurable} before every reply, both through
 * {@link com.abcbank.journal.DurableLog}),
 * {@link com.abcbank.journal.Durability}, {@link com.abcbank.journal.ChainHead} (where the hash chain stands:
 * {@code Journal.head()}, {@code Verifier.Report.head()}), {@link com.abcbank.journal.SnapshotStore},
 * {@link com.abcbank.journal.JournalArchive} (the ledger's {@link com.abcbank.ledger.History} before a snapshot, for
 * a ledger without a store; a {@code Journal} that keeps files is itself the ledger's store, through
 * {@link com.abcbank.ledger.CommitLog#store()}: {@code JournalHistory}, an index that follows the files),
 * {@link com.abcbank.journal.Verifier}, and the two exceptions: {@link com.abcbank.journal.JournalCorruptedException}
 * (refuse to start: damage a crash cannot explain) and {@link com.abcbank.journal.JournalFailedException} (a
 * write or force failed: the outcome of a transaction is unknown). Two seams are for what plugs in later:
 * {@link com.abcbank.journal.DurableLog}, the durability boundary the server depends on (the local journal
 * implements it; a replicated log may), and {@link com.abcbank.journal.DurableFeed} with {@link
 * com.abcbank.journal.DurableListener}, which hands every durable transaction to observers, once and in order.
 * Everything else is package-private and may
 * change: the reader ({@code JournalReader}, the recovery decision, and {@code RolledBack}, a cluster node's cut), the history ({@code JournalHistory},
 * {@code JournalIndexer}, {@code PositionIndex}), the writer ({@code JournalWriter} and its
 * bounded {@code CommitBuffer}), the frame scanner ({@code FrameScanner}, {@code Scanned}), the record codec
 * and the segment naming.
 *
 * <h2>What is stable</h2>
 * The files on disk are a promise as binding as the API: a journal or a snapshot written by one version is read
 * by every later one. That covers the segment names ({@code journal-<first seq, 20 digits>.log}), the framing
 * ({@code u32 length, u32 CRC32C, payload}, at most 64 KiB), the record payload and its hash chain (format byte 1;
 * {@code TxType.code} and, in snapshots,
 * {@code AccountKind.code}: append, never renumber) and the snapshot layout ({@code snapshot-<seq, 20 digits>.snap}, format
 * byte 1). A new layout gets a new format byte and the old one stays readable. docs/architecture.md ("The
 * journal") describes them field by field, with the rules of recovery.
 *
 * <h2>Threads</h2>
 * Recovery runs once, before the server takes requests. Then any number of committers append (inside the ledger's
 * sequencer), one flusher thread writes and forces, and request threads wait for durability; the lock order is in
 * {@code JournalWriter}'s class comment.
 */
package com.abcbank.journal;
