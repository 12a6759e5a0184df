package com.abcbank.ledger;

import java.util.List;
import java.util.function.Predicate;

/**
 * Transactions older than what the ledger holds in memory: after a start from a snapshot, the journal on disk
 * serves the history before it.
 */
public interface History {
    /** Up to {@code limit} transactions with {@code afterSeq < seq <= untilSeq} that match, in sequence order. */
    List<Transaction> read(long afterSeq, long untilSeq, Predicate<Transaction> matching, int limit);
}
