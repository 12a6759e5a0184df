package com.abcbank.journal;

import com.abcbank.ledger.History;
import com.abcbank.ledger.Transaction;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The journal on disk as the history before a snapshot: after a start from a snapshot the ledger holds only
 * later transactions in memory, and reads older ones here.
 *
 * <p>A sparse index (every {@value #INDEX_EVERY}th record: its sequence number, segment and offset) is built by
 * one scan the first time history is asked for, so that a page read seeks close to its cursor instead of
 * reading a segment from its start. A filtered read (one account's history, say) reads on from the cursor
 * until it has a page or reaches the end of the archive. Both read through {@link FrameScanner}, whose window is
 * the only buffer: a page costs a window or a few, never a whole segment.
 */
public final class JournalArchive implements History {
    static final int INDEX_EVERY = 256;

    private record Position(Path segment, long offset) {}

    private final Path dir;
    /** The last transaction archived: records after it belong to the live journal, which may be mid-write. */
    private final long upToSeq;

    private NavigableMap<Long, Position> index; // guarded by this

    public JournalArchive(Path dir, long upToSeq) {
        this.dir = dir;
        this.upToSeq = upToSeq;
    }

    @Override
    public List<Transaction> read(long afterSeq, long untilSeq, Predicate<Transaction> matching, int limit) {
        List<Transaction> found = new ArrayList<>(Math.min(limit, 64));
        untilSeq = Math.min(untilSeq, upToSeq);
        if (afterSeq >= untilSeq) {
            return found;
        }
        try {
            Map.Entry<Long, Position> start = index().floorEntry(afterSeq + 1);
            if (start == null) {
                return found;
            }
            List<Path> segments = Segments.list(dir);
            long offset = start.getValue().offset();
            for (int i = segments.indexOf(start.getValue().segment());
                    i >= 0 && i < segments.size() && Segments.firstSeq(segments.get(i)) <= untilSeq;
                    i++) {
                if (scan(segments.get(i), offset, afterSeq, untilSeq, matching, limit, found)) {
                    break;
                }
                offset = 0;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading the journal archive in " + dir, e);
        }
        return found;
    }

    /** Reads one segment from {@code offset}; true when done (a full page, or past {@code untilSeq}). */
    private static boolean scan(
            Path segment,
            long offset,
            long afterSeq,
            long untilSeq,
            Predicate<Transaction> matching,
            int limit,
            List<Transaction> found)
            throws IOException {
        try (FrameScanner scanner = FrameScanner.open(segment, offset)) {
            for (Scanned.Frame record = scanner.nextRecord(); record != null; record = scanner.nextRecord()) {
                if (RecordCodec.isEvent(record.payload())) {
                    continue; // a security event between transactions
                }
                Transaction tx = RecordCodec.decode(record.payload()).tx(); // recovery checked the chain
                if (tx.seq() > untilSeq) {
                    return true;
                }
                if (tx.seq() > afterSeq && matching.test(tx)) {
                    found.add(tx);
                    if (found.size() == limit) {
                        return true;
                    }
                }
                if (tx.seq() >= untilSeq) {
                    return true; // never read on into the live journal, whose last frame may be half written
                }
            }
            return false;
        }
    }

    private synchronized NavigableMap<Long, Position> index() throws IOException {
        if (index == null) {
            NavigableMap<Long, Position> built = new TreeMap<>();
            for (Path segment : Segments.list(dir)) {
                if (Segments.firstSeq(segment) > upToSeq || indexSegment(segment, built)) {
                    break;
                }
            }
            index = built;
        }
        return index;
    }

    /** Indexes every {@value #INDEX_EVERY}th record of {@code segment}; true once at {@link #upToSeq}. */
    private boolean indexSegment(Path segment, Map<Long, Position> index) throws IOException {
        try (FrameScanner scanner = FrameScanner.open(segment, 0)) {
            long count = 0;
            for (Scanned.Frame record = scanner.nextRecord(); record != null; record = scanner.nextRecord()) {
                if (RecordCodec.isEvent(record.payload())) {
                    continue;
                }
                long seq = RecordCodec.peekSeq(record.payload());
                if (count++ % INDEX_EVERY == 0) {
                    index.put(seq, new Position(segment, record.offset()));
                }
                if (seq >= upToSeq) {
                    return true; // what follows is the live journal, whose last frame may be half written
                }
            }
            return false;
        }
    }
}
