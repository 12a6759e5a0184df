package com.abcbank.ledger;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The sequencer, and the transactions held in memory: gives each committed transaction the next sequence number
 * and keeps it until the journal's store has indexed it (without a store: for ever).
 *
 * <p>{@link #append} is the one critical section that every transaction passes through. It is called with
 * the transaction's account locks held, and holds {@link #sequencer} only to number, time-stamp and store
 * the record: no I/O, no waiting, O(log n). Because it runs under the account locks, two transactions that
 * share an account get sequence numbers in the order they held that account's lock, so replaying the log
 * in sequence order reproduces every balance. Transactions on disjoint accounts may interleave freely.
 *
 * <p>Readers never take the sequencer. A record is put into {@link #held} before {@link #published}
 * moves past it, and readers look no further than {@code published}, so they never see a gap.
 *
 * <h2>The bounded tail</h2>
 * With a store ({@link HistoryStore}), {@link #held} keeps only the transactions numbered above
 * {@link #indexedUpTo}: {@link #indexedUpTo(long)} first raises {@code indexedUpTo}, then drops the objects it
 * covers. So a transaction missing from {@code held} was dropped after {@code indexedUpTo} passed it, and a
 * reader that looks at {@code indexedUpTo} after looking in {@code held} finds it one way or the other (see
 * {@link Statements}). Replay with a store holds nothing: {@link #heldFrom} is the first number appended live,
 * and the store indexes everything before it before the ledger serves (readers wait for that, bounded).
 */
final class TransactionLog {
    private final Clock clock;
    private final CommitLog sink;
    /** Whether a store reads old transactions back: then replayed ones are not held, and indexed ones dropped. */
    private final boolean bounded;

    private final ReentrantLock sequencer = new ReentrantLock();
    private final ConcurrentSkipListMap<Long, Transaction> held = new ConcurrentSkipListMap<>();
    /** The numbers and times of keyed transactions, recorded under the sequencer (see {@link KeyedSeqs}). */
    private final KeyedSeqs keyed;
    /** Guarded by {@link #sequencer}. */
    private Instant lastTime = Instant.EPOCH;
    /** The highest sequence number whose record is in {@link #held}; written under the sequencer. */
    private volatile long published;
    /** With a store: the highest number the store has indexed (every one up to it); only grows. */
    private volatile long indexedUpTo;
    /** With a store: the first number appended live; everything before it is read back from the store. */
    private volatile long heldFrom = 1;

    TransactionLog(Clock clock, CommitLog sink, boolean bounded, int maxKeys) {
        this.clock = clock;
        this.sink = sink;
        this.bounded = bounded;
        this.keyed = new KeyedSeqs(maxKeys);
    }

    /**
     * Numbers, time-stamps and stores a transaction, and hands it to the journal. Call it with the locks of every
     * account it touches.
     */
    Transaction append(TxType type, String user, String opened, List<Posting> postings, String key) {
        sequencer.lock();
        try {
            Instant now = clock.instant();
            if (now.isBefore(lastTime)) {
                now = lastTime; // the wall clock stepped back: time stays monotonic in sequence order
            }
            long seq = published + 1;
            Transaction tx = new Transaction(seq, now, type, user, opened, postings, key);
            sink.committed(tx);
            held.put(seq, tx);
            if (key != null) {
                keyed.add(seq, now);
            }
            lastTime = now;
            published = seq;
            return tx;
        } finally {
            sequencer.unlock();
        }
    }

    /**
     * Takes back a transaction read from the journal: the next in sequence, with its own number and time. With a
     * store it is not held: it is on disk, and the store indexes it before anyone reads it.
     */
    void restore(Transaction tx) {
        sequencer.lock();
        try {
            if (tx.seq() != published + 1) {
                throw new IllegalStateException("journal out of order: tx " + tx.seq() + " after tx " + published);
            }
            if (!bounded) {
                held.put(tx.seq(), tx);
            }
            if (tx.key() != null) {
                keyed.add(tx.seq(), tx.time());
            }
            if (tx.time().isAfter(lastTime)) {
                lastTime = tx.time();
            }
            published = tx.seq();
            heldFrom = bounded ? tx.seq() + 1 : heldFrom;
        } finally {
            sequencer.unlock();
        }
    }

    /** Whether replayed transactions and indexed ones are left to the store instead of being held. */
    boolean bounded() {
        return bounded;
    }

    /** The held transaction numbered {@code seq}, or {@code null} (not committed, or not held). */
    Transaction held(long seq) {
        return seq <= published ? held.get(seq) : null;
    }

    /** The held transactions numbered in {@code (afterSeq, untilSeq]}, in sequence order. */
    Iterable<Transaction> held(long afterSeq, long untilSeq) {
        return afterSeq >= untilSeq
                ? List.of()
                : held.subMap(afterSeq, false, untilSeq, true).values();
    }

    /** Goes on after {@code seq} (committed at {@code time}), restored from a snapshot: the next number is seq + 1. */
    void startAfter(long seq, Instant time) {
        sequencer.lock();
        try {
            if (published != 0) {
                throw new IllegalStateException("the log already holds transactions");
            }
            lastTime = time;
            published = seq;
            heldFrom = seq + 1;
        } finally {
            sequencer.unlock();
        }
    }

    /**
     * Keyed transactions restored from a snapshot: they still count for {@link #keyedSince}. Without a store they
     * are held, since nothing else can give them back.
     */
    void restoreKeyed(List<Transaction> transactions) {
        for (Transaction tx : transactions) {
            keyed.add(tx.seq(), tx.time());
            if (!bounded) {
                held.put(tx.seq(), tx);
            }
        }
    }

    /** The numbers of the keyed transactions committed at or after {@code since}, up to {@code untilSeq}. */
    long[] keyedSince(Instant since, long untilSeq) {
        return keyed.since(since, untilSeq);
    }

    /** Forgets keyed transactions committed before {@code cutoff}; returns the first number whose key is kept. */
    long forgetKeyedBefore(Instant cutoff) {
        return keyed.forgetBefore(cutoff);
    }

    /** With a store: every transaction up to {@code seq} is indexed; drops the objects it covers. */
    void indexedUpTo(long seq) {
        if (seq <= indexedUpTo) {
            return;
        }
        indexedUpTo = seq; // first: a reader that misses a dropped object then finds it indexed
        held.headMap(seq, true).clear();
    }

    long indexedUpTo() {
        return indexedUpTo;
    }

    long heldFrom() {
        return heldFrom;
    }

    Instant lastTime() {
        sequencer.lock();
        try {
            return lastTime;
        } finally {
            sequencer.unlock();
        }
    }

    long lastSeq() {
        return published;
    }

    /** How many transactions are held as objects: for tests and the heap measurement. */
    int heldCount() {
        return held.size();
    }

    /** A copy of the held transactions numbered in {@code (afterSeq, untilSeq]}, for a reader. */
    List<Transaction> copyHeld(long afterSeq, long untilSeq) {
        List<Transaction> copy = new ArrayList<>();
        held(afterSeq, untilSeq).forEach(copy::add);
        return copy;
    }
}
