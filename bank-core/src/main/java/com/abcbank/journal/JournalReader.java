package com.abcbank.journal;

import com.abcbank.ledger.Transaction;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the journal back, checking every record: its frame (length, CRC32C), its place in the hash chain and its
 * sequence number.
 *
 * <p>What a crash can leave, and only that, is forgiven: a torn tail, meaning an incomplete last frame (with no
 * valid frame anywhere after its start, which tells a torn write from a damaged length field), or a last frame
 * whose checksum fails with nothing but zeros after it, or zeros to the end of the last segment. It is cut off
 * (with a log line saying how many bytes), because a record that was never completely written was never
 * acknowledged. Anything else (a bad checksum with records after it, a broken chain, a gap in the sequence, a
 * bad record in an older segment) is corruption: {@link JournalCorruptedException}, unless the caller asked to
 * repair, in which case the journal is cut at the damage, loudly, losing everything after it.
 */
public final class JournalReader {
    private static final Logger log = LoggerFactory.getLogger(JournalReader.class);

    private JournalReader() {}

    /**
     * What reading found.
     *
     * @param lastSeq      the last transaction in the journal (or {@code afterSeq} if none follows it)
     * @param lastHash     the hash of its record, which the next record must carry
     * @param tailSegment  the segment to go on appending to ({@code null} if there is none yet)
     * @param records      how many records were read and checked
     * @param cutBytes     how many bytes of torn tail (or, when repairing, of damage and beyond) were cut off
     */
    public record Result(long lastSeq, byte[] lastHash, Path tailSegment, long records, long cutBytes) {}

    /**
     * Reads the segments of {@code dir} that may hold transactions after {@code afterSeq}, hands each such
     * transaction to {@code apply} in sequence order, and checks the chain from {@code afterHash} on (pass
     * {@code afterSeq = 0} and {@link RecordCodec#NO_PREVIOUS} to read everything). Cuts a torn tail off.
     */
    public static Result read(Path dir, long afterSeq, byte[] afterHash, boolean repair, Consumer<Transaction> apply)
            throws IOException, JournalCorruptedException {
        return scan(dir, afterSeq, afterHash, Long.MAX_VALUE, repair ? Mode.REPAIR : Mode.RECOVER, apply);
    }

    /**
     * Reads the whole journal up to transaction {@code untilSeq} without changing any file, for verification
     * while the server runs: a torn tail is where the writer is now, so reading stops there.
     */
    public static Result inspect(Path dir, long untilSeq, Consumer<Transaction> apply)
            throws IOException, JournalCorruptedException {
        return scan(dir, 0, RecordCodec.NO_PREVIOUS, untilSeq, Mode.INSPECT, apply);
    }

    private enum Mode { RECOVER, REPAIR, INSPECT }

