package com.abcbank.journal;

import com.abcbank.ledger.Transaction;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers durable transactions to {@link DurableListener}s: a pull cursor per subscriber, so that a slow
 * listener never slows money movement.
 *
 * <h2>How</h2>
 * Each {@link Subscription} owns a cursor (the last sequence number it delivered) and a daemon thread. The thread
 * waits on the {@link DurableLog} until {@link DurableLog#durableSeq()} passes the cursor
 * ({@link DurableLog#awaitDurableAbove}, in slices of {@link #WAIT_SLICE_MS} so it notices a close), then reads
 * the transactions {@code cursor+1 .. durable} from the {@link Source} and hands them to the listener one by one.
 * Nothing is pushed and nothing is queued: the request threads and the sequencer never see a subscriber, and a
 * listener that falls behind just reads older transactions later. Because the cursor reads only up to a value of
 * {@code durableSeq()} it has seen, no listener sees a transaction the log does not yet cover; because the
 * thread advances the cursor by one per call, each is delivered once, in order.
 *
 * <p>The log may call a transaction durable a moment before the ledger publishes it (the sequencer hands it to
 * the log, then publishes): the cursor then waits for the source, at most {@link #SOURCE_WAIT_MS}, which is far
 * more than that window; a transaction still missing then is a broken invariant and stops the subscription.
 *
 * <p>Memory: the source is the ledger ({@code ledger::transaction}), which holds a transaction in memory until the
 * journal has indexed it and reads it back from the journal files after that: a listener that keeps up is served
 * from memory, one that falls behind from disk; nothing is kept for the feed's sake.
 *
 * <p>After a failure of the log, a subscription delivers what was durable before it, then ends (logged).
 */
public final class DurableFeed implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DurableFeed.class);
    /** The longest a cursor waits on the log before it checks whether it was closed. */
    static final long WAIT_SLICE_MS = 200;
    /** The longest a cursor waits for a durable transaction to appear in the source. */
    static final long SOURCE_WAIT_MS = 5_000;
    /** The longest {@link Subscription#close()} waits for a listener to return. */
    static final long CLOSE_WAIT_MS = 5_000;

    /** Where the feed reads committed transactions by sequence number. */
    @FunctionalInterface
    public interface Source {
        /** The committed transaction {@code seq}, or {@code null} if it is not (yet) there. */
        Transaction transaction(long seq);
    }

    private final DurableLog durableLog;
    private final Source source;
    private final Set<Subscription> subscriptions = new CopyOnWriteArraySet<>();
    private final AtomicLong nextId = new AtomicLong(1);
    private volatile boolean closed;

    public DurableFeed(DurableLog durableLog, Source source) {
        this.durableLog = durableLog;
        this.source = source;
    }

    /** Subscribes {@code listener} to the transactions that become durable from now on (after the current durable one). */
    public Subscription subscribe(DurableListener listener) {
        return subscribe(durableLog.durableSeq(), listener);
    }

    /**
     * Subscribes {@code listener} to every durable transaction after {@code afterSeq} (0 for all of them, read back
     * from wherever the source keeps them).
     *
     * @throws IllegalStateException if the feed is closed
     */
    public Subscription subscribe(long afterSeq, DurableListener listener) {
        return subscribe(afterSeq, listener, seq -> true);
    }

    /**
     * Subscribes {@code listener} to the durable transactions after the current durable one that {@code wanted}
     * accepts, asked just before each is read: one it refuses is passed over without being read at all; and delivers
     * at most every {@code paceMs}, what became durable in between together, instead of waking at every force of the
     * log. A sampling observer (the console's live view under load) so costs nothing for the transactions it would
     * drop anyway, and one wake-up a tick instead of one per group commit.
     */
    public Subscription subscribe(DurableListener listener, LongPredicate wanted, long paceMs) {
        if (paceMs < 0) {
            throw new IllegalArgumentException("paceMs must be at least 0: " + paceMs);
        }
        return subscribe(durableLog.durableSeq(), listener, wanted, TimeUnit.MILLISECONDS.toNanos(paceMs));
    }

    private Subscription subscribe(long afterSeq, DurableListener listener, LongPredicate wanted) {
        return subscribe(afterSeq, listener, wanted, 0);
    }

    private Subscription subscribe(long afterSeq, DurableListener listener, LongPredicate wanted, long paceNanos) {
        if (afterSeq < 0) {
            throw new IllegalArgumentException("afterSeq must be at least 0: " + afterSeq);
        }
        if (closed) {
            throw new IllegalStateException("the feed is closed");
        }
        Subscription subscription = new Subscription(nextId.getAndIncrement(), afterSeq, listener, wanted, paceNanos);
        subscriptions.add(subscription);
        subscription.thread.start();
        if (closed) {
            subscription.close(); // the feed closed while this was being added: close() may have missed it
        }
        return subscription;
    }

    /** Closes every subscription (see {@link Subscription#close()}); the feed takes no new ones. Idempotent. */
    @Override
    public void close() {
        closed = true;
        subscriptions.forEach(Subscription::close);
    }

    /**
     * One listener's cursor and thread. {@link #close()} stops delivery: after it returns no call to the listener
     * starts, and one in progress has returned (unless it ignored the interrupt for {@link #CLOSE_WAIT_MS}, which
     * is logged). A listener may close its own subscription from inside its callback.
     */
    public final class Subscription implements AutoCloseable {
        private final long id;
        private final DurableListener listener;
        private final LongPredicate wanted;
        /** The least time between two deliveries (0: deliver as soon as the log moves). */
        private final long paceNanos;

        private final Thread thread;
        /** The last sequence number delivered (or the starting point); written by {@link #thread} only. */
        private volatile long position;

        private volatile boolean open = true;

        private Subscription(long id, long afterSeq, DurableListener listener, LongPredicate wanted, long paceNanos) {
            this.id = id;
            this.position = afterSeq;
            this.listener = listener;
            this.wanted = wanted;
            this.paceNanos = paceNanos;
            this.thread = new Thread(this::run, "durable-feed-" + id);
            this.thread.setDaemon(true);
        }

        /** The last sequence number handed to the listener (the starting point before the first). */
        public long position() {
            return position;
        }

        /** Whether the subscription still delivers: not closed, its listener has not thrown, the log has not failed. */
        public boolean isOpen() {
            return open && thread.isAlive();
        }

        /** Waits up to {@code timeoutMs} for the subscription's thread to end; whether it has. */
        public boolean awaitStopped(long timeoutMs) throws InterruptedException {
            thread.join(Math.max(1, timeoutMs));
            return !thread.isAlive();
        }

        @Override
        public void close() {
            open = false;
            subscriptions.remove(this);
            if (Thread.currentThread() == thread) {
                return; // from inside the listener: the loop ends when the callback returns
            }
            thread.interrupt();
            try {
                if (!awaitStopped(CLOSE_WAIT_MS)) {
                    log.warn("durable feed {}: the listener did not return within {} ms of close", id, CLOSE_WAIT_MS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private void run() {
            try {
                while (open) {
                    long durable = durableLog.awaitDurableAbove(position, WAIT_SLICE_MS);
                    deliverUpTo(durable);
                    if (paceNanos > 0 && open) {
                        LockSupport.parkNanos(this, paceNanos); // a paced subscriber: what comes meanwhile waits
                        if (Thread.interrupted()) {
                            throw new InterruptedException();
                        }
                    }
                    if (open && durable <= position && durableLog.failure() != null) {
                        log.warn("durable feed {}: the log failed; delivered up to tx {}, no more", id, position);
                        return;
                    }
                }
            } catch (InterruptedException e) {
                if (open) {
                    log.warn("durable feed {}: interrupted at tx {}; the subscription stops", id, position);
                }
            } catch (Exception | AssertionError e) {
                // A listener's bug ends its own subscription, logged here rather than on standard error.
                if (open) {
                    log.error("durable feed {}: delivering tx {} failed; the subscription stops", id, position, e);
                } else {
                    log.debug("durable feed {}: the listener ended with {} on close", id, e.toString());
                }
            } finally {
                open = false;
                subscriptions.remove(this);
            }
        }

        /** Hands the listener every transaction after {@link #position} up to {@code durable}, while open. */
        private void deliverUpTo(long durable) throws Exception {
            while (open && position < durable) {
                long next = position + 1;
                if (!wanted.test(next)) {
                    position = next; // passed over, unread
                    continue;
                }
                Transaction tx = fetch(next);
                try {
                    listener.onDurable(tx);
                } finally {
                    position = next; // delivered, even if the listener threw: never offered twice
                }
            }
        }

        private Transaction fetch(long seq) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SOURCE_WAIT_MS);
            while (true) {
                Transaction tx = source.transaction(seq);
                if (tx != null) {
                    if (tx.seq() != seq) {
                        throw new IllegalStateException("asked the source for tx " + seq + ", got tx " + tx.seq());
                    }
                    return tx;
                }
                if (System.nanoTime() - deadline >= 0) {
                    throw new IllegalStateException(
                            "tx " + seq + " is durable but not in the source after " + SOURCE_WAIT_MS + " ms");
                }
                LockSupport.parkNanos(this, TimeUnit.MICROSECONDS.toNanos(50)); // the sequencer is publishing it
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
            }
        }
    }
}
