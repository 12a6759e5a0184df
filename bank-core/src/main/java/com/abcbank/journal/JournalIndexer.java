package com.abcbank.journal;

import com.abcbank.ledger.HistoryStore.HistoryIndex;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;

/**
 * Follows the journal's segment files up to a durable sequence number and indexes each record: its position goes
 * to the {@link PositionIndex}, the accounts it touches to the ledger's {@link HistoryIndex}.
 *
 * <h2>Why reading the files is safe</h2>
 * The segments are append-only, and a record numbered at most {@code durableSeq} has been written whole (in batch mode
 * written, in fsync mode also forced) before the writer published it as durable. A second {@code FileChannel} reads
 * those bytes through the page cache whether or not they were forced. So the indexer reads only up to a durable
 * number, checking each frame's length and CRC32C ({@link Frames}), and stops there: it never looks at the frame being
 * written. It keeps the segment open and reads it through one window of two frames' size, reused, so following a busy
 * journal allocates nothing per batch but the account numbers it hands over. It needs nothing from the writer but
 * {@link com.abcbank.journal.DurableLog#durableSeq} and the file names ({@link Segments}): a new segment is named by
 * its first record.
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
    /** Bytes {@code [windowStart, windowStart + window.limit())} of the segment being read: twice the largest frame. */
    private final ByteBuffer window = ByteBuffer.allocate(2 * (Frames.HEADER_BYTES + Frames.MAX_PAYLOAD));

    private long windowStart;
    private FileChannel channel;
    private Path channelOf;

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
        window.limit(0);
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
                    continue; // the same segment again: it may have grown since it was read
                }
            }
            stalls = 0;
        }
        publish();
    }

    /**
     * Reads the current segment from {@link #offset} until {@code untilSeq}; whether that was reached. False at the
     * end of what the file holds now (or at a frame not yet whole there, which can only be beyond every durable
     * record; below one, {@link #catchUp} calls it damage).
     */
    private boolean scan(long untilSeq) throws IOException {
        Path segment = history.segment(ordinal);
        while (nextSeq <= untilSeq) {
            int at = load(segment, Frames.HEADER_BYTES);
            if (at < 0) {
                return false;
            }
            int length = window.getInt(at);
            int crc = window.getInt(at + 4);
            if (length <= 0 || length > Frames.MAX_PAYLOAD) {
                throw new IOException(segment + ": a frame length of " + length + " at byte " + offset);
            }
            at = load(segment, Frames.HEADER_BYTES + length);
            if (at < 0) {
                return false;
            }
            if (Frames.crc(window.array(), at + Frames.HEADER_BYTES, length) != crc) {
                throw new IOException(segment + ": a checksum mismatch in the record at byte " + offset);
            }
            take(segment, at + Frames.HEADER_BYTES, length);
            offset += Frames.HEADER_BYTES + length;
        }
        return true;
    }

    /**
     * Makes the window hold bytes {@code [offset, offset + n)} of the current segment, reading from the file if they
     * are not there; returns their index in the window, or -1 if the file does not hold them (yet).
     */
    private int load(Path segment, int n) throws IOException {
        if (offset >= windowStart && offset + n <= windowStart + window.limit()) {
            return (int) (offset - windowStart);
        }
        if (channel == null || !segment.equals(channelOf)) {
            closeChannel();
            channel = FileChannel.open(segment, StandardOpenOption.READ);
            channelOf = segment;
        }
        window.clear();
        while (window.hasRemaining()) {
            if (channel.read(window, offset + window.position()) <= 0) {
                break; // the end of what the file holds now
            }
        }
        window.flip();
        windowStart = offset;
        return window.limit() >= n ? 0 : -1;
    }

    private void take(Path segment, int at, int length) throws IOException {
        byte[] bytes = window.array();
        if (RecordCodec.isEvent(bytes, at, length)) {
            return; // a security event: no transaction, no account (the trail has its own index)
        }
        long seq = RecordCodec.peekSeq(bytes, at, length);
        if (seq != nextSeq) {
            throw new IOException(
                    segment + ": tx " + seq + " at byte " + offset + " where tx " + nextSeq + " was expected");
        }
        int count = RecordCodec.touched(bytes, at, length, touched);
        history.positions().add(PositionIndex.position(ordinal, offset));
        index.indexed(seq, touched, count);
        Arrays.fill(touched, null);
        nextSeq++;
        if (seq % PUBLISH_EVERY == 0) {
            publish();
        }
    }

    /** Closes the segment being read, if any. */
    void closeChannel() throws IOException {
        if (channel != null) {
            channel.close();
            channel = null;
            channelOf = null;
        }
    }

    /** Moves to the segment that starts at {@link #nextSeq}, if there is one; else stays (false). */
    private boolean nextSegment() throws IOException {
        List<Path> segments = Segments.list(dir);
        for (Path segment : segments) {
            if (Segments.firstSeq(segment) == nextSeq && (ordinal < 0 || !segment.equals(history.segment(ordinal)))) {
                ordinal = history.addSegment(segment);
                offset = 0;
                window.limit(0); // another file: nothing in the window is of it
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
