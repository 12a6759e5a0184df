package com.abcbank.journal;

import com.abcbank.ledger.CommitLog;
import com.abcbank.ledger.HistoryStore;
import com.abcbank.ledger.Snapshot;
import com.abcbank.ledger.Transaction;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bank's write-ahead journal in one directory: recovery at start, then appending with group commit.
 *
 * <p>Use: make the {@code Journal}, give it to the {@link com.abcbank.ledger.Ledger} as its {@link CommitLog},
 * call {@link #recover} once (it replays every kept transaction into the ledger and opens the tail for
 * appending), and from then on call {@link #awaitDurable} before answering any request. Everything after
 * {@link #recover} is the {@link DurableLog} contract; only the code that opens the bank's state sees this class.
 *
 * <p>Observers ({@link #awaitDurableAbove}) wait on the writer's own condition, which the flusher signals each
 * time it publishes progress. Without a writer ({@link Durability#NONE}) a committed transaction is durable at
 * once, so an observer parks, registered in {@link #idle}, until {@link #committed} unparks it: it publishes
 * {@link #lastCommitted} before it looks at {@link #idle}, and a waiter registers before it looks at
 * {@link #lastCommitted}, so one of the two always sees the other (no lost wake-up). With a writer,
 * {@link #committed} only hands the record over.
 */
public final class Journal implements DurableLog {
    /** Segments roll over past this size. */
    public static final long DEFAULT_SEGMENT_BYTES = 64L * 1024 * 1024;

    private static final Logger log = LoggerFactory.getLogger(Journal.class);

    private final Path dir;
    private final Durability durability;
    private final long batchWindowMs;
    private final long segmentBytes;
    private volatile JournalWriter writer;
    /** Without a writer ({@link Durability#NONE}): the last transaction handed to {@link #committed}, durable at once. */
    private volatile long lastCommitted;
    /** Observers parked until the next {@link #committed}. */
    private final Set<Thread> idle = ConcurrentHashMap.newKeySet();
    /** The audit trail's index over the files, once recovered; {@code null} with {@link Durability#NONE}. */
    private volatile SecurityEventIndex events;
    /** The audit trail with {@link Durability#NONE}: the last events, in memory. */
    private final SecurityEventRing eventRing = new SecurityEventRing();
    /** How long a listing waits for the events buffered before it to be durable and indexed. */
    static final long EVENTS_AWAIT_MS = 5_000;

    /** The files as the ledger's history, or {@code null} with {@link Durability#NONE} (no files). */
    private final JournalHistory history;

    public Journal(Path dir, Durability durability, long batchWindowMs, long segmentBytes) {
        this.dir = dir;
        this.durability = durability;
        this.batchWindowMs = batchWindowMs;
        this.segmentBytes = segmentBytes;
        this.history = durability == Durability.NONE ? null : new JournalHistory(dir, this);
    }

    /**
     * The journal's files as the ledger's history: a ledger given this journal holds in memory only what is not
     * indexed yet (bounded memory). Empty with {@link Durability#NONE}: there are no files, and the ledger keeps its
     * whole history in memory (the test and demo mode).
     */
    @Override
    public Optional<HistoryStore> store() {
        return Optional.ofNullable(history);
    }

    /** What recovery did. */
    public record Recovery(long lastSeq, long records, long cutBytes, long millis) {}

    /**
     * Replays the journal after transaction {@code afterSeq} (0 for all; a snapshot's sequence number and hash
     * otherwise) into {@code apply}, cuts a torn tail, and opens the journal for appending.
     *
     * @param repair cut the journal at the first damage instead of refusing to start
     */
    public Recovery recover(long afterSeq, byte[] afterHash, boolean repair, Consumer<Transaction> apply)
            throws IOException, JournalCorruptedException {
        if (durability == Durability.NONE) {
            return new Recovery(afterSeq, 0, 0, 0);
        }
        long started = System.nanoTime();
        Files.createDirectories(dir);
        JournalReader.Result read = JournalReader.read(dir, afterSeq, afterHash, repair, apply);
        Path tail = read.tailSegment() != null ? read.tailSegment() : Segments.path(dir, read.lastSeq() + 1);
        JournalWriter opened =
                new JournalWriter(dir, tail, read.lastSeq(), read.lastHash(), durability, batchWindowMs, segmentBytes);
        SecurityEventIndex trail = new SecurityEventIndex(Segments.list(dir), tail, opened.openedBytes());
        opened.eventPositions(trail);
        trail.start(); // counts the recovered journal's events in the background
        events = trail;
        writer = opened;
        lastCommitted = read.lastSeq();
        history.start(read.lastSeq()); // indexes the recovered journal in the background, then follows it
        long millis = (System.nanoTime() - started) / 1_000_000;
        log.info(
                "journal: replayed {} transactions (up to tx {}) in {} ms{}",
                read.records(),
                read.lastSeq(),
                millis,
                read.cutBytes() > 0 ? ", cut " + read.cutBytes() + " bytes" : "");
        return new Recovery(read.lastSeq(), read.records(), read.cutBytes(), millis);
    }

    /** A start from a snapshot that holds everything up to transaction {@code afterSeq}. */
    public Recovery recover(long afterSeq, boolean repair, Consumer<Transaction> apply)
            throws IOException, JournalCorruptedException {
        return recover(afterSeq, RecordCodec.NO_PREVIOUS, repair, apply);
    }

    /** Whole-journal start: no snapshot. */
    public Recovery recover(boolean repair, Consumer<Transaction> apply) throws IOException, JournalCorruptedException {
        return recover(0, RecordCodec.NO_PREVIOUS, repair, apply);
    }

    @Override
    public void committed(Transaction tx) {
        JournalWriter current = writer;
        if (current != null) {
            current.committed(tx);
            return;
        }
        if (durability != Durability.NONE) {
            throw new IllegalStateException("the journal takes transactions only after recover()");
        }
        lastCommitted = tx.seq();
        // Always iterate: isEmpty() sums counters one by one, and could miss a waiter that registered meanwhile.
        idle.forEach(LockSupport::unpark);
    }

    /**
     * Appends a security event to the journal, chained between the transactions around it, without waiting; false if
     * it was dropped (no room in the buffer now, the journal failed or is closing). See {@link JournalWriter#event}.
     */
    @Override
    public boolean recordSecurityEvent(SecurityEvent event) {
        JournalWriter current = writer;
        if (current != null) {
            return current.event(event);
        }
        if (durability != Durability.NONE) {
            return false; // not recovered yet: no request is served before, so nothing is lost
        }
        eventRing.add(event);
        return true;
    }

    /**
     * A page of the audit trail, read back from the journal: every event buffered before this call, once durable
     * (waiting for it at most {@link #EVENTS_AWAIT_MS}), and none that is not.
     */
    @Override
    public SecurityEventPage securityEvents(SecurityEventQuery query) throws IOException {
        JournalWriter current = writer;
        SecurityEventIndex trail = events;
        if (current == null || trail == null) {
            return eventRing.page(query);
        }
        try {
            trail.await(current.eventsBuffered(), EVENTS_AWAIT_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for the security events to be indexed", e);
        }
        return trail.page(query);
    }

    /** Returns once transaction {@code seq} and all before it are kept; see {@link JournalWriter#awaitDurable}. */
    @Override
    public void awaitDurable(long seq) {
        JournalWriter current = writer;
        if (current != null) {
            current.awaitDurable(seq);
        }
    }

    /** Returns once transaction {@code seq} and all before it are forced to disk, whatever the durability mode. */
    public void awaitForced(long seq) {
        JournalWriter current = writer;
        if (current != null) {
            current.awaitForced(seq);
        }
    }

    /** Without a journal ({@link Durability#NONE}) every committed transaction counts as durable at once. */
    @Override
    public long durableSeq() {
        JournalWriter current = writer;
        return current == null ? lastCommitted : current.durableSeq();
    }

    @Override
    public long awaitDurableAbove(long seq, long timeoutMs) throws InterruptedException {
        JournalWriter current = writer;
        if (current != null) {
            return current.awaitDurableAbove(seq, TimeUnit.MILLISECONDS.toNanos(timeoutMs));
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        Thread self = Thread.currentThread();
        while (lastCommitted <= seq) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            idle.add(self);
            try {
                if (lastCommitted <= seq) {
                    LockSupport.parkNanos(this, left);
                }
            } finally {
                idle.remove(self);
            }
            if (Thread.interrupted()) {
                throw new InterruptedException("interrupted waiting for the journal to pass transaction " + seq);
            }
        }
        return lastCommitted;
    }

    /** Why the journal stopped taking records, or {@code null} while it is healthy (always, without one). */
    @Override
    public Throwable failure() {
        JournalWriter current = writer;
        return current == null ? null : current.failure();
    }

    /** How many times the journal has been forced to disk (0 without one). */
    @Override
    public long forces() {
        JournalWriter current = writer;
        return current == null ? 0 : current.forces();
    }

    public Durability durability() {
        return durability;
    }

    public Path dir() {
        return dir;
    }

    /** Re-reads this journal's directory with {@link Verifier}; empty with {@link Durability#NONE}. */
    @Override
    public Optional<Verifier.Report> verify(Snapshot live) throws IOException {
        if (durability == Durability.NONE) {
            return Optional.empty();
        }
        return Optional.of(Verifier.verify(dir, live));
    }

    @Override
    public void close() throws IOException {
        JournalWriter current = writer;
        try {
            if (current != null) {
                current.close();
            }
        } finally {
            if (history != null) {
                history.stop();
            }
        }
    }
}
