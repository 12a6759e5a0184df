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

    /**
     * What recovery did.
     *
     * @param lastSeq           the last transaction kept
     * @param records           transactions replayed
     * @param cutBytes          bytes of torn tail (or, repairing, of damage and beyond) cut off
     * @param millis            how long it took
     * @param rolledBackRecords records (transactions and security events) a roll-back cut after its
     *                          {@code untilSeq}; 0 without one
     * @param rolledBackBytes   bytes a roll-back cut; 0 without one
     */
    public record Recovery(
            long lastSeq, long records, long cutBytes, long millis, long rolledBackRecords, long rolledBackBytes) {
        /** Recovery without a roll-back. */
        public Recovery(long lastSeq, long records, long cutBytes, long millis) {
            this(lastSeq, records, cutBytes, millis, 0, 0);
        }
    }

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
        return open(JournalReader.read(dir, afterSeq, afterHash, repair, apply), started);
    }

    /**
     * Recovery that rolls the journal back to transaction {@code untilSeq}: for a cluster node, whose replicated
     * log re-applies every transaction after its snapshot ({@code untilSeq}, usually {@code afterSeq}), byte for
     * byte, so the journal must end there first.
     *
     * <p>Replays transactions {@code afterSeq+1..untilSeq} into {@code apply} as {@link #recover(long, byte[],
     * boolean, Consumer)} does (torn tail, damage and {@code repair} alike), then cuts the journal right after the
     * record of transaction {@code untilSeq}: security events chained after it go too. The segment holding it is
     * truncated there and forced, and every later segment is set aside as {@code <name>.rolled-back} (the cut part
     * of the kept segment as well), replacing the files a previous roll-back set aside; a log line says how many
     * records and bytes went. The next transaction, {@code untilSeq+1}, chains to that record, and {@link #head} is
     * ({@code untilSeq}, its hash). A journal that ends before {@code untilSeq} is not an error here: the result's
     * {@code lastSeq} is below {@code untilSeq}, nothing is rolled back, and the caller decides. One that ends before
     * {@code afterSeq} is refused, as by every recovery.
     *
     * <p>With {@link Durability#NONE} there are no files: nothing is replayed or cut.
     *
     * @param untilSeq the last transaction kept, at least {@code afterSeq}
     * @throws IllegalArgumentException if {@code untilSeq < afterSeq}
     */
    public Recovery recover(long afterSeq, byte[] afterHash, long untilSeq, boolean repair, Consumer<Transaction> apply)
            throws IOException, JournalCorruptedException {
        if (untilSeq < afterSeq) {
            throw new IllegalArgumentException(
                    "cannot roll back to transaction " + untilSeq + ", below the start point " + afterSeq);
        }
        if (durability == Durability.NONE) {
            return new Recovery(afterSeq, 0, 0, 0);
        }
        long started = System.nanoTime();
        Files.createDirectories(dir);
        return open(JournalReader.rollBack(dir, afterSeq, afterHash, untilSeq, repair, apply), started);
    }

    /**
     * Opens the tail that recovery left for appending, and starts the indexes, which read the files from here on:
     * they see only the records kept.
     */
    private Recovery open(JournalReader.Result read, long started) throws IOException {
        Path tail = read.tailSegment() != null ? read.tailSegment() : Segments.path(dir, read.lastSeq() + 1);
        JournalWriter opened =
                new JournalWriter(dir, tail, read.head(), read.lastHash(), durability, batchWindowMs, segmentBytes);
        SecurityEventIndex trail = new SecurityEventIndex(Segments.list(dir), tail, opened.openedBytes());
        opened.eventPositions(trail);
        trail.start(); // counts the recovered journal's events in the background
        events = trail;
        writer = opened;
        lastCommitted = read.lastSeq();
        history.start(read.lastSeq()); // indexes the recovered journal in the background, then follows it
        long millis = (System.nanoTime() - started) / 1_000_000;
        RolledBack rolled = read.rolledBack();
        log.info(
                "journal: replayed {} transactions (up to tx {}) in {} ms{}{}",
                read.records(),
                read.lastSeq(),
                millis,
                read.cutBytes() > 0 ? ", cut " + read.cutBytes() + " bytes" : "",
                rolled.bytes() > 0
                        ? ", rolled back " + rolled.records() + " records (" + rolled.bytes() + " bytes)"
                        : "");
        return new Recovery(read.lastSeq(), read.records(), read.cutBytes(), millis, rolled.records(), rolled.bytes());
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

    /**
     * Where the hash chain stands: the last transaction handed to {@link #committed} before this call (or a later
     * one) and the SHA-256 of its record, as {@link Verifier} and recovery compute it; after {@link #recover} and
     * before any commit, the last transaction recovered ({@link ChainHead#EMPTY} for an empty journal). The two
     * are one immutable value, always of the same record.
     *
     * <p>The hash is computed by the flusher, so this may wait for it, at most the write (with
     * {@link Durability#FSYNC}, and the force) of the batch before: call it at a snapshot or a verify, holding no
     * ledger lock, not after every transaction. The head is not necessarily durable yet: {@link #awaitDurable}
     * {@code (head.seq())} is that.
     *
     * @return empty with {@link Durability#NONE}: there is no journal, so no chain
     * @throws IllegalStateException  before {@link #recover}
     * @throws JournalFailedException once the journal has failed (its head is no longer the ledger's), or if the
     *                                flusher did not compute the hash within its timeout
     */
    public Optional<ChainHead> head() {
        JournalWriter current = writer;
        if (current != null) {
            return Optional.of(current.head());
        }
        if (durability == Durability.NONE) {
            return Optional.empty();
        }
        throw new IllegalStateException("the journal has a head only after recover()");
    }

    /**
     * The chain head at transaction {@code seq} (a committed one): the hash of its record, read back from the file,
     * so that two nodes can be compared at one transaction whatever each has committed since. Waits until the record
     * is durable and indexed, at most {@link #HEAD_AT_WAIT_MS} (polling the index every millisecond: this is for
     * {@code verify} and {@code cluster}, never a request's path).
     *
     * @throws IOException if there is no journal ({@link Durability#NONE}), the record is not indexed in time, or
     *                     cannot be read
     */
    public ChainHead headAt(long seq) throws IOException {
        if (seq == 0) {
            return ChainHead.EMPTY;
        }
        if (history == null) {
            throw new IOException("durability none: there is no journal, so no chain");
        }
        Optional<ChainHead> head = head();
        if (head.isPresent() && head.get().seq() == seq) {
            return head.get();
        }
        awaitDurable(seq);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(HEAD_AT_WAIT_MS);
        while (history.indexedUpTo() < seq) {
            if (System.nanoTime() - deadline > 0) {
                throw new IOException("tx " + seq + " is not indexed within " + HEAD_AT_WAIT_MS + " ms (indexed up to"
                        + " tx " + history.indexedUpTo() + ")");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            if (Thread.interrupted()) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted waiting for tx " + seq + " to be indexed");
            }
        }
        return new ChainHead(seq, RecordCodec.sha256().digest(history.payload(seq)));
    }

    /** The longest {@link #headAt} waits for a record to be indexed. */
    static final long HEAD_AT_WAIT_MS = 5_000;

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