    private static Result scan(Path dir, long afterSeq, byte[] afterHash, long untilSeq, Mode mode,
                               Consumer<Transaction> apply) throws IOException, JournalCorruptedException {
        boolean repair = mode == Mode.REPAIR;
        List<Path> segments = Segments.list(dir);
        int first = 0;
        for (int i = 0; i < segments.size(); i++) {
            if (Segments.firstSeq(segments.get(i)) <= Math.max(afterSeq, 1)) {
                first = i; // the segment holding record afterSeq, which the first replayed record chains to
            }
        }
        long expectedSeq = afterSeq + 1;
        byte[] previousHash = afterHash.clone();
        boolean chainKnown = afterSeq == 0 || !java.util.Arrays.equals(afterHash, RecordCodec.NO_PREVIOUS);
        long records = 0;
        long cut = 0;
        long maxSeen = 0;
        java.security.MessageDigest sha256 = RecordCodec.sha256();
        for (int i = first; i < segments.size(); i++) {
            Path segment = segments.get(i);
            boolean lastSegment = i == segments.size() - 1;
            byte[] bytes = readSegment(segment);
            ByteBuffer in = ByteBuffer.wrap(bytes);
            while (in.hasRemaining()) {
                int start = in.position();
                String damage = null;
                boolean tornIfLast = false;
                byte[] payload = null;
                if (in.remaining() < Frames.HEADER_BYTES) {
                    damage = "an incomplete frame header";
                    tornIfLast = true;
                } else {
                    int length = in.getInt();
                    int crc = in.getInt();
                    if (length <= 0 || length > Frames.MAX_PAYLOAD) {
                        damage = "a frame length of " + length;
                        tornIfLast = allZero(bytes, start);
                    } else if (in.remaining() < length) {
                        damage = "a frame of " + length + " bytes with " + in.remaining() + " left";
                        // A torn write leaves one partial frame and nothing after it. If a whole valid frame
                        // starts anywhere in what is left, this length was damaged in the middle of the journal.
                        tornIfLast = !validFrameWithin(bytes, start + 1);
                    } else {
                        payload = new byte[length];
                        in.get(payload);
                        if (Frames.crc(payload, 0, length) != crc) {
                            damage = "a checksum mismatch";
                            tornIfLast = allZero(bytes, in.position()); // nothing, or only zeros, after it
                            payload = null;
                        }
                    }
                }
                if (damage == null && records == 0 && afterSeq > 0) {
                    // Before the starting point (a snapshot covers it): skip without decoding; hash only the
                    // record just before the start, which the first replayed record must chain to.
                    try {
                        long seq = RecordCodec.peekSeq(payload);
                        maxSeen = Math.max(maxSeen, seq);
                        if (seq < afterSeq) {
                            continue;
                        }
                        if (seq == afterSeq) {
                            previousHash = sha256.digest(payload);
                            chainKnown = true;
                            continue;
                        }
                    } catch (IOException e) {
                        damage = "an unreadable record (" + e.getMessage() + ")";
                    }
                }
                RecordCodec.Decoded decoded = null;
                if (damage == null) {
                    try {
                        decoded = RecordCodec.decode(payload);
                    } catch (IOException e) {
                        damage = "an unreadable record (" + e.getMessage() + ")";
                    }
                }
                if (damage == null) {
                    Transaction tx = decoded.tx();
                    maxSeen = Math.max(maxSeen, tx.seq());
                    if (tx.seq() < expectedSeq && records == 0) {
                        previousHash = sha256.digest(payload); // before the point we start from: chain only
                        chainKnown = true;
                        continue;
                    }
                    if (tx.seq() != expectedSeq) {
                        damage = "transaction " + tx.seq() + " where " + expectedSeq + " was expected";
                    } else if (chainKnown && !RecordCodec.sameHash(decoded.previousHash(), previousHash)) {
                        damage = "transaction " + tx.seq() + " does not chain to the record before it"
                                + " (a record was edited, inserted or removed)";
                    } else {
                        apply.accept(tx);
                        previousHash = sha256.digest(payload);
                        chainKnown = true;
                        expectedSeq++;
                        records++;
                        if (tx.seq() >= untilSeq) {
                            return new Result(tx.seq(), previousHash, segment, records, cut);
                        }
                        continue;
                    }
                }
                if (mode == Mode.INSPECT && lastSegment && tornIfLast) {
                    break; // the writer's current position: nothing to cut while it runs
                }
                if (lastSegment && tornIfLast) {
                    cut += truncate(segment, start, bytes.length, "a torn tail (" + damage + ")");
                    break;
                }
                if (repair && afterSeq > 0 && maxSeen < afterSeq) {
                    throw new JournalCorruptedException(segment, start, damage + ", before the snapshot's transaction "
                            + afterSeq + ": repair would leave a gap under the snapshot; move the snapshots aside"
                            + " to repair from a full replay");
                }
                if (!repair) {
                    throw new JournalCorruptedException(segment, start, damage
                            + "; refusing to start on a damaged journal (the repair option cuts it here,"
                            + " losing every record from this one on)");
                }
                log.error("journal {}: REPAIR: cutting at byte {} because of {}; every later record is lost",
                        segment, start, damage);
                cut += truncate(segment, start, bytes.length, "damage (repair)");
                for (int j = i + 1; j < segments.size(); j++) {
                    cut += Files.size(segments.get(j));
                    Files.move(segments.get(j), segments.get(j).resolveSibling(segments.get(j).getFileName() + ".cut"));
                    log.error("journal: REPAIR: set aside {} as {}.cut", segments.get(j), segments.get(j).getFileName());
                }
                return new Result(expectedSeq - 1, previousHash, segment, records, cut);
            }
        }
        if (afterSeq > 0 && maxSeen < afterSeq) {
            Path last = segments.isEmpty() ? dir : segments.get(segments.size() - 1);
            throw new JournalCorruptedException(last, 0, "the journal ends at transaction " + maxSeen
                    + ", before the snapshot's transaction " + afterSeq + ": kept records are missing");
        }
        Path tail = segments.isEmpty() ? null : segments.get(segments.size() - 1);
        return new Result(expectedSeq - 1, previousHash, tail, records, cut);
    }

    /** The segment's bytes as of now: exactly its size when opened, so a file still growing, or a device, ends. */
    private static byte[] readSegment(Path segment) throws IOException, JournalCorruptedException {
        try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size > Integer.MAX_VALUE - 16) {
                throw new JournalCorruptedException(segment, 0, "a segment of " + size + " bytes, larger than any the"
                        + " server writes");
            }
            ByteBuffer bytes = ByteBuffer.allocate((int) size);
            while (bytes.hasRemaining() && channel.read(bytes) >= 0) {
                // read until full: FileChannel.read may return fewer bytes than asked
            }
            return bytes.hasRemaining() ? java.util.Arrays.copyOf(bytes.array(), bytes.position()) : bytes.array();
        }
    }

    private static long truncate(Path segment, long at, long size, String why) throws IOException {
        try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            channel.truncate(at);
            channel.force(true);
        }
        log.warn("journal {}: cut {} bytes of {} at byte {}", segment.getFileName(), size - at, why, at);
        return size - at;
    }

    /** Whether a frame with a plausible length and a matching CRC starts at any offset from {@code from} on. */
    private static boolean validFrameWithin(byte[] bytes, int from) {
        ByteBuffer view = ByteBuffer.wrap(bytes);
        for (int at = from; at + Frames.HEADER_BYTES < bytes.length; at++) {
            int length = view.getInt(at);
            if (length > 0 && length <= Frames.MAX_PAYLOAD && at + Frames.HEADER_BYTES + (long) length <= bytes.length
                    && Frames.crc(bytes, at + Frames.HEADER_BYTES, length) == view.getInt(at + 4)) {
                return true;
            }
        }
        return false;
    }

    private static boolean allZero(byte[] bytes, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return true;
    }
}
