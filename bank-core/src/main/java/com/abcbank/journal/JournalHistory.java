package com.abcbank.journal;

import com.abcbank.ledger.HistoryStore;
import com.abcbank.ledger.Transaction;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The journal's files as the ledger's history ({@link HistoryStore}): a dense index from sequence number to the
 * record's position ({@link PositionIndex}, 8 bytes a record), kept by a {@link JournalIndexer} that follows the
 * files up to {@link DurableLog#durableSeq}, and reads by position.
 *
 * <h2>Threads</h2>
 * {@link #start}, at the end of recovery, starts one daemon thread, {@code journal-index}. It first indexes every
 * record recovery found (one more sequential read of the journal, positions and account numbers only: some
 * microseconds a record), in the background, so that a start from a snapshot stays as fast as loading it and replaying
 * the journal after it; a history read that needs the part not indexed yet waits for it (bounded, see the ledger's
 * {@code Statements}), and the transactions committed meanwhile stay in memory until it is done. Then it waits for the
 * durable number to move ({@link DurableLog#awaitDurableAbove}, in slices of {@link #WAIT_SLICE_MS} so it notices
 * {@link #stop}) and indexes up to it. If indexing fails (damage below a durable number), the thread logs it and
 * stops: the ledger then keeps holding new transactions in memory, which is still correct, and the next start's
 * recovery decides.
 *
 * <p>Reads run on any thread, take no lock, and open the segment for the duration of one call: a page of history
 * costs one open per segment it touches and one positional read per record (by number), or a windowed scan (a
 * range). Every frame read back is checked (length, CRC32C) and its number compared with the one asked for; a bad
 * one is an {@link UncheckedIOException} naming the file and byte.
 */
final class JournalHistory implements HistoryStore {
    private static final Logger log = LoggerFactory.getLogger(JournalHistory.class);
    static final long WAIT_SLICE_MS = 200;

    private final Path dir;
    private final DurableLog durableLog;
    /** The segments indexed so far, by ordinal; replaced (copy on write) by the indexer only. */
    private volatile Path[] segments = new Path[0];

    private volatile PositionIndex positions = new PositionIndex(1);
    private volatile JournalIndexer indexer;
    private volatile HistoryIndex index;
    private volatile boolean recovered;
    private volatile Thread follower;
    private volatile boolean stopped;
    /** Whether the follower is still indexing the recovered journal (then {@link #stop} does not interrupt it). */
    private volatile boolean catchingUp = true;

    JournalHistory(Path dir, DurableLog durableLog) {
        this.dir = dir;
        this.durableLog = durableLog;
    }

    @Override
    public synchronized void follow(HistoryIndex ledgerIndex) {
        if (index != null) {
            throw new IllegalStateException("the journal's history is already followed");
        }
        index = ledgerIndex;
        if (recovered) { // a ledger made after recovery: index what is there now, then follow
            try {
                start(durableLog.durableSeq());
            } catch (IOException e) {
                throw new UncheckedIOException("indexing the journal in " + dir + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * After recovery: starts the follower, which first indexes every record up to {@code recoveredSeq}, then follows
     * the journal. Does nothing if nobody follows (a journal opened without a ledger that reads it).
     */
    synchronized void start(long recoveredSeq) throws IOException {
        recovered = true;
        if (index == null || indexer != null) {
            return;
        }
        List<Path> found = Segments.list(dir);
        long firstSeq = found.isEmpty() ? 1 : Segments.firstSeq(found.get(0));
        positions = new PositionIndex(firstSeq);
        indexer = new JournalIndexer(dir, index, this, firstSeq);
        Thread thread = new Thread(() -> follow(recoveredSeq), "journal-index");
        thread.setDaemon(true);
        follower = thread;
        thread.start();
    }

    private void follow(long recoveredSeq) {
        JournalIndexer current = indexer;
        try {
            long started = System.nanoTime();
            current.catchUp(recoveredSeq);
            catchingUp = false; // from here stop() may interrupt: see there
            log.info(
                    "journal: indexed {} transactions for history in {} ms ({} KiB of positions)",
                    recoveredSeq - positions.firstSeq() + 1,
                    (System.nanoTime() - started) / 1_000_000,
                    positions.bytes() / 1024);
            while (!stopped) {
                long durable = durableLog.awaitDurableAbove(current.indexedUpTo(), WAIT_SLICE_MS);
                if (durable > current.indexedUpTo()) {
                    current.catchUp(durable);
                } else if (durableLog.failure() != null) {
                    return; // nothing more becomes durable
                }
            }
        } catch (InterruptedException e) {
            if (!stopped) {
                log.warn("journal index: interrupted at tx {}; it stops", current.indexedUpTo());
            }
        } catch (ClosedByInterruptException e) {
            if (!stopped) {
                log.warn("journal index: interrupted at tx {}; it stops", current.indexedUpTo());
            } // else stop() interrupted a read, which closes the channel: the journal is closing, nothing is lost
        } catch (IOException | RuntimeException e) {
            log.error(
                    "journal index: stopped at tx {}; new transactions stay in memory until the next start",
                    current.indexedUpTo(),
                    e);
        } finally {
            try {
                current.closeChannel();
            } catch (IOException e) {
                log.debug("journal index: closing its segment failed", e);
            }
        }
    }

    /**
     * Stops following (the journal is closing); reads keep working. Waits up to a few seconds. An index of the
     * recovered journal still being built is left to finish in the background, uninterrupted (an interrupt would
     * close its file under it): the ledger's history reads wait for it, and then it ends.
     */
    void stop() {
        stopped = true;
        Thread thread = follower;
        if (thread != null && thread != Thread.currentThread() && !catchingUp) {
            thread.interrupt();
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The last record indexed, 0 before recovery. */
    long indexedUpTo() {
        JournalIndexer current = indexer;
        return current == null ? 0 : current.indexedUpTo();
    }

    PositionIndex positions() {
        return positions;
    }

    Path segment(int ordinal) {
        return segments[ordinal];
    }

    /** The indexer moved to {@code segment}: its ordinal. */
    int addSegment(Path segment) {
        Path[] grown = Arrays.copyOf(segments, segments.length + 1);
        grown[grown.length - 1] = segment;
        segments = grown;
        return grown.length - 1;
    }

    @Override
    public Transaction read(long seq) {
        return read(new long[] {seq}, 0, 1).get(0);
    }

    @Override
    public List<Transaction> read(long[] seqs, int from, int to) {
        List<Transaction> txs = new ArrayList<>(to - from);
        PositionIndex index = positions;
        int i = from;
        while (i < to) {
            int ordinal = PositionIndex.segmentOrdinal(index.get(seqs[i]));
            Path segment = segments[ordinal];
            try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.READ)) {
                for (; i < to && PositionIndex.segmentOrdinal(index.get(seqs[i])) == ordinal; i++) {
                    long offset = PositionIndex.offset(index.get(seqs[i]));
                    txs.add(expect(
                            seqs[i], segment, offset, decode(segment, offset, frameAt(channel, segment, offset))));
                }
            } catch (IOException e) {
                long asked = seqs[Math.min(i, to - 1)];
                throw new UncheckedIOException("reading tx " + asked + " back from the journal: " + e.getMessage(), e);
            }
        }
        return txs;
    }

    /** Up to {@code limit} matching records in {@code (afterSeq, untilSeq]}, never past what is indexed. */
    @Override
    public List<Transaction> read(long afterSeq, long untilSeq, Predicate<Transaction> matching, int limit) {
        List<Transaction> found = new ArrayList<>(Math.min(limit, 64));
        PositionIndex index = positions;
        long until = Math.min(untilSeq, index.lastSeq());
        long first = Math.max(afterSeq + 1, index.firstSeq());
        if (first > until || limit <= 0) {
            return found;
        }
        long position = index.get(first);
        long offset = PositionIndex.offset(position);
        for (int ordinal = PositionIndex.segmentOrdinal(position); ordinal < segments.length; ordinal++) {
            try (FrameScanner scanner = FrameScanner.open(segments[ordinal], offset)) {
                for (Scanned.Frame frame = scanner.nextRecord(); frame != null; frame = scanner.nextRecord()) {
                    if (RecordCodec.isEvent(frame.payload())) {
                        continue; // a security event between transactions
                    }
                    Transaction tx = decode(segments[ordinal], frame.offset(), frame.payload());
                    if (tx.seq() > until) {
                        return found;
                    }
                    if (tx.seq() > afterSeq && matching.test(tx)) {
                        found.add(tx);
                        if (found.size() == limit) {
                            return found;
                        }
                    }
                    if (tx.seq() == until) {
                        return found; // never read on towards the frame being written
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("reading the journal in " + dir + ": " + e.getMessage(), e);
            }
            offset = 0;
        }
        return found;
    }

    /** The payload of transaction {@code seq}'s record (indexed), its frame's length and CRC32C checked. */
    byte[] payload(long seq) throws IOException {
        long position = positions.get(seq);
        Path segment = segments[PositionIndex.segmentOrdinal(position)];
        long offset = PositionIndex.offset(position);
        try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.READ)) {
            byte[] payload = frameAt(channel, segment, offset);
            expect(seq, segment, offset, decode(segment, offset, payload));
            return payload;
        }
    }

    /** The payload of the frame at {@code offset}, its length and CRC32C checked. */
    static byte[] frameAt(FileChannel channel, Path segment, long offset) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(Frames.HEADER_BYTES);
        readFully(channel, header, offset, segment);
        int length = header.getInt(0);
        if (length <= 0 || length > Frames.MAX_PAYLOAD) {
            throw new IOException(segment + ": a frame length of " + length + " at byte " + offset);
        }
        ByteBuffer payload = ByteBuffer.allocate(length);
        readFully(channel, payload, offset + Frames.HEADER_BYTES, segment);
        if (Frames.crc(payload.array(), 0, length) != header.getInt(4)) {
            throw new IOException(segment + ": a checksum mismatch in the record at byte " + offset);
        }
        return payload.array();
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long at, Path segment) throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, at + buffer.position()) < 0) {
                throw new EOFException(segment + ": the file ends inside the record at byte " + at);
            }
        }
    }

    private static Transaction decode(Path segment, long offset, byte[] payload) throws IOException {
        try {
            return RecordCodec.decode(payload).tx();
        } catch (IOException e) {
            throw new IOException(segment + ": the record at byte " + offset + " is unreadable: " + e.getMessage(), e);
        }
    }

    private static Transaction expect(long seq, Path segment, long offset, Transaction tx) throws IOException {
        if (tx.seq() != seq) {
            throw new IOException(
                    segment + ": tx " + tx.seq() + " at byte " + offset + ", where tx " + seq + " was indexed");
        }
        return tx;
    }
}
