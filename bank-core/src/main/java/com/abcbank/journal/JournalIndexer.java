package com.abcbank.journal;

import com.abcbank.ledger.HistoryStore.HistoryIndex;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Follows the journal's segment files up to a durable sequence number and indexes each record: its position goes
 * to the {@link PositionIndex}, the accounts it touches to the ledger's {@link HistoryIndex}.
 *
 * <h2>Why reading the files is safe</h2>
 * The segments are append-only, and a record numbered at most {@code durableSeq} has been written whole (in batch
 * mode written, in fsync mode also forced) before the writer published it as durable. A second {@code FileChannel}
 * reads those bytes through the page cache whether or not they were forced. So the indexer reads only up to a
 * durable number, through {@link FrameScanner} (which checks each frame's CRC32C), and stops there: it never looks
 * at the frame being written. It needs nothing from the writer but {@link com.abcbank.journal.DurableLog#durableSeq}
 * and the file names ({@link Segments}): a new segment is named by its first record.
 *
 * <p>Anything unexpected below a durable number (a bad frame, a number out of order, a record missing) is damage
 * and stops the indexer with an {@link IOException}; recovery at the next start decides what to do with it.
 *
 * <p>One thread at a time: the recovering thread ({@link JournalHistory#start}), then the store's follower. Its
 * state is that thread's; {@link #indexedUpTo} is published for others.
 */
final class JournalIndexer {
    /** How often, in records, the ledger is told a batch is indexed, so that memory drops during a long catch-up. */
    private static final int PUBLISH_EVERY = 4_096;

    private final Path dir;
    private final HistoryIndex index;
    private final JournalHistory history;
    private final String[] touched = new String[3];

    private int ordinal = -1;
    private long offset;
    private long nextSeq;
    private volatile long indexedUpTo;

    JournalIndexer(Path dir, HistoryIndex index, JournalHistory history, long firstSeq) {
        this.dir = dir;
        this.index = index;
        this.history = history;
        this.nextSeq = firstSeq;
        this.indexedUpTo = firstSeq - 1;
    }

    long indexedUpTo() {
        return indexedUpTo;
    }

    /** Indexes every record up to {@code untilSeq}, which must be durable. */
    void catchUp(long untilSeq) throws IOException {
        int stalls = 0;
        while (nextSeq <= untilSeq) {
            if (ordinal < 0 || !scan(untilSeq)) {
                if (!nextSegment()) {
                    if (++stalls > 2) {
                        throw new IOException("the journal in " + dir + " ends before tx " + nextSeq
                                + ", which is durable (indexed up to " + indexedUpTo + ")");
                    }
                    continue; // the same segment again: it may have grown since it was opened
                }
            }
            stalls = 0;
        }
        publish();
    }

    /**
     * Reads the current segment from {@link #offset} until {@code untilSeq}; whether that was reached. False at the
     * end of what the file held when opened (or at a frame not yet whole there, beyond any durable record).
     */
    private boolean scan(long untilSeq) throws IOException {
        Path segment = history.segment(ordinal);
        try (FrameScanner scanner = FrameScanner.open(segment, offset)) {
            for (Scanned next = scanner.next(); next != null; next = scanner.next()) {
                if (!(next instanceof Scanned.Frame frame)) {
                    return false; // a tail being written: only past the durable records, or in a finished segment
                }
                take(segment, frame);
                offset = frame.end();
                if (nextSeq > untilSeq) {
                    return true;
                }
            }
            return false;
        }
    }

    private void take(Path segment, Scanned.Frame frame) throws IOException {
        byte[] payload = frame.payload();
        long seq = RecordCodec.peekSeq(payload);
        if (seq != nextSeq) {
            throw new IOException(
                    segment + ": tx " + seq + " at byte " + frame.offset() + " where tx " + nextSeq + " was expected");
        }
        int count = RecordCodec.touched(payload, touched);
        history.positions().add(PositionIndex.position(ordinal, frame.offset()));
        index.indexed(seq, touched, count);
        Arrays.fill(touched, null);
        nextSeq++;
        if (seq % PUBLISH_EVERY == 0) {
            publish();
        }
    }

    /** Moves to the segment that starts at {@link #nextSeq}, if there is one; else stays (false). */
    private boolean nextSegment() throws IOException {
        List<Path> segments = Segments.list(dir);
        for (Path segment : segments) {
            if (Segments.firstSeq(segment) == nextSeq && (ordinal < 0 || !segment.equals(history.segment(ordinal)))) {
                ordinal = history.addSegment(segment);
                offset = 0;
                return true;
            }
        }
        if (ordinal < 0 && !segments.isEmpty()) {
            throw new IOException("the journal in " + dir + " has no segment starting at tx " + nextSeq
                    + " (the first is " + segments.get(0).getFileName() + ")");
        }
        return false;
    }

    private void publish() {
        long upTo = nextSeq - 1;
        if (upTo > indexedUpTo) {
            indexedUpTo = upTo;
            index.indexedUpTo(upTo);
        }
    }
}
