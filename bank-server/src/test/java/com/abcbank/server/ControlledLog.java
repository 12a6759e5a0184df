package com.abcbank.server;

import com.abcbank.journal.DurableLog;
import com.abcbank.journal.JournalFailedException;
import com.abcbank.journal.Verifier;
import com.abcbank.ledger.Snapshot;
import com.abcbank.ledger.Transaction;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A {@link DurableLog} that keeps nothing and makes a transaction durable only when the test says so
 * ({@link #makeDurable}), or fails when told ({@link #fail}): what the server does on either side of the
 * durability boundary, without a disk. Every {@link #awaitDurable} call is announced in {@link #awaited} before
 * it blocks, so a test knows that a request is waiting without sleeping.
 */
final class ControlledLog implements DurableLog {
    /** The sequence numbers that {@link #awaitDurable} was called with, in call order. */
    final BlockingQueue<Long> awaited = new LinkedBlockingQueue<>();

    private long committed;
    private long durable;
    private Throwable failure;

    @Override
    public synchronized void committed(Transaction tx) {
        if (tx.seq() != committed + 1) {
            throw new AssertionError("handed over out of order: " + tx.seq() + " after " + committed);
        }
        committed = tx.seq();
    }

    synchronized long committedSeq() {
        return committed;
    }

    /** Makes every transaction up to {@code seq} durable. */
    synchronized void makeDurable(long seq) {
        if (seq > committed) {
            throw new AssertionError("cannot make " + seq + " durable: only " + committed + " handed over");
        }
        durable = Math.max(durable, seq);
        notifyAll();
    }

    synchronized void fail(Throwable cause) {
        failure = cause;
        notifyAll();
    }

    @Override
    public synchronized void awaitDurable(long seq) {
        awaited.add(seq);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (durable < seq) {
            if (failure != null) {
                throw new JournalFailedException("failed before transaction " + seq + " was kept", failure);
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new JournalFailedException("transaction " + seq + " not kept in time", null);
            }
            try {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new JournalFailedException("interrupted", e);
            }
        }
    }

    @Override
    public synchronized long durableSeq() {
        return durable;
    }

    @Override
    public synchronized long awaitDurableAbove(long seq, long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (durable <= seq && failure == null) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return durable;
    }

    @Override
    public synchronized Throwable failure() {
        return failure;
    }

    @Override
    public long forces() {
        return 0;
    }

    @Override
    public Optional<Verifier.Report> verify(Snapshot live) {
        return Optional.empty();
    }

    @Override
    public void close() {}
}
