package com.abcbank.ledger;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The sequencer and the in-memory journal: gives each committed transaction the next sequence number and
 * keeps it for the audit views.
 *
 * <p>{@link #append} is the one critical section that every transaction passes through. It is called with
 * the transaction's account locks held, and holds {@link #sequencer} only to number, time-stamp and store
 * the record: no I/O, no waiting, O(log n). Because it runs under the account locks, two transactions that
 * share an account get sequence numbers in the order they held that account's lock, so replaying the log
 * in sequence order reproduces every balance. Transactions on disjoint accounts may interleave freely.
 *
 * <p>Readers never take the sequencer. A record is put into {@link #bySeq} before {@link #published}
 * moves past it, and readers look no further than {@code published}, so they never see a gap.
 */
final class TransactionLog {
    private final Clock clock;
    private final CommitLog sink;
    private final ReentrantLock sequencer = new ReentrantLock();
    private final ConcurrentSkipListMap<Long, Transaction> bySeq = new ConcurrentSkipListMap<>();
    /**
     * The transactions that carry an idempotency key, recorded with the transaction itself under the sequencer,
     * so that a state taken with every account locked names the key of every transaction it includes (the
     * ledger's key table is completed only after the locks are released).
     */
    private final ConcurrentSkipListMap<Long, Transaction> keyed = new ConcurrentSkipListMap<>();
    /** Guarded by {@link #sequencer}. */
    private Instant lastTime = Instant.EPOCH;
    /** The highest sequence number whose record is in {@link #bySeq}; written under the sequencer. */
    private volatile long published;

    TransactionLog(Clock clock, CommitLog sink) {
        this.clock = clock;
        this.sink = sink;
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
            bySeq.put(seq, tx);
            if (key != null) {
                keyed.put(seq, tx);
            }
            lastTime = now;
            published = seq;
            return tx;
        } finally {
            sequencer.unlock();
        }
    }

    /** Takes back a transaction read from the journal: the next in sequence, with its own number and time. */
    void restore(Transaction tx) {
        sequencer.lock();
        try {
            if (tx.seq() != published + 1) {
                throw new IllegalStateException("journal out of order: tx " + tx.seq() + " after tx " + published);
            }
            bySeq.put(tx.seq(), tx);
            if (tx.key() != null) {
                keyed.put(tx.seq(), tx);
            }
            if (tx.time().isAfter(lastTime)) {
                lastTime = tx.time();
            }
            published = tx.seq();
        } finally {
            sequencer.unlock();
        }
    }

    /** The committed transaction numbered {@code seq}, or {@code null}. */
    Transaction get(long seq) {
        return seq <= published ? bySeq.get(seq) : null;
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
        } finally {
            sequencer.unlock();
        }
    }

    /** Keyed transactions restored from a snapshot: they still count for {@link #keyedSince}. */
    void restoreKeyed(List<Transaction> transactions) {
        transactions.forEach(tx -> keyed.put(tx.seq(), tx));
    }

    /** The keyed transactions committed at or after {@code since}, up to {@code untilSeq}, in sequence order. */
    List<Transaction> keyedSince(Instant since, long untilSeq) {
        List<Transaction> recent = new ArrayList<>();
        for (Transaction tx : keyed.headMap(untilSeq, true).values()) {
            if (!tx.time().isBefore(since)) {
                recent.add(tx);
            }
        }
        return recent;
    }

    /** Forgets keyed transactions committed before {@code cutoff}. */
    void forgetKeyedBefore(Instant cutoff) {
        keyed.values().removeIf(tx -> tx.time().isBefore(cutoff));
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

    /** A page of the journal; transactions up to {@code archivedUpTo} come from {@code archive}. */
    Page<Transaction> page(TransactionQuery query, History archive, long archivedUpTo) {
        long last = published;
        List<Transaction> items = new ArrayList<>(Math.min(query.limit(), 64));
        if (query.after() >= last) {
            return new Page<>(items, null);
        }
        if (archive != null && query.after() < archivedUpTo) {
            items.addAll(archive.read(query.after(), archivedUpTo, query::matches, query.limit()));
            if (items.size() == query.limit()) {
                long seq = items.get(items.size() - 1).seq();
                return new Page<>(items, seq < last ? seq : null);
            }
        }
        long from = Math.max(query.after(), archivedUpTo);
        for (Transaction tx : bySeq.subMap(from, false, last, true).values()) {
            if (query.matches(tx)) {
                items.add(tx);
                if (items.size() == query.limit()) {
                    boolean more = tx.seq() < last;
                    return new Page<>(items, more ? tx.seq() : null);
                }
            }
        }
        return new Page<>(items, null);
    }
}
