package com.abcbank.ledger;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Where history is read from: memory, the journal's store, or (without a store) a journal archive before a snapshot.
 *
 * <h2>With a store: bounded memory</h2>
 * The ledger holds as objects only the transactions the store has not indexed yet ({@link TransactionLog},
 * {@link Account}); everything else is read back from the journal files by number. The boundary moves while
 * people read, and a read must never skip or repeat a transaction where it crosses it:
 * <ul>
 *   <li><b>One account's history</b> ({@link #ofAccount}): under the account's lock, its indexed numbers and its
 *       held transactions partition its history, because the indexer moves a transaction from one to the other
 *       under that same lock in one step ({@link Account#indexed}). The reader copies both parts under the lock,
 *       then reads the numbers from the store after releasing it (no I/O under a ledger lock). Each transaction is
 *       in exactly one part; both are in sequence order, indexed before held.</li>
 *   <li><b>The whole journal</b> ({@link #page}): no lock. The reader reads {@code indexedUpTo} (I1), copies the
 *       held transactions above it, then reads {@code indexedUpTo} again (I2), and takes the disk for
 *       {@code (after, I2]} and the copy for {@code (I2, last]}. The indexer raises {@code indexedUpTo} before it
 *       drops objects, so an object the copy missed was dropped after {@code indexedUpTo} passed it, before I2 was
 *       read: its number is at most I2, and the disk gives it. Nothing above I2 was dropped before the copy, so
 *       the copy has all of those. Each number is taken from one side only.</li>
 *   <li><b>By number</b> ({@link #transaction}): memory first, then {@code indexedUpTo}; by the same argument a
 *       number missing from memory is at most {@code indexedUpTo} by then.</li>
 *   <li><b>After a start</b>, replayed transactions (and those before a snapshot) were never held: until the store
 *       has indexed up to the first held number ({@link TransactionLog#heldFrom}) a reader of history waits, at most
 *       {@link #CATCH_UP_WAIT_SECONDS}. The journal builds that index in the background right after recovery, so
 *       a start stays fast, and only history reads in its first seconds wait.</li>
 * </ul>
 * Readers never block writers: the account lock is held for two array copies, the sequencer never.
 *
 * <h2>Without a store</h2>
 * A ledger started from a snapshot holds in memory only the transactions after the snapshot; the older ones are
 * read back from the archive ({@link #startFrom}), which is immutable (it ends before the live journal starts), so
 * reading it needs no lock. A ledger that replayed its whole journal, or never had one, holds everything.
 */
final class Statements {
    /** The longest a reader waits for the store to index the journal that was replayed at start. */
    static final long CATCH_UP_WAIT_SECONDS = 120;

    private final TransactionLog log;
    private final HistoryStore store;
    private final Function<String, Account> accounts;
    private final Object caughtUp = new Object();
    private volatile History archive;
    private volatile long archivedUpTo;

    /** @param store where indexed transactions are read back, or {@code null}: memory (and an archive) only */
    Statements(TransactionLog log, HistoryStore store, Function<String, Account> accounts) {
        this.log = log;
        this.store = store;
        this.accounts = accounts;
    }

    /** Without a store: from now on, transactions up to {@code upToSeq} are read from {@code older}. */
    void startFrom(History older, long upToSeq) {
        if (store == null) {
            this.archive = older;
            this.archivedUpTo = upToSeq;
        }
    }

    /**
     * Up to {@code limit + 1} transactions of {@code account} after {@code afterSeq}, in sequence order: one more
     * than a page, so the caller can tell whether another page follows. Takes the account's lock to copy what to
     * read; reads the disk after releasing it.
     */
    List<Transaction> ofAccount(Account account, long afterSeq, int limit) {
        List<Transaction> txs = new ArrayList<>();
        History older = archive;
        long upTo = archivedUpTo;
        if (older != null && afterSeq < upTo) {
            txs.addAll(older.read(afterSeq, upTo, tx -> tx.involves(account.number), limit + 1));
        }
        if (txs.size() > limit) {
            return txs;
        }
        awaitCaughtUp();
        Account.Slice slice;
        account.lock.lock();
        try {
            slice = account.historyAfter(Math.max(afterSeq, upTo), limit - txs.size());
        } finally {
            account.lock.unlock();
        }
        if (slice.indexedSeqs().length > 0) {
            txs.addAll(store.read(slice.indexedSeqs(), 0, slice.indexedSeqs().length));
        }
        txs.addAll(slice.held());
        return txs;
    }

    /** A page of the whole journal. */
    Page<Transaction> page(TransactionQuery query) {
        if (store == null) {
            return memoryPage(query);
        }
        awaitCaughtUp();
        return new StorePage(this, log, store, accounts).page(query);
    }

    /** The committed transaction numbered {@code seq}, or {@code null}. */
    Transaction transaction(long seq) {
        if (seq < 1 || seq > log.lastSeq()) {
            return null;
        }
        History older = archive;
        if (older != null && seq <= archivedUpTo) {
            List<Transaction> found = older.read(seq - 1, seq, tx -> true, 1);
            return found.isEmpty() ? null : found.get(0);
        }
        Transaction tx = log.held(seq);
        if (tx != null || store == null) {
            return tx;
        }
        awaitCaughtUp();
        if (seq > log.indexedUpTo()) {
            tx = log.held(seq); // see the class comment: it cannot be missing from both
            if (tx != null) {
                return tx;
            }
            throw new IllegalStateException(
                    "tx " + seq + " is neither held nor indexed (indexed up to " + log.indexedUpTo() + ")");
        }
        return store.read(seq);
    }

    /**
     * The committed transactions numbered {@code seqs} (ascending, each committed), in that order: those that left
     * memory read from the journal in one pass, a file open per segment rather than per transaction.
     */
    List<Transaction> transactions(long[] seqs) {
        List<Transaction> txs = new ArrayList<>(seqs.length);
        int onDisk = 0;
        if (store != null && seqs.length > 0) {
            awaitCaughtUp();
            long boundary = log.indexedUpTo();
            while (onDisk < seqs.length && seqs[onDisk] <= boundary) {
                onDisk++;
            }
            txs.addAll(store.read(seqs, 0, onDisk));
        }
        for (int i = onDisk; i < seqs.length; i++) {
            txs.add(transaction(seqs[i]));
        }
        return txs;
    }

    /**
     * The keyed transactions {@code seqs} of a state: with a store, a list that reads them from the journal as it is
     * iterated ({@link KeyedTransactions}); without one, the transactions themselves (held anyway).
     */
    List<Transaction> keyedTransactions(long[] seqs) {
        return store == null ? transactions(seqs) : new KeyedTransactions(seqs, this);
    }

    /** Waits until the store has indexed everything that memory does not hold; see the class comment. */
    void awaitCaughtUp() {
        if (store != null && log.indexedUpTo() < log.heldFrom() - 1) {
            awaitIndexed(log.heldFrom() - 1, TimeUnit.SECONDS.toMillis(CATCH_UP_WAIT_SECONDS));
        }
    }

    /**
     * Waits until the store has indexed every transaction up to {@code seq}, for at most {@code timeoutMs}.
     *
     * @throws IllegalStateException if it has not by then (or the thread is interrupted)
     */
    void awaitIndexed(long seq, long timeoutMs) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        synchronized (caughtUp) {
            while (log.indexedUpTo() < seq) {
                long leftMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (leftMs <= 0) {
                    throw new IllegalStateException("the journal's index reached tx " + log.indexedUpTo() + ", not tx "
                            + seq + ", within " + timeoutMs + " ms");
                }
                try {
                    caughtUp.wait(leftMs);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted waiting for the journal's index", e);
                }
            }
        }
    }

    /** The store indexed everything up to {@code seq}: wakes readers waiting for it. */
    void indexedUpTo(long seq) {
        log.indexedUpTo(seq);
        synchronized (caughtUp) {
            caughtUp.notifyAll();
        }
    }

    /** Without a store: the archive before a snapshot, then memory. */
    private Page<Transaction> memoryPage(TransactionQuery query) {
        long last = log.lastSeq();
        List<Transaction> items = new ArrayList<>(Math.min(query.limit(), 64));
        if (query.after() >= last) {
            return new Page<>(items, null);
        }
        History older = archive;
        long upTo = archivedUpTo;
        if (older != null && query.after() < upTo) {
            items.addAll(older.read(query.after(), upTo, query::matches, query.limit()));
            if (items.size() == query.limit()) {
                long seq = items.get(items.size() - 1).seq();
                return new Page<>(items, seq < last ? seq : null);
            }
        }
        for (Transaction tx : log.held(Math.max(query.after(), upTo), last)) {
            if (query.matches(tx)) {
                items.add(tx);
                if (items.size() == query.limit()) {
                    return new Page<>(items, tx.seq() < last ? tx.seq() : null);
                }
            }
        }
        return new Page<>(items, null);
    }
}
