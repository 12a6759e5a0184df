package com.abcbank.ledger;

import java.util.List;

/**
 * Where a ledger reads back the transactions it no longer holds as objects: the journal on disk. The seam between
 * the ledger's bounded memory and the files; {@code com.abcbank.journal.Journal} provides one ({@link
 * CommitLog#store()}) when it keeps files, and the ledger then holds in memory only the transactions the store has
 * not yet indexed.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li><b>Following.</b> After {@link #follow}, the store hands the index every record it keeps, exactly once, in
 *       sequence order 1, 2, 3... with no gap: {@link HistoryIndex#indexed} per record, then {@link
 *       HistoryIndex#indexedUpTo} for a batch. Only durable records are handed over (their bytes are whole in the
 *       files), and only once {@link #read(long)} can return them: the index may drop its in-memory copy as soon as
 *       it has been told. Calls come from one thread at a time (the store's own follower, which starts at the
 *       end of recovery and first indexes what recovery found), never from a thread that holds a ledger lock, and
 *       in happens-before order. Until it has caught up with recovery, the ledger's history reads wait for it.</li>
 *   <li><b>Reading.</b> {@link #read(long)}, {@link #read(long[], int, int)} and {@link History#read} return
 *       records that were indexed, from any thread, without taking a ledger lock; they do I/O, so the ledger never
 *       calls them under one of its locks. A record whose frame or checksum is wrong is an {@link
 *       java.io.UncheckedIOException} naming the file and byte: it was whole when indexed, so this is damage.</li>
 *   <li><b>Life.</b> The store follows until its journal closes; reads keep working after that.</li>
 * </ul>
 */
public interface HistoryStore extends History {
    /** Starts handing every kept record to {@code index} (see the class comment). Call it once, before recovery. */
    void follow(HistoryIndex index);

    /** The transaction numbered {@code seq}, which must have been indexed. */
    Transaction read(long seq);

    /** The transactions numbered {@code seqs[from..to)}, each indexed, in that order. */
    List<Transaction> read(long[] seqs, int from, int to);

    /** What the store learns of each record, in sequence order (see {@link HistoryStore}). */
    interface HistoryIndex {
        /**
         * Record {@code seq} is readable from the store; it touches (opens or posts to) {@code accounts[0..count)},
         * distinct account numbers.
         */
        void indexed(long seq, String[] accounts, int count);

        /** Every record up to {@code seq} has been passed to {@link #indexed}. */
        void indexedUpTo(long seq);
    }
}
