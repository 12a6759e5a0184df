package com.abcbank.ledger;

import java.util.ArrayList;
import java.util.List;

/**
 * Where history is read from: the journal on disk ({@link History}) for transactions up to {@link #archivedUpTo},
 * memory after it.
 *
 * <p>A ledger started from a snapshot holds in memory only the transactions after the snapshot; the older ones
 * are read back from the archive. {@link #startFrom} is called once, by {@link Ledger#restore}, before the ledger
 * serves anyone; the fields are volatile so that request threads see them without a lock. A ledger that replayed
 * its whole journal has no archive, and every read comes from memory.
 *
 * <p>An account's own transactions in memory are guarded by its lock ({@link Account#historyAfter}); the
 * archive is immutable (it ends before the live journal starts), so reading it needs no lock.
 */
final class Statements {
    private final TransactionLog log;
    private volatile History archive;
    private volatile long archivedUpTo;

    Statements(TransactionLog log) {
        this.log = log;
    }

    /** From now on, transactions up to {@code upToSeq} are read from {@code older}. */
    void startFrom(History older, long upToSeq) {
        this.archive = older;
        this.archivedUpTo = upToSeq;
    }

    /**
     * Up to {@code limit + 1} transactions of {@code account} after {@code afterSeq}, in sequence order: one more
     * than a page, so the caller can tell whether another page follows. Takes the account's lock for the part
     * held in memory.
     */
    List<Transaction> ofAccount(Account account, long afterSeq, int limit) {
        List<Transaction> txs = new ArrayList<>();
        History older = archive;
        long upTo = archivedUpTo;
        if (older != null && afterSeq < upTo) {
            txs.addAll(older.read(afterSeq, upTo, tx -> tx.involves(account.number), limit + 1));
        }
        if (txs.size() <= limit) {
            account.lock.lock();
            try {
                txs.addAll(account.historyAfter(Math.max(afterSeq, upTo), limit + 1 - txs.size()));
            } finally {
                account.lock.unlock();
            }
        }
        return txs;
    }

    /** A page of the whole journal. */
    Page<Transaction> page(TransactionQuery query) {
        return log.page(query, archive, archivedUpTo);
    }

    /** The committed transaction numbered {@code seq}, or {@code null}. */
    Transaction transaction(long seq) {
        History older = archive;
        if (older != null && seq <= archivedUpTo) {
            List<Transaction> found = older.read(seq - 1, seq, tx -> true, 1);
            return found.isEmpty() ? null : found.get(0);
        }
        return log.get(seq);
    }
}
