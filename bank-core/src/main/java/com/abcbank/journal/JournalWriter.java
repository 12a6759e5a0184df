package com.abcbank.journal;

import com.abcbank.ledger.CommitLog;
import com.abcbank.ledger.Transaction;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends committed transactions to the journal with group commit.
 *
 * <h2>Two halves</h2>
 * {@link #committed} runs on the committing thread, inside the ledger's sequencer and under the transaction's
 * account locks: it encodes the record and copies the frame into an in-memory buffer. No I/O, so no account lock
 * is ever held across a write or an fsync. Because it runs inside the sequencer, the buffer holds records in
 * sequence order, which is the lock order (see docs/architecture.md). The hash chain is not computed there: each
 * record must carry the hash of the one before, which only needs the records in order, and the flusher sees them
 * in order. So the flusher {@linkplain #seal seals} each batch before writing it (fills in the previous hash,
 * computes the checksum, hashes the record for the next), and the sequencer is held for the encoding alone.
 *
 * <p>One flusher thread takes the whole buffer at once (swapping in an empty one), writes it, forces it, and
 * then advances {@link #durableSeq}. Every transaction that was buffered while the previous force ran shares
 * the next one: that is the group commit. A request thread calls {@link #awaitDurable} after releasing its
 * locks, and answers its client only when the force covering its record is done.
 *
 * <h2>A bounded buffer</h2>
 * The frames wait in a {@link CommitBuffer} of at most {@code maxBufferBytes} ({@link #MAX_BUFFER_BYTES} by
 * default). A committer whose frame does not fit waits, in {@link #committed}, until the flusher takes the buffer,
 * for at most {@link #AWAIT_TIMEOUT_MS}: money movement slows to the disk's pace instead of memory growing without
 * limit. If the wait times out (the disk is stuck) or the journal fails while it waits, the journal fails (below)
 * and the committer returns without buffering its record: its transaction stays in memory, and its
 * {@link #awaitDurable} throws, so its reply says the outcome is unknown. {@code committed} never throws for the
 * journal's sake: a throw inside the sequencer would leave the ledger half way through a commit.
 *
 * <h2>Locks, and their order</h2>
 * <ol>
 *   <li>The ledger's account locks, then its sequencer: held by the caller of {@link #committed}.
 *   <li>{@code bufferLock} ({@link CommitBuffer}): taken by {@link #committed} inside those, and held while a
 *       committer waits for room. That wait cannot deadlock because the flusher, which alone makes room, takes no
 *       ledger lock and never waits for a committer: it takes {@code bufferLock} only to swap the buffer, and
 *       {@link #durableLock} only to publish progress.
 *   <li>{@link #durableLock}: guards the published progress ({@link #advanced}); taken by {@link #awaitDurable},
 *       {@link #awaitForced} and {@link #head} (which takes {@code bufferLock} before it, not around it), whose
 *       callers hold no ledger lock, and by the flusher.
 * </ol>
 * No thread holds {@code bufferLock} and {@link #durableLock} at once ({@link #fail} takes them one after the
 * other); should that ever change, {@code durableLock} comes first. A lock may be taken only while holding locks
 * above it in this list, never below.
 *
 * <h2>Failure</h2>
 * A failed write or force, or a buffer that stays full past the timeout, poisons the journal: {@link #failure()}
 * is set (the first reason stays), every waiter not yet covered gets {@link JournalFailedException}, committers
 * waiting for room are released, later records are dropped, and nothing more is written or acknowledged. No
 * retry: after a failed fsync the kernel may have dropped the pages it could not write, and a later "successful"
 * fsync would lie.
 */
final class JournalWriter implements CommitLog, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(JournalWriter.class);
    /** How long a request waits for its force, or a committer for room, before giving up (the disk is stuck). */
    static final long AWAIT_TIMEOUT_MS = 30_000;
    /**
     * The most bytes of frames that wait for the flusher. A frame is 100 to 250 bytes, so this holds some 40,000
     * transactions: more than a second at the fastest rate measured (28,500 tx/s, about 340 per group commit in
     * batch mode: docs/performance.md), a hundred batches' worth, so a healthy disk never lets it fill. What fills
     * it is a disk that no longer keeps up, and then committers wait for the disk instead of memory growing. With
     * the buffer being written, the journal holds at most twice this.
     */
    static final int MAX_BUFFER_BYTES = 8 << 20;

    private static final int INITIAL_BUFFER_BYTES = 1 << 20;
    /** The journal is the bank's books: readable by the server's user only. */
    static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

    /**
     * Told, on the flusher, where each security event's frame lies once it is durable (as {@link #durableSeq} means
     * it), in journal order. Must not block: it is the flusher's time.
     */
    interface EventPositions {
        EventPositions NONE = (segment, offset) -> {};

        void durable(Path segment, long offset);
    }

    /** Where a test holds the flusher or watches committers; production uses {@link #NONE}. */
    interface Hooks {
        Hooks NONE = new Hooks() {};

        /** On the flusher, holding no lock, before it writes a batch: may block (a slow disk) or throw (a bad one). */
        default void beforeWrite() throws IOException, InterruptedException {}

        /** On a committer, under the buffer's lock, before it waits for room: must not block. */
        default void bufferFull() {}
    }

    private final Path dir;
    private final Durability durability;
    private final long batchWindowNanos;
    private final long segmentBytes;
    private final long timeoutMs;
    private final Hooks hooks;
    private volatile EventPositions eventPositions = EventPositions.NONE;
    /** Security events buffered since the journal was opened (and not dropped). */
    private final AtomicLong eventsBuffered = new AtomicLong();

    // The flusher's own (and the constructor's): the chain is computed as batches are sealed, in sequence order.
    private final MessageDigest sha256 = RecordCodec.sha256();
    private byte[] lastHash;
    /**
     * The last transaction sealed and its record's hash, published together by the flusher (one immutable value, so
     * a reader never sees one's seq with another's hash). Sealed is not durable: see {@link #head()}.
     */
    private volatile ChainHead sealedHead;

    private final CommitBuffer buffer;

    /** The request threads in {@link #awaitDurable}, each woken alone by the force that covers it. */
    private final DurableWaiters waiters = new DurableWaiters();

    private final ReentrantLock durableLock = new ReentrantLock();
    private final Condition advanced = durableLock.newCondition();
    private volatile long durableSeq;
    /** The last transaction forced to disk (in fsync mode, the same as {@link #durableSeq}). */
    private volatile long forcedSeq;
    /** Written under {@link #durableLock}, read anywhere. */
    private volatile Throwable failure;
    /** How many times the journal was forced: with group commit, far fewer than transactions. */
    private final AtomicLong forces = new AtomicLong();

    // The flusher thread's own.
    private FileChannel channel;
    private Path channelPath;
    private long channelBytes;
    private long written;
    private boolean unforced;
    private long lastForce = System.nanoTime();
    private final Thread flusher;
    private final Path openedSegment;
    private final long openedBytes;

    /**
     * Opens the journal for appending after transaction {@code head.seq()}, whose record hashed to
     * {@code head.hash()}, in the segment {@code segment} (created if missing), and starts the flusher. The next
     * record chains to {@code lastHash}: the head's hash, or the last security event's after it.
     */
    JournalWriter(
            Path dir,
            Path segment,
            ChainHead head,
            byte[] lastHash,
            Durability durability,
            long batchWindowMs,
            long segmentBytes)
            throws IOException {
        this(
                dir,
                segment,
                head,
                lastHash,
                durability,
                batchWindowMs,
                segmentBytes,
                MAX_BUFFER_BYTES,
                AWAIT_TIMEOUT_MS,
                Hooks.NONE);
    }

    /** As above, with the buffer's bound, the bound of every wait, and test hooks given. */
    JournalWriter(
            Path dir,
            Path segment,
            ChainHead head,
            byte[] lastHash,
            Durability durability,
            long batchWindowMs,
            long segmentBytes,
            int maxBufferBytes,
            long timeoutMs,
            Hooks hooks)
            throws IOException {
        if (durability == Durability.NONE) {
            throw new IllegalArgumentException("with durability NONE there is no journal to write");
        }
        if (maxBufferBytes < Frames.HEADER_BYTES + Frames.MAX_PAYLOAD) {
            throw new IllegalArgumentException("a buffer of " + maxBufferBytes + " bytes cannot hold every frame");
        }
        this.dir = dir;
        this.durability = durability;
        this.batchWindowNanos = TimeUnit.MILLISECONDS.toNanos(batchWindowMs);
        this.segmentBytes = segmentBytes;
        this.timeoutMs = timeoutMs;
        this.hooks = hooks;
        this.lastHash = lastHash.clone();
        this.sealedHead = head;
        long lastSeq = head.seq();
        this.durableSeq = lastSeq;
        this.forcedSeq = lastSeq;
        this.written = lastSeq;
        this.buffer = new CommitBuffer(INITIAL_BUFFER_BYTES, maxBufferBytes, lastSeq, hooks);
        boolean created = !segment.toFile().exists();
        this.channel =
                FileChannel.open(segment, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE), OWNER_ONLY);
        this.channelPath = segment;
        this.channelBytes = channel.size();
        channel.position(channelBytes);
        if (created) {
            Segments.forceDirectory(dir);
        }
        this.openedSegment = segment;
        this.openedBytes = channelBytes;
        this.flusher = new Thread(this::flushLoop, "journal-flusher");
        this.flusher.setDaemon(true);
        this.flusher.start();
    }

    /**
     * Buffers {@code tx}'s record; called inside the ledger's sequencer, under its account locks. Waits for room
     * if the buffer is full (see the class comment); drops the record once the journal has failed.
     */
    @Override
    public void committed(Transaction tx) {
        if (failure != null) {
            return; // nothing more is written; awaitDurable reports the failure
        }
        byte[] payload = RecordCodec.encode(tx, RecordCodec.NO_PREVIOUS); // sealed by the flusher
        if (!buffer.put(tx.seq(), payload, TimeUnit.MILLISECONDS.toNanos(timeoutMs)) && failure == null) {
            fail(new IOException("the journal's buffer stayed full for " + timeoutMs + " ms: the disk is stuck;"
                    + " transaction " + tx.seq() + " and every later one is not kept"));
        }
    }

    /**
     * Buffers a security event's record, to be chained between the transactions around it; called by a request
     * thread that holds no ledger lock. Never waits: with no room in the buffer now (the disk is far behind), or once
     * the journal has failed or is closing, the event is dropped and this returns false. An event takes no sequence
     * number and no account lock, so the money path never waits for one; its only cost to a transaction is the
     * buffer's lock, held for the copy of one frame.
     */
    boolean event(SecurityEvent event) {
        if (failure != null) {
            return false;
        }
        boolean buffered = buffer.putEvent(RecordCodec.encodeEvent(event));
        if (buffered) {
            eventsBuffered.incrementAndGet();
        }
        return buffered;
    }

    /** How many security events were buffered since the journal was opened. */
    long eventsBuffered() {
        return eventsBuffered.get();
    }

    /** Where the flusher reports durable events from now on. */
    void eventPositions(EventPositions positions) {
        this.eventPositions = positions;
    }

    /** Where the writer opened: events before this point are the recovered journal's. */
    Path openedSegment() {
        return openedSegment;
    }

    long openedBytes() {
        return openedBytes;
    }

    /**
     * Returns once every transaction up to {@code seq} is durable (as {@link Durability} defines it).
     *
     * @throws JournalFailedException if the journal failed before covering {@code seq}, or did not cover it
     *                                within the timeout: the transaction may or may not be kept
     */
    void awaitDurable(long seq) {
        DurableWaiters.Ended ended =
                waiters.await(() -> durableSeq, seq, () -> failure != null, TimeUnit.MILLISECONDS.toNanos(timeoutMs));
        switch (ended) {
            case REACHED -> {}
            case STOPPED ->
                throw new JournalFailedException("the journal failed before transaction " + seq + " was kept", failure);
            case TIMED_OUT ->
                throw new JournalFailedException(
                        "transaction " + seq + " was not kept within " + timeoutMs + " ms", null);
            case INTERRUPTED ->
                throw new JournalFailedException(
                        "interrupted waiting for transaction " + seq + " to be kept", new InterruptedException());
        }
    }

    /**
     * Returns once every transaction up to {@code seq} is forced to disk, in any durability mode: a snapshot must
     * never cover a transaction that a machine crash could still take out of the journal.
     */
    void awaitForced(long seq) {
        awaitDurable(seq);
        if (forcedSeq >= seq) {
            return;
        }
        buffer.requestForce();
        awaitAtLeast(() -> forcedSeq, seq, "forced");
    }

    /**
     * Waits on {@link #advanced} until {@code progress} reaches {@code seq}, the journal fails, or the timeout: for
     * the rare waits (a snapshot's force). Request threads wait in {@link #waiters} instead.
     */
    private void awaitAtLeast(LongSupplier progress, long seq, String what) {
        if (progress.getAsLong() >= seq) {
            return;
        }
        durableLock.lock();
        try {
            long nanos = TimeUnit.MILLISECONDS.toNanos(timeoutMs);
            while (progress.getAsLong() < seq) {
                if (failure != null) {
                    throw new JournalFailedException(
                            "the journal failed before transaction " + seq + " was " + what, failure);
                }
                if (nanos <= 0) {
                    throw new JournalFailedException(
                            "transaction " + seq + " was not " + what + " within " + timeoutMs + " ms", null);
                }
                nanos = advanced.awaitNanos(nanos);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JournalFailedException("interrupted waiting for transaction " + seq + " to be " + what, e);
        } finally {
            durableLock.unlock();
        }
    }

    /**
     * For observers: waits until {@link #durableSeq} passes {@code seq}, the journal fails, or {@code timeoutNanos}
     * pass, and returns {@link #durableSeq}. Never throws for a slow or failed journal; the caller checks.
     */
    long awaitDurableAbove(long seq, long timeoutNanos) throws InterruptedException {
        if (durableSeq > seq) {
            return durableSeq;
        }
        durableLock.lock();
        try {
            long nanos = timeoutNanos;
            while (durableSeq <= seq && failure == null && nanos > 0) {
                nanos = advanced.awaitNanos(nanos);
            }
            return durableSeq;
        } finally {
            durableLock.unlock();
        }
    }

    /** Why the journal stopped taking records, or {@code null} while it is healthy. */
    Throwable failure() {
        return failure;
    }

    /** How many times the journal has been forced to disk. */
    long forces() {
        return forces.get();
    }

    /** The last transaction known durable. */
    long durableSeq() {
        return durableSeq;
    }

    /**
     * The chain head at the last transaction handed to {@link #committed} before this call (or a later one): its
     * hash is known only once the flusher has sealed it, so this waits for that, which is at most the write (and,
     * with {@link Durability#FSYNC}, the force) of the batch before. Not a promise of durability: a crash may still
     * take the transaction back; {@link #awaitDurable} is that.
     *
     * @throws JournalFailedException if the journal failed (its head is then not the ledger's), or the flusher did
     *                                not seal the transaction within the timeout
     */
    ChainHead head() {
        if (failure != null) {
            throw new JournalFailedException("the journal failed: it has no head to report", failure);
        }
        long committed = buffer.lastSeq();
        awaitAtLeast(() -> sealedHead.seq(), committed, "sealed");
        return sealedHead;
    }

    /** The largest the buffer has been, in bytes: never more than its bound. */
    int largestBufferBytes() {
        return buffer.largestBytes();
    }

    private void flushLoop() {
        try {
            CommitBuffer.Batch batch;
            while ((batch = buffer.take(unforced, batchWindowNanos - (System.nanoTime() - lastForce))) != null) {
                write(batch);
                buffer.giveBack(batch);
            }
        } catch (IOException | RuntimeException | Error | InterruptedException e) {
            fail(e);
        }
    }

    /** Writes a batch, forces it when the durability mode or a request says so, and publishes how far it got. */
    private void write(CommitBuffer.Batch batch) throws IOException, InterruptedException {
        ByteBuffer bytes = batch.bytes().flip();
        long batchStart = -1;
        if (bytes.hasRemaining()) {
            hooks.beforeWrite();
            byte[] lastTxHash = seal(bytes);
            if (lastTxHash != null) { // published before the write, and made visible to head() by publish() below
                sealedHead = new ChainHead(batch.lastSeq(), lastTxHash);
            }
            // A batch of events alone stays in the segment: a new one is named by its first transaction.
            if (channelBytes >= segmentBytes && batch.lastSeq() >= batch.firstSeq()) {
                rotate(batch.firstSeq());
            }
            batchStart = channelBytes;
            while (bytes.hasRemaining()) {
                channelBytes += channel.write(bytes);
            }
            unforced = true;
            written = batch.lastSeq();
        }
        if (unforced
                && (durability == Durability.FSYNC
                        || batch.finishing()
                        || batch.forceRequested()
                        || System.nanoTime() - lastForce >= batchWindowNanos)) {
            channel.force(false);
            forces.incrementAndGet();
            lastForce = System.nanoTime();
            unforced = false;
            publish(written, written);
        } else {
            publish(written, forcedSeq);
        }
        if (!batch.events().isEmpty() && failure == null) {
            EventPositions positions = eventPositions;
            for (int offset : batch.events()) {
                positions.durable(channelPath, batchStart + offset);
            }
        }
    }

    /**
     * Chains and checksums the frames of a batch, in order: each payload gets the hash of the payload before it
     * (the last of the previous batch, for the first), then its frame's CRC is computed over the completed payload.
     * The result is byte for byte what encoding each record with its predecessor's hash would have given.
     *
     * @return the hash of the batch's last transaction, or {@code null} if it holds security events only
     */
    private byte[] seal(ByteBuffer bytes) {
        byte[] array = bytes.array();
        int frame = bytes.position();
        byte[] lastTxHash = null;
        while (frame < bytes.limit()) {
            int payload = bytes.arrayOffset() + frame + Frames.HEADER_BYTES;
            System.arraycopy(lastHash, 0, array, payload + RecordCodec.HASH_OFFSET, RecordCodec.HASH_BYTES);
            int length = Frames.sealAt(bytes, frame);
            sha256.update(array, payload, length);
            lastHash = sha256.digest();
            if (!RecordCodec.isEvent(array, payload, length)) {
                lastTxHash = lastHash;
            }
            frame += Frames.HEADER_BYTES + length;
        }
        return lastTxHash;
    }

    /** Starts a new segment whose first record will be {@code firstSeq}; the old one is forced first. */
    private void rotate(long firstSeq) throws IOException {
        channel.force(false);
        channel.close();
        Path next = Segments.path(dir, firstSeq);
        channel = FileChannel.open(next, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), OWNER_ONLY);
        channelPath = next;
        channelBytes = 0;
        Segments.forceDirectory(dir);
        log.info("journal: new segment {}", next.getFileName());
    }

    /**
     * Makes progress visible to waiters, unless the journal has failed: from the failure on, nothing more becomes
     * durable, not even a write that was under way and completes later (a slow disk past the buffer's timeout).
     * Its committers get {@link JournalFailedException} ("may or may not be kept"), observers stop at the failure,
     * and a retry with the same key after the restart finds what recovery kept.
     */
    private void publish(long durable, long forced) {
        if (durable <= durableSeq && forced <= forcedSeq) {
            return;
        }
        durableLock.lock();
        try {
            if (failure != null) {
                return;
            }
            durableSeq = Math.max(durableSeq, durable);
            forcedSeq = Math.max(forcedSeq, forced);
            advanced.signalAll();
        } finally {
            durableLock.unlock();
        }
        waiters.release(durableSeq);
    }

    /** Poisons the journal (the first reason stays) and releases every waiter: for durability, and for room. */
    private void fail(Throwable e) {
        durableLock.lock();
        try {
            if (failure != null) {
                return;
            }
            failure = e;
            advanced.signalAll();
        } finally {
            durableLock.unlock();
        }
        waiters.releaseAll();
        log.error("journal: writing or forcing failed; no further money movement until restart", e);
        buffer.fail();
    }

    /** Writes and forces what is buffered, then closes. Call after the ledger stopped committing. */
    @Override
    public void close() throws IOException {
        buffer.close();
        try {
            flusher.join(timeoutMs);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (channel.isOpen()) {
            if (failure == null) {
                channel.force(false);
            }
            channel.close();
        }
    }
}
