package com.abcbank.journal;

import java.util.Iterator;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * The request threads waiting for their transaction to become durable, each woken alone, and only once the
 * force that covers it is done.
 *
 * <h2>Why not a condition variable</h2>
 * With {@code Condition.signalAll}, every force wakes every waiter, including those whose transaction is in the
 * next batch, and each woken thread must take the lock again before it can return: the wake-ups form a convoy,
 * one after the other, through the lock. At 64 connections that is 64 hand-offs after each fsync, and half of
 * them only to wait again. Here a waiter parks on its own ({@link LockSupport#parkNanos}), and {@link #release}
 * unparks exactly the threads whose sequence number the new progress covers, with no lock to take again. The
 * JDK has no primitive for "wait until a counter reaches n" that wakes only those it concerns ({@code Phaser}
 * wakes every waiter at each advance), so this class is the small queue that does it.
 *
 * <h2>No lost wake-up</h2>
 * A waiter enqueues itself, then reads the progress (volatile); {@link #release} is called after the progress
 * was written, and then scans the queue. If the scan misses a waiter, that waiter's enqueue came after the scan
 * passed the queue's tail, hence after the progress was written, and its own read sees the progress. An unpark
 * that comes before the park is kept as the thread's permit, and a spurious return from a park only loops.
 *
 * <h2>Threads</h2>
 * Any number of waiters; {@link #release} from whichever thread publishes progress or fails the journal (the
 * flusher, or a committer whose wait for buffer room timed out), possibly two at once: the queue is lock-free, and
 * a waiter released twice is unparked twice, which is harmless. A waiter leaves the queue by being released, or by
 * removing itself when it gives up (timeout, failure, interrupt).
 */
final class DurableWaiters {
    private static final class Waiter {
        final long seq;
        final Thread thread = Thread.currentThread();
        volatile boolean released;

        Waiter(long seq) {
            this.seq = seq;
        }
    }

    /** How a wait ended. */
    enum Ended {
        REACHED,
        STOPPED,
        TIMED_OUT,
        INTERRUPTED
    }

    private final ConcurrentLinkedQueue<Waiter> waiting = new ConcurrentLinkedQueue<>();

    /**
     * Waits until {@code progress} reaches {@code seq}, {@code stopped} says so (the journal failed), or
     * {@code timeoutNanos} pass. An interrupt ends the wait and stays set on the thread.
     */
    Ended await(LongSupplier progress, long seq, BooleanSupplier stopped, long timeoutNanos) {
        if (progress.getAsLong() >= seq) {
            return Ended.REACHED;
        }
        Waiter me = new Waiter(seq);
        waiting.add(me);
        try {
            long deadline = System.nanoTime() + timeoutNanos;
            while (true) {
                if (progress.getAsLong() >= seq) {
                    return Ended.REACHED;
                }
                if (stopped.getAsBoolean()) {
                    return Ended.STOPPED;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return Ended.TIMED_OUT;
                }
                LockSupport.parkNanos(this, left);
                if (Thread.currentThread().isInterrupted()) {
                    return Ended.INTERRUPTED;
                }
            }
        } finally {
            if (!me.released) {
                waiting.remove(me);
            }
        }
    }

    /** Wakes every waiter whose sequence number is at most {@code upTo}. Call after publishing that progress. */
    void release(long upTo) {
        for (Iterator<Waiter> it = waiting.iterator(); it.hasNext(); ) {
            Waiter waiter = it.next();
            if (waiter.seq <= upTo) {
                waiter.released = true;
                it.remove();
                LockSupport.unpark(waiter.thread);
            }
        }
    }

    /** Wakes every waiter: the journal failed, and each one must see it. */
    void releaseAll() {
        release(Long.MAX_VALUE);
    }
}
