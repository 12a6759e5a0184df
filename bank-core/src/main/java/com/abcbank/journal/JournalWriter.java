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
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends committed transactions to the journal with group commit.
 *
 * <h2>Two halves</h2>
 * {@link #committed} runs on the committing thread, inside the ledger's sequencer and under the transaction's
 * account locks: it encodes the record, chains it to the one before (SHA-256), and copies the frame into an
 * in-memory buffer. No I/O, so no account lock is ever held across a write or an fsync. Because it runs inside
 * the sequencer, the buffer holds records in sequence order, which is the lock order (see docs/architecture.md).
 *
 * <p>One flusher thread takes the whole buffer at once (swapping in an empty one), writes it, forces it, and
 * then advances {@link #durableSeq}. Every transaction that was buffered while the previous force ran shares
 * the next one: that is the group commit. A request thread calls {@link #awaitDurable} after releasing its
 * locks, and answers its client only when the force covering its record is done.
 *
 * <h2>Failure</h2>
 * A failed write or force poisons the journal: {@link #failure()} is set, every waiter not yet covered gets
 * {@link JournalFailedException}, and nothing more is written or acknowledged. No retry: after a failed
 * fsync the kernel may have dropped the pages it could not write, and a later "successful" fsync would lie.
 */
public final class JournalWriter implements CommitLog, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(JournalWriter.class);
    /** How long a request waits for its force before giving up with an error (the disk is stuck). */
    static final long AWAIT_TIMEOUT_MS = 30_000;
    /** The journal is the bank's books: readable by the server's user only. */
    private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

    private final Path dir;
    private final Durability durability;
    private final long batchWindowNanos;
    private final long segmentBytes;

    // Written by committed() only, which the ledger's sequencer serialises.
    private final MessageDigest sha256 = RecordCodec.sha256();
    private byte[] lastHash;

    private final ReentrantLock bufferLock = new ReentrantLock();
    private final Condition work = bufferLock.newCondition();
    /** Frames waiting for the flusher. Guarded by {@link #bufferLock}. */
    private ByteBuffer buffer = ByteBuffer.allocate(1 << 20);
    private long bufferedFirstSeq;
    private long bufferedLastSeq;
    private boolean closing;

    private final ReentrantLock durableLock = new ReentrantLock();
    private final Condition advanced = durableLock.newCondition();
    private volatile long durableSeq;
    /** The last transaction forced to disk (in fsync mode, the same as {@link #durableSeq}). */
    private volatile long forcedSeq;
    /** Set by {@link #awaitForced}: force at the next turn of the flusher, whatever the batch window says. */
    private volatile boolean forceRequested;
    private volatile Throwable failure;
    /** How many times the journal was forced: with group commit, far fewer than transactions. */
    private final java.util.concurrent.atomic.AtomicLong forces = new java.util.concurrent.atomic.AtomicLong();

    // The flusher thread's own.
    private FileChannel channel;
    private long channelBytes;
    private ByteBuffer spare = ByteBuffer.allocate(1 << 20);
    private final Thread flusher;

    /**
     * Opens the journal for appending after transaction {@code lastSeq}, whose record hashed to {@code lastHash},
     * in the segment {@code segment} (created if missing), and starts the flusher.
     */
    JournalWriter(Path dir, Path segment, long lastSeq, byte[] lastHash, Durability durability, long batchWindowMs,
                  long segmentBytes) throws IOException {
        if (durability == Durability.NONE) {
            throw new IllegalArgumentException("with durability NONE there is no journal to write");
        }
        this.dir = dir;
        this.durability = durability;
        this.batchWindowNanos = TimeUnit.MILLISECONDS.toNanos(batchWindowMs);
        this.segmentBytes = segmentBytes;
        this.lastHash = lastHash.clone();
        this.durableSeq = lastSeq;
        this.forcedSeq = lastSeq;
        this.bufferedLastSeq = lastSeq;
        boolean created = !segment.toFile().exists();
        this.channel = FileChannel.open(segment, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE), OWNER_ONLY);
        this.channelBytes = channel.size();
        channel.position(channelBytes);
        if (created) {
            Segments.forceDirectory(dir);
        }
        this.flusher = new Thread(this::flushLoop, "journal-flusher");
        this.flusher.setDaemon(true);
        this.flusher.start();
    }

    @Override
    public void committed(Transaction tx) {
        byte[] payload = RecordCodec.encode(tx, lastHash);
        lastHash = sha256.digest(payload);
        bufferLock.lock();
        try {
            int frame = Frames.HEADER_BYTES + payload.length;
            if (buffer.remaining() < frame) {
                ByteBuffer larger = ByteBuffer.allocate(Math.max(buffer.capacity() * 2, buffer.position() + frame));
                buffer.flip();
                larger.put(buffer);
                buffer = larger;
            }
            if (buffer.position() == 0) {
                bufferedFirstSeq = tx.seq();
            }
            Frames.put(buffer, payload);
            bufferedLastSeq = tx.seq();
            work.signal();
        } finally {
            bufferLock.unlock();
        }
    }

    /**
     * Returns once every transaction up to {@code seq} is durable (as {@link Durability} defines it).
     *
     * @throws JournalFailedException if the journal failed before covering {@code seq}, or did not cover it
     *                                within {@link #AWAIT_TIMEOUT_MS}: the transaction may or may not be kept
     */
    public void awaitDurable(long seq) {
        if (durableSeq >= seq) {
            return;
        }
        durableLock.lock();
        try {
            long nanos = TimeUnit.MILLISECONDS.toNanos(AWAIT_TIMEOUT_MS);
            while (durableSeq < seq) {
                if (failure != null) {
                    throw new JournalFailedException("the journal failed before transaction " + seq + " was kept", failure);
                }
                if (nanos <= 0) {
                    throw new JournalFailedException("the journal did not keep transaction " + seq + " within "
                            + AWAIT_TIMEOUT_MS + " ms", null);
                }
                nanos = advanced.awaitNanos(nanos);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JournalFailedException("interrupted waiting for transaction " + seq + " to be kept", e);
        } finally {
            durableLock.unlock();
        }
    }

    /** Why the journal stopped taking records, or {@code null} while it is healthy. */
    public Throwable failure() {
        return failure;
    }

    /** How many times the journal has been forced to disk. */
    public long forces() {
        return forces.get();
    }

    /** The last transaction known durable. */
    public long durableSeq() {
        return durableSeq;
    }

    private void flushLoop() {
        long lastForce = System.nanoTime();
        boolean unforced = false;
        long written = durableSeq;
        try {
            while (true) {
                ByteBuffer batch;
                long firstSeq;
                long lastSeq;
                boolean finishing;
                bufferLock.lock();
                try {
                    while (buffer.position() == 0 && !closing && !(forceRequested && unforced)) {
                        if (unforced) {
                            long wait = batchWindowNanos - (System.nanoTime() - lastForce);
                            if (wait <= 0) {
                                break;
                            }
                            work.awaitNanos(wait);
                        } else {
                            work.await();
                        }
                    }
                    if (buffer.position() == 0 && closing && !unforced) {
                        return;
                    }
                    batch = buffer;
                    buffer = spare;
                    buffer.clear();
                    firstSeq = bufferedFirstSeq;
                    lastSeq = bufferedLastSeq;
                    finishing = closing;
                } finally {
                    bufferLock.unlock();
                }
                batch.flip();
                if (batch.hasRemaining()) {
                    if (channelBytes >= segmentBytes) {
                        rotate(firstSeq);
                    }
                    while (batch.hasRemaining()) {
                        channelBytes += channel.write(batch);
                    }
                    unforced = true;
                }
                spare = batch;
                if (durability == Durability.FSYNC || finishing || forceRequested
                        || System.nanoTime() - lastForce >= batchWindowNanos) {
                    if (unforced) {
                        forceRequested = false;
                        channel.force(false);
                        forces.incrementAndGet();
                        lastForce = System.nanoTime();
                        unforced = false;
                        written = Math.max(written, lastSeq);
                        publishForced(written);
                    }
                }
                written = Math.max(written, lastSeq);
                publish(lastSeq);
            }
        } catch (IOException | RuntimeException | Error e) {
            fail(e);
        } catch (InterruptedException e) {
            fail(e);
        }
    }

    /** Starts a new segment whose first record will be {@code firstSeq}; the old one is forced first. */
    private void rotate(long firstSeq) throws IOException {
        channel.force(false);
        channel.close();
        Path next = Segments.path(dir, firstSeq);
        channel = FileChannel.open(next, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), OWNER_ONLY);
        channelBytes = 0;
        Segments.forceDirectory(dir);
        log.info("journal: new segment {}", next.getFileName());
    }

    /**
     * Returns once every transaction up to {@code seq} is forced to disk, in any durability mode: a snapshot must
     * never cover a transaction that a machine crash could still take out of the journal.
     */
    public void awaitForced(long seq) {
        awaitDurable(seq);
        if (forcedSeq >= seq) {
            return;
        }
        durableLock.lock();
        try {
            forceRequested = true;
            bufferLock.lock();
            try {
                work.signal();
            } finally {
                bufferLock.unlock();
            }
            long nanos = TimeUnit.MILLISECONDS.toNanos(AWAIT_TIMEOUT_MS);
            while (forcedSeq < seq) {
                if (failure != null) {
                    throw new JournalFailedException("the journal failed before transaction " + seq + " was forced", failure);
                }
                if (nanos <= 0) {
                    throw new JournalFailedException("the journal did not force transaction " + seq + " within "
                            + AWAIT_TIMEOUT_MS + " ms", null);
                }
                nanos = advanced.awaitNanos(nanos);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JournalFailedException("interrupted waiting for transaction " + seq + " to be forced", e);
        } finally {
            durableLock.unlock();
        }
    }

    private void publishForced(long seq) {
        durableLock.lock();
        try {
            forcedSeq = seq;
            advanced.signalAll();
        } finally {
            durableLock.unlock();
        }
    }

    private void publish(long seq) {
        if (seq <= durableSeq) {
            return;
        }
        durableLock.lock();
        try {
            durableSeq = seq;
            advanced.signalAll();
        } finally {
            durableLock.unlock();
        }
    }

    private void fail(Throwable e) {
        log.error("journal: writing or forcing failed; no further money movement until restart", e);
        durableLock.lock();
        try {
            failure = e;
            advanced.signalAll();
        } finally {
            durableLock.unlock();
        }
    }

    /** Writes and forces what is buffered, then closes. Call after the ledger stopped committing. */
    @Override
    public void close() throws IOException {
        bufferLock.lock();
        try {
            closing = true;
            work.signal();
        } finally {
            bufferLock.unlock();
        }
        try {
            flusher.join(AWAIT_TIMEOUT_MS);
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
