package com.abcbank.ledger;

import java.util.Optional;

/**
 * Where committed transactions go: the journal. {@link #committed} is called for every transaction, in sequence
 * order, inside the ledger's sequencer and with the transaction's account locks held, so the journal's order
 * follows the lock order and replaying it rebuilds the same balances. It must therefore be quick and must not
 * block on I/O: it hands the record to a buffer; making it durable happens later, outside every lock.
 */
public interface CommitLog {
    /** Keeps nothing: an in-memory bank. */
    CommitLog NONE = tx -> {};

    void committed(Transaction tx);

    /**
     * Where the kept transactions can be read back, if this log keeps them in files: the ledger then holds only
     * the ones not yet indexed there (bounded memory). Empty (the default): the ledger keeps its whole history in
     * memory, which is what a bank without files (durability none, tests) does.
     */
    default Optional<HistoryStore> store() {
        return Optional.empty();
    }
}
