package com.abcbank.ledger;

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
}
