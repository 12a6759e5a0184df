package com.abcbank.ledger;

import java.util.AbstractList;
import java.util.Arrays;
import java.util.List;
import java.util.RandomAccess;

/**
 * The keyed transactions of a state ({@link LedgerState#keyed()}) in a ledger with a store, read from the journal as
 * they are iterated, a chunk of {@value #CHUNK} at a time, instead of all at once: a state of a million remembered
 * keys costs their numbers (8 bytes each) and one chunk of transactions, not a million transactions of heap while
 * the snapshot is written.
 *
 * <p>Immutable like the list it stands for: the numbers are fixed, and committed records never change on disk. Each
 * {@link #get} of another chunk reads it again (sequential iteration reads each chunk once). Thread-safe: the chunk
 * in hand is guarded by this list's monitor.
 */
final class KeyedTransactions extends AbstractList<Transaction> implements RandomAccess {
    private static final int CHUNK = 1_024;

    private final long[] seqs;
    private final Statements statements;
    private int chunkStart = -1;
    private List<Transaction> chunk = List.of();

    KeyedTransactions(long[] seqs, Statements statements) {
        this.seqs = seqs.clone();
        this.statements = statements;
    }

    @Override
    public synchronized Transaction get(int index) {
        if (index < 0 || index >= seqs.length) {
            throw new IndexOutOfBoundsException(index);
        }
        int start = index - index % CHUNK;
        if (start != chunkStart) {
            chunk = statements.transactions(Arrays.copyOfRange(seqs, start, Math.min(seqs.length, start + CHUNK)));
            chunkStart = start;
        }
        return chunk.get(index - start);
    }

    @Override
    public int size() {
        return seqs.length;
    }
}
