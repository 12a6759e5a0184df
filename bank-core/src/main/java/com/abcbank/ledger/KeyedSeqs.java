package com.abcbank.ledger;

import java.time.Instant;
import java.util.Arrays;

/**
 * The sequence numbers and times of the transactions that carry an idempotency key, oldest first, kept as
 * primitives: 20 bytes each, at most {@code maxCount} of them (the oldest leave first), none older than the last
 * {@link #forgetBefore}. What a state names as its keyed transactions ({@link TransactionLog#keyedSince}).
 *
 * <p>Recorded by {@link TransactionLog#append} under the sequencer, so that a state taken with every account locked
 * names the key of every transaction it includes. Its own monitor guards it: the sequencer holds it for one
 * append; {@link #since} and {@link #forgetBefore} hold it for a binary search and a copy of at most
 * {@code maxCount} numbers (a few milliseconds for a million, once per snapshot or per minute).
 */
final class KeyedSeqs {
    private final int maxCount;
    private long[] seqs = new long[16];
    private long[] seconds = new long[16];
    private int[] nanos = new int[16];
    private int start;
    private int count;
    /** The last number added, forgotten or not. */
    private long lastAdded;

    KeyedSeqs(int maxCount) {
        this.maxCount = maxCount;
    }

    synchronized void add(long seq, Instant time) {
        if (count == maxCount) {
            start++;
            count--;
        }
        if (start + count == seqs.length) {
            int capacity = count * 2 <= seqs.length ? seqs.length : Math.min(seqs.length * 2, maxCount * 2 + 16);
            seqs = moved(seqs, capacity);
            seconds = moved(seconds, capacity);
            int[] room = new int[capacity];
            System.arraycopy(nanos, start, room, 0, count);
            nanos = room;
            start = 0;
        }
        lastAdded = seq;
        int at = start + count++;
        seqs[at] = seq;
        seconds[at] = time.getEpochSecond();
        nanos[at] = time.getNano();
    }

    private long[] moved(long[] from, int capacity) {
        long[] room = new long[capacity];
        System.arraycopy(from, start, room, 0, count);
        return room;
    }

    /** The numbers of the keyed transactions committed at or after {@code since}, up to {@code untilSeq}. */
    synchronized long[] since(Instant since, long untilSeq) {
        int from = firstAtOrAfter(since);
        int to = from;
        while (to < start + count && seqs[to] <= untilSeq) {
            to++;
        }
        return Arrays.copyOfRange(seqs, from, to);
    }

    /**
     * Forgets the transactions committed before {@code cutoff}, and returns the first number not forgotten: every
     * keyed transaction below it is older than {@code cutoff} (times never go back in sequence order).
     */
    synchronized long forgetBefore(Instant cutoff) {
        int keep = firstAtOrAfter(cutoff);
        long firstKept = keep < start + count ? seqs[keep] : lastAdded + 1;
        count -= keep - start;
        start = keep;
        return firstKept;
    }

    synchronized int size() {
        return count;
    }

    private int firstAtOrAfter(Instant time) {
        int low = start;
        int high = start + count;
        while (low < high) {
            int mid = (low + high) >>> 1;
            int order = Long.compare(seconds[mid], time.getEpochSecond());
            if (order < 0 || (order == 0 && nanos[mid] < time.getNano())) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        return low;
    }
}
