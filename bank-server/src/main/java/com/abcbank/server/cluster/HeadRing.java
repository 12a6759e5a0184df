package com.abcbank.server.cluster;

import java.util.OptionalLong;

/**
 * The ledger's last transaction after each of the last {@value #SIZE} applied log entries, so that nodes that have
 * applied different amounts can still be compared at one index: each node names the transaction it had reached
 * after that entry, and reads its chain head there; equal books give equal heads. Written by the apply thread,
 * read by queries: synchronized, and one entry is two longs.
 */
final class HeadRing {
    static final int SIZE = 8_192;

    private final long[] indexes = new long[SIZE];
    private final long[] seqs = new long[SIZE];

    synchronized void put(long index, long seq) {
        int slot = (int) (index % SIZE);
        indexes[slot] = index;
        seqs[slot] = seq;
    }

    /** The ledger's last transaction after entry {@code index}, if it is still remembered. */
    synchronized OptionalLong at(long index) {
        int slot = (int) (index % SIZE);
        if (index <= 0 || indexes[slot] != index) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(seqs[slot]);
    }
}
