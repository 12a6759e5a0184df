package com.abcbank.journal;

import java.util.Arrays;

/**
 * Where each indexed journal record starts: one {@code long} per record, by sequence number, in pages of
 * {@value #PAGE} (512 KiB), so that growing never copies the positions, only the small table of pages.
 *
 * <p>A position is the segment's ordinal (its place in {@link JournalHistory}'s list of segments) in the high
 * bits and the byte offset in the low {@value #OFFSET_BITS}: a segment may be up to a terabyte, and there may be
 * millions of them.
 *
 * <p>One writer (the indexer), any number of readers, no lock: the writer stores the position, then publishes the
 * new {@link #count} (volatile); a reader reads {@code count} first, then {@link #pages} (volatile, written before
 * {@code count}), so every position below the count it read is there.
 */
final class PositionIndex {
    static final int OFFSET_BITS = 40;
    private static final int PAGE_BITS = 16;
    static final int PAGE = 1 << PAGE_BITS;

    private final long firstSeq;
    private volatile long[][] pages = new long[4][];
    private volatile long count;

    /** @param firstSeq the sequence number of the first record to be added */
    PositionIndex(long firstSeq) {
        this.firstSeq = firstSeq;
    }

    static long position(int segmentOrdinal, long offset) {
        return ((long) segmentOrdinal << OFFSET_BITS) | offset;
    }

    static int segmentOrdinal(long position) {
        return (int) (position >>> OFFSET_BITS);
    }

    static long offset(long position) {
        return position & ((1L << OFFSET_BITS) - 1);
    }

    /** Adds the position of the next record ({@link #lastSeq()} + 1). The indexer's thread only. */
    void add(long position) {
        long at = count;
        int page = (int) (at >>> PAGE_BITS);
        long[][] table = pages;
        if (page == table.length) {
            table = Arrays.copyOf(table, table.length * 2);
        }
        if (table[page] == null) {
            table[page] = new long[PAGE];
        }
        table[page][(int) (at & (PAGE - 1))] = position;
        pages = table;
        count = at + 1;
    }

    /** The last sequence number indexed; {@code firstSeq - 1} before the first. */
    long lastSeq() {
        return firstSeq + count - 1;
    }

    long firstSeq() {
        return firstSeq;
    }

    /** The position of record {@code seq}, which must be indexed. */
    long get(long seq) {
        long at = seq - firstSeq;
        if (at < 0 || at >= count) {
            throw new IllegalArgumentException(
                    "tx " + seq + " is not indexed (indexed: " + firstSeq + ".." + lastSeq() + ")");
        }
        return pages[(int) (at >>> PAGE_BITS)][(int) (at & (PAGE - 1))];
    }

    /** Bytes of heap held: for the measurement tool. */
    long bytes() {
        long[][] table = pages;
        long bytes = 16 + 4L * table.length;
        for (long[] page : table) {
            bytes += page == null ? 0 : 16 + 8L * page.length;
        }
        return bytes;
    }
}
