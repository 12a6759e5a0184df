package com.abcbank.journal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a roll-back cut off the end of the journal ({@link Journal#recover(long, byte[], long, boolean,
 * java.util.function.Consumer)}), and the cutting itself.
 *
 * <p>Why a roll-back: on a cluster node the replicated log and its snapshot are the source of truth. At a restart
 * the node loads its snapshot (up to transaction {@code S}) and the log re-applies every entry after it, which
 * makes transactions {@code S+1..} again, byte for byte; so the journal is first cut back to {@code S}. What is cut
 * is not lost: it is a copy of what the log re-creates.
 *
 * <p>Why set aside, not delete: a roll-back is the one place where the bank removes records that were durable, so
 * it keeps the evidence, as repair keeps its {@code .cut} segments. Every later segment is renamed to
 * {@code <name>.rolled-back}, and the bytes cut from the segment that is kept go to {@code <its name>.rolled-back}
 * (whole frames, readable by the same {@link FrameScanner}); {@link Segments#list} matches neither. Disk use stays
 * bounded: a node rolls back at every restart, so each roll-back that cuts something first deletes the previous
 * set, and at most one set (at most what the journal held past the snapshot) is ever kept. A roll-back that cuts
 * nothing changes no file, the previous set included.
 *
 * <p>The order makes a crash at any step harmless: the journal left is always whole records from the first one
 * to some record at or after the kept one, with no gap, which the next roll-back cuts again. The previous set is
 * deleted, the cut bytes are copied and forced, later segments are renamed newest first (so what remains is always
 * a prefix), the directory is forced, and only then is the kept segment truncated and forced.
 *
 * @param records records cut (transactions and security events), whole frames only
 * @param bytes   bytes cut, torn tails included
 */
record RolledBack(long records, long bytes) {
    private static final Logger log = LoggerFactory.getLogger(RolledBack.class);

    static final RolledBack NOTHING = new RolledBack(0, 0);
    /** What a set-aside file's name ends with. */
    static final String SUFFIX = ".rolled-back";

    /**
     * Cuts the journal in {@code dir} after transaction {@code untilSeq}, whose frame ends at {@code keptBytes} of
     * {@code segments[kept]} (a file of {@code size} bytes), or, with {@code kept = -1}, before its first record.
     */
    static RolledBack cut(Path dir, List<Path> segments, int kept, long keptBytes, long size, long untilSeq)
            throws IOException {
        Path keptSegment = kept < 0 ? null : segments.get(kept);
        List<Path> later = segments.subList(kept + 1, segments.size());
        boolean truncate = keptSegment != null && keptBytes < size;
        if (!truncate && later.isEmpty()) {
            return NOTHING;
        }
        long records = 0;
        long bytes = 0;
        if (truncate) {
            records += frames(keptSegment, keptBytes);
            bytes += size - keptBytes;
        }
        for (Path segment : later) {
            records += frames(segment, 0);
            bytes += Files.size(segment);
        }
        deletePreviousSet(dir);
        if (truncate) {
            copyTail(keptSegment, keptBytes, size);
        }
        for (int i = later.size() - 1; i >= 0; i--) {
            Path segment = later.get(i);
            Files.move(segment, setAside(segment));
        }
        Segments.forceDirectory(dir);
        if (truncate) {
            try (FileChannel channel = FileChannel.open(keptSegment, StandardOpenOption.WRITE)) {
                channel.truncate(keptBytes);
                channel.force(true);
            }
        }
        log.warn(
                "journal: rolled back {} records ({} bytes) after transaction {}: {}{} set aside as *{}",
                records,
                bytes,
                untilSeq,
                truncate ? keptSegment.getFileName() + " cut at byte " + keptBytes : "",
                later.isEmpty() ? "" : (truncate ? ", " : "") + later.size() + " later segments",
                SUFFIX);
        return new RolledBack(records, bytes);
    }

    static Path setAside(Path segment) {
        return segment.resolveSibling(segment.getFileName() + SUFFIX);
    }

    /** How many whole frames {@code file} holds from byte {@code from} on. */
    private static long frames(Path file, long from) throws IOException {
        long count = 0;
        try (FrameScanner scanner = FrameScanner.open(file, from)) {
            for (Scanned next = scanner.next(); next instanceof Scanned.Frame; next = scanner.next()) {
                count++;
            }
        }
        return count;
    }

    /** The newest set only: a node rolls back at every restart. */
    private static void deletePreviousSet(Path dir) throws IOException {
        List<Path> previous;
        try (Stream<Path> files = Files.list(dir)) {
            previous = files.filter(file -> file.getFileName().toString().endsWith(SUFFIX))
                    .toList();
        }
        for (Path file : previous) {
            Files.delete(file);
        }
    }

    /** Copies bytes {@code from..size} of {@code segment} to its set-aside file, forced. */
    private static void copyTail(Path segment, long from, long size) throws IOException {
        Set<StandardOpenOption> options =
                Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE); // the previous set is gone
        try (FileChannel in = FileChannel.open(segment, StandardOpenOption.READ);
                FileChannel out = FileChannel.open(setAside(segment), options, JournalWriter.OWNER_ONLY)) {
            long position = from;
            while (position < size) {
                long copied = in.transferTo(position, size - position, out);
                if (copied <= 0) {
                    throw new IOException(segment + " ended at byte " + position + " while being set aside");
                }
                position += copied;
            }
            out.force(true);
        }
    }
}
