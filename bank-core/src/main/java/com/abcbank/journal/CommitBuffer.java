package com.abcbank.journal;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The bounded buffer of frames between the committers and the journal's flusher ({@link JournalWriter}).
 *
 * <p>Two buffers take turns: committers fill one while the flusher writes the other, and {@link #take} swaps them.
 * The filling one grows by doubling up to {@code maxBytes} and no further, so the journal holds at most twice that
 * however far the disk falls behind. A committer whose frame does not fit waits in {@link #put} on {@link #room}
 * until the flusher takes the buffer, or the journal fails, or the timeout passes.
 *
 * <p>{@link #put} is called inside the ledger's sequencer and under account locks; {@link #bufferLock} is taken
 * inside them. Waiting there is safe because the flusher, which alone makes room, takes no ledger lock: it takes
 * {@link #bufferLock} only in {@link #take} and {@link #giveBack}, which never wait for a committer. No other lock
 * is ever taken while {@link #bufferLock} is held.
 */
final class CommitBuffer {
    /**
     * What the flusher took in one turn: frames of transactions {@code firstSeq..lastSeq} (none if
     * {@code lastSeq < firstSeq}), not yet sealed: each payload's previous-hash field and each frame's checksum are
     * still 0. {@code events} are the offsets in {@code bytes} of the security events' frames among them, in order
     * (almost always none).
     */
    record Batch(
            ByteBuffer bytes,
            long firstSeq,
            long lastSeq,
            boolean finishing,
            boolean forceRequested,
            List<Integer> events) {}

    private final int maxBytes;
    private final JournalWriter.Hooks hooks;
    private final ReentrantLock bufferLock = new ReentrantLock();
    /** Signalled when there is something for the flusher to do. */
    private final Condition work = bufferLock.newCondition();
    /** Signalled when the flusher took the buffer, or the journal failed: a committer waiting for room may go on. */
    private final Condition room = bufferLock.newCondition();

    // All guarded by bufferLock.
    private ByteBuffer filling;
    /** The buffer the flusher gave back, or {@code null} while it writes it. */
    private ByteBuffer spare;

    private long firstSeq;
    private long lastSeq;
    /** Offsets in {@link #filling} of the security events' frames. */
    private final List<Integer> events = new ArrayList<>();

    private boolean closing;
    private boolean failed;
    private boolean forceRequested;
    private int largestBytes;

    CommitBuffer(int initialBytes, int maxBytes, long lastSeq, JournalWriter.Hooks hooks) {
        this.maxBytes = maxBytes;
        this.hooks = hooks;
        this.lastSeq = lastSeq;
        this.filling = ByteBuffer.allocate(Math.min(initialBytes, maxBytes));
        this.spare = ByteBuffer.allocate(filling.capacity());
        this.largestBytes = filling.capacity();
    }

    /**
     * Appends the frame of transaction {@code seq}, waiting for room for at most {@code timeoutNanos}. An interrupt
     * does not end the wait early (the commit is under way), but is kept.
     *
     * @return false, buffering nothing, if the journal failed or no room came in time
     */
    boolean put(long seq, byte[] payload, long timeoutNanos) {
        int frame = Frames.HEADER_BYTES + payload.length;
        long deadline = System.nanoTime() + timeoutNanos;
        boolean interrupted = false;
        bufferLock.lock();
        try {
            while (!failed && filling.remaining() < frame) {
                if (filling.position() + frame <= maxBytes) {
                    grow(filling.position() + frame);
                    continue;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                hooks.bufferFull();
                try {
                    room.awaitNanos(left);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (failed) {
                return false;
            }
            if (filling.position() == 0) {
                firstSeq = seq;
            }
            Frames.putUnsealed(filling, payload); // the flusher chains and checksums it (JournalWriter#seal)
            lastSeq = seq;
            work.signal();
            return true;
        } finally {
            bufferLock.unlock();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Appends the frame of a security event if there is room now, never waiting: an event must not hold its request
     * thread behind a slow disk (transactions do wait, see {@link #put}). Takes no sequence number: a buffer that
     * begins with an event belongs to the next transaction's segment ({@code firstSeq = lastSeq + 1}).
     *
     * @return false, buffering nothing, if the journal failed or the buffer is full
     */
    boolean putEvent(byte[] payload) {
        int frame = Frames.HEADER_BYTES + payload.length;
        bufferLock.lock();
        try {
            if (failed || closing) {
                return false;
            }
            if (filling.remaining() < frame) {
                if (filling.position() + frame > maxBytes) {
                    return false;
                }
                grow(filling.position() + frame);
            }
            if (filling.position() == 0) {
                firstSeq = lastSeq + 1;
            }
            events.add(filling.position());
            Frames.putUnsealed(filling, payload); // chained and checksummed by the flusher, like a transaction
            work.signal();
            return true;
        } finally {
            bufferLock.unlock();
        }
    }

    /** A larger buffer, at least {@code needed} bytes, at most the bound. */
    private void grow(int needed) {
        ByteBuffer larger = ByteBuffer.allocate(Math.min(maxBytes, Math.max(filling.capacity() * 2, needed)));
        filling.flip();
        larger.put(filling);
        filling = larger;
        largestBytes = Math.max(largestBytes, larger.capacity());
    }

    /**
     * For the flusher: waits until there are frames, a requested force (if {@code unforced}), the end of the
     * batch window ({@code windowNanos} from now, if {@code unforced}) or closing, then takes the whole buffer and
     * wakes the committers waiting for room. Returns {@code null} when closing with nothing left to write or
     * force, or once the journal failed. Every batch taken must be given back.
     */
    Batch take(boolean unforced, long windowNanos) throws InterruptedException {
        bufferLock.lock();
        try {
            long nanos = windowNanos;
            while (filling.position() == 0 && !closing && !failed && !(forceRequested && unforced)) {
                if (!unforced) {
                    work.await();
                } else if (nanos > 0) {
                    nanos = work.awaitNanos(nanos);
                } else {
                    break;
                }
            }
            if (failed || (filling.position() == 0 && closing && !unforced)) {
                return null;
            }
            Batch batch = new Batch(
                    filling,
                    firstSeq,
                    lastSeq,
                    closing,
                    forceRequested,
                    events.isEmpty() ? List.of() : List.copyOf(events));
            events.clear();
            forceRequested = false;
            filling = spare.clear();
            spare = null;
            room.signalAll();
            return batch;
        } finally {
            bufferLock.unlock();
        }
    }

    /** For the flusher: the batch's buffer, written, to fill again. */
    void giveBack(Batch batch) {
        bufferLock.lock();
        try {
            spare = batch.bytes();
        } finally {
            bufferLock.unlock();
        }
    }

    /** Asks the flusher to force at its next turn, whatever the batch window says. */
    void requestForce() {
        signal(() -> forceRequested = true);
    }

    /** The flusher writes what is left, forces it and stops. */
    void close() {
        signal(() -> closing = true);
    }

    /** The journal failed: nothing more is buffered, and committers waiting for room return false. */
    void fail() {
        signal(() -> failed = true);
    }

    private void signal(Runnable change) {
        bufferLock.lock();
        try {
            change.run();
            work.signal();
            room.signalAll();
        } finally {
            bufferLock.unlock();
        }
    }

    /** The last transaction buffered (or the recovered one): the last handed to the journal. */
    long lastSeq() {
        bufferLock.lock();
        try {
            return lastSeq;
        } finally {
            bufferLock.unlock();
        }
    }

    /** The largest the filling buffer has been, in bytes: never more than the bound. */
    int largestBytes() {
        bufferLock.lock();
        try {
            return largestBytes;
        } finally {
            bufferLock.unlock();
        }
    }
}
