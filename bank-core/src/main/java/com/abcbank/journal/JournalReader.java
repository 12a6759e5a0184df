package com.abcbank.journal;

import com.abcbank.ledger.Transaction;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the journal back, checking every record: its frame (length, CRC32C, by {@link FrameScanner}), its place in
 * the hash chain and its sequence number.
 *
 * <p>What a crash can leave, and only that, is forgiven: a torn tail ({@link Scanned.TornTail}) at the end of the
 * last segment. It is cut off (with a log line saying how many bytes), because a record that was never completely
 * written was never acknowledged. Anything else (damage, a torn tail in an older segment, a record out of
 * sequence, a broken chain, a record that does not decode) is corruption: {@link JournalCorruptedException},
 * unless the caller asked to repair, in which case the journal is cut at the damage, loudly, losing everything
 * after it. The decision, row by row, is the table in docs/architecture.md ("Recovery"); {@link #scan} is that
 * table.
 *
 * <p>A roll-back ({@link #rollBack}, for a cluster node) reads the same way up to a given transaction, then stops
 * and cuts everything after its record ({@link RolledBack}).
 *
 * <p>One reader per call, on one thread; it holds the running state of the chain.
 */
final class JournalReader {
    private static final Logger log = LoggerFactory.getLogger(JournalReader.class);

    /**
     * What reading found.
     *
     * @param lastSeq      the last transaction in the journal (or {@code afterSeq} if none follows it)
     * @param lastHash     the hash of its record, which the next record must carry
     * @param tailSegment  the segment to go on appending to ({@code null} if there is none yet)
     * @param records      how many records were read and checked
     * @param cutBytes     how many bytes of torn tail (or, when repairing, of damage and beyond) were cut off
     * @param events       how many security events were read and checked (chained like transactions, applied to
     *                     nothing)
     * @param head         transaction {@code lastSeq} and the hash of its record: {@code lastHash} unless security
     *                     events follow it
     * @param rolledBack   what a roll-back ({@link #rollBack}) cut after transaction {@code untilSeq}, or
     *                     {@link RolledBack#NOTHING}
     */
    // Package-private, built once per open and read field by field, never compared with equals: JournalWriter takes
    // lastHash and copies it. A value type for one hash would add a class and a copy for no caller.
    @SuppressWarnings("ArrayRecordComponent")
    record Result(
            long lastSeq,
            byte[] lastHash,
            Path tailSegment,
            long records,
            long cutBytes,
            long events,
            ChainHead head,
            RolledBack rolledBack) {}

    private enum Mode {
        RECOVER,
        REPAIR,
        INSPECT
    }

    private final Path dir;
    /** The start point: a snapshot holds every transaction up to it (0 for none). */
    private final long afterSeq;
    /**
     * Where an inspection stops (the live ledger's last transaction), or a roll-back cuts the journal (the last
     * transaction kept); {@link Long#MAX_VALUE} otherwise.
     */
    private final long untilSeq;
    /** Cut the journal after transaction {@link #untilSeq}: see {@link #rollBack}. */
    private final boolean rollBack;

    private final Mode mode;
    private final Consumer<Transaction> apply;
    private final MessageDigest sha256 = RecordCodec.sha256();

    private long expectedSeq;
    /** The hash of the last record read, which the next one must carry, if {@link #chainKnown}. */
    private byte[] previousHash;
    /** The last transaction read (the start point, or the last applied), and the hash of its record. */
    private long lastTxSeq;

    private byte[] lastTxHash;

    private boolean chainKnown;
    /** The transaction whose frame was just taken, skipped or applied; -1 after a security event's. */
    private long takenSeq = -1;

    private long records;
    private long events;
    private long cut;
    /** The highest sequence number seen, skipped records included: whether the journal reaches the start point. */
    private long maxSeen;

    private JournalReader(
            Path dir,
            long afterSeq,
            byte[] afterHash,
            long untilSeq,
            boolean rollBack,
            Mode mode,
            Consumer<Transaction> apply) {
        this.dir = dir;
        this.afterSeq = afterSeq;
        this.untilSeq = untilSeq;
        this.rollBack = rollBack;
        this.mode = mode;
        this.apply = apply;
        this.expectedSeq = afterSeq + 1;
        this.previousHash = afterHash.clone();
        this.chainKnown = afterSeq == 0 || !Arrays.equals(afterHash, RecordCodec.NO_PREVIOUS);
        this.lastTxSeq = afterSeq;
        this.lastTxHash = afterHash.clone();
    }

    /**
     * Reads the segments of {@code dir} that may hold transactions after {@code afterSeq}, hands each such
     * transaction to {@code apply} in sequence order, and checks the chain from {@code afterHash} on (pass
     * {@code afterSeq = 0} and {@link RecordCodec#NO_PREVIOUS} to read everything). Cuts a torn tail off.
     *
     * @param repair cut the journal at the first damage instead of refusing
     */
    static Result read(Path dir, long afterSeq, byte[] afterHash, boolean repair, Consumer<Transaction> apply)
            throws IOException, JournalCorruptedException {
        Mode mode = repair ? Mode.REPAIR : Mode.RECOVER;
        return new JournalReader(dir, afterSeq, afterHash, Long.MAX_VALUE, false, mode, apply).scan();
    }

    /**
     * As {@link #read}, but stops after transaction {@code untilSeq} ({@code >= afterSeq}) and cuts the journal
     * right after its record: the segment holding it is truncated at the next frame (security events included), and
     * every later segment is set aside ({@link RolledBack}). The chain goes on from that record's hash. A journal
     * that ends before {@code untilSeq} is read as {@link #read} reads it, and nothing is rolled back.
     */
    static Result rollBack(
            Path dir, long afterSeq, byte[] afterHash, long untilSeq, boolean repair, Consumer<Transaction> apply)
            throws IOException, JournalCorruptedException {
        if (untilSeq < afterSeq) {
            throw new IllegalArgumentException(
                    "cannot roll back to transaction " + untilSeq + ", below the start point " + afterSeq);
        }
        Mode mode = repair ? Mode.REPAIR : Mode.RECOVER;
        return new JournalReader(dir, afterSeq, afterHash, untilSeq, true, mode, apply).scan();
    }

    /**
     * Reads the whole journal up to transaction {@code untilSeq} without changing any file, for verification
     * while the server runs: a torn tail is where the writer is now, so reading stops there.
     */
    static Result inspect(Path dir, long untilSeq, Consumer<Transaction> apply)
            throws IOException, JournalCorruptedException {
        return new JournalReader(dir, 0, RecordCodec.NO_PREVIOUS, untilSeq, false, Mode.INSPECT, apply).scan();
    }

    /** The recovery decision: every row of the table in docs/architecture.md is one branch here. */
    private Result scan() throws IOException, JournalCorruptedException {
        List<Path> segments = Segments.list(dir);
        if (rollBack && untilSeq == 0) {
            return rolledBack(segments, -1, 0, 0); // nothing is kept, not even events before the first transaction
        }
        for (int i = firstSegment(segments); i < segments.size(); i++) {
            Path segment = segments.get(i);
            boolean last = i == segments.size() - 1;
            try (FrameScanner scanner = FrameScanner.open(segment, 0)) {
                for (Scanned next = scanner.next(); next != null; next = scanner.next()) {
                    if (next instanceof Scanned.Frame record) {
                        next = take(record); // skipped or applied (null), or the record itself is wrong
                        if (next == null && rollBack && takenSeq == untilSeq) {
                            return rolledBack(segments, i, record.end(), scanner.end()); // the last record kept
                        }
                        if (next == null && !rollBack && records > 0 && expectedSeq - 1 >= untilSeq) {
                            return result(segment); // inspect: the live ledger's last transaction
                        }
                        if (next == null) {
                            continue;
                        }
                    }
                    if (next instanceof Scanned.TornTail torn && last) {
                        if (mode != Mode.INSPECT) { // inspect: the writer's position now, nothing to cut
                            cut += truncate(segment, torn.offset(), scanner.end(), "a torn tail (" + torn.why() + ")");
                        }
                        break;
                    }
                    return damaged(segments, i, next, scanner.end()); // refuses, or with repair cuts here
                }
            }
        }
        if (afterSeq > 0 && maxSeen < afterSeq) {
            Path last = segments.isEmpty() ? dir : segments.get(segments.size() - 1);
            throw new JournalCorruptedException(
                    last,
                    0,
                    "the journal ends at transaction " + maxSeen + ", before the snapshot's transaction " + afterSeq
                            + ": kept records are missing");
        }
        return result(segments.isEmpty() ? null : segments.get(segments.size() - 1));
    }

    /** The segment holding record {@code afterSeq}, which the first replayed record chains to; 0 for the first. */
    private int firstSegment(List<Path> segments) {
        int first = 0;
        for (int i = 0; i < segments.size(); i++) {
            if (Segments.firstSeq(segments.get(i)) <= Math.max(afterSeq, 1)) {
                first = i;
            }
        }
        return first;
    }

    /**
     * Skips a record the start point covers (without decoding it: only its sequence number, and the hash of the
     * one at the start point, which the first applied record must chain to), or checks and applies the next one.
     *
     * @return {@code null} if skipped or applied; otherwise what is wrong with the record
     */
    private Scanned.Damage take(Scanned.Frame record) {
        byte[] payload = record.payload();
        if (RecordCodec.isEvent(payload)) {
            return takeEvent(record);
        }
        try {
            if (records == 0 && afterSeq > 0) {
                long seq = RecordCodec.peekSeq(payload);
                maxSeen = Math.max(maxSeen, seq);
                takenSeq = seq;
                if (seq == afterSeq) {
                    previousHash = sha256.digest(payload);
                    chainKnown = true;
                    lastTxHash = previousHash;
                }
                if (seq <= afterSeq) {
                    return null;
                }
            }
            RecordCodec.Decoded decoded = RecordCodec.decode(payload);
            Transaction tx = decoded.tx();
            maxSeen = Math.max(maxSeen, tx.seq());
            if (tx.seq() != expectedSeq) {
                return new Scanned.Damage(
                        record.offset(), "transaction " + tx.seq() + " where " + expectedSeq + " was expected");
            }
            if (chainKnown && !RecordCodec.sameHash(decoded.previousHash(), previousHash)) {
                return new Scanned.Damage(
                        record.offset(),
                        "transaction " + tx.seq() + " does not chain to the record"
                                + " before it (a record was edited, inserted or removed)");
            }
            apply.accept(tx);
            previousHash = sha256.digest(payload);
            chainKnown = true;
            lastTxSeq = tx.seq();
            lastTxHash = previousHash;
            takenSeq = tx.seq();
            expectedSeq++;
            records++;
            return null;
        } catch (IOException e) {
            return new Scanned.Damage(record.offset(), "an unreadable record (" + e.getMessage() + ")");
        }
    }

    /**
     * A security event: skipped before the start point (a snapshot covers it: it changes no balance), otherwise
     * decoded and checked in the chain like a transaction, and counted. It takes no sequence number, so the next
     * transaction is still {@link #expectedSeq}, and chains to this event.
     */
    private Scanned.Damage takeEvent(Scanned.Frame record) {
        byte[] payload = record.payload();
        takenSeq = -1;
        if (afterSeq > 0 && maxSeen < afterSeq) {
            return null;
        }
        try {
            RecordCodec.decodeEvent(payload, 0);
        } catch (IOException e) {
            return new Scanned.Damage(record.offset(), "an unreadable security event (" + e.getMessage() + ")");
        }
        if (chainKnown && !RecordCodec.sameHash(RecordCodec.previousHash(payload), previousHash)) {
            return new Scanned.Damage(
                    record.offset(),
                    "the security event after transaction " + (expectedSeq - 1) + " does not chain to the record"
                            + " before it (a record was edited, inserted or removed)");
        }
        previousHash = sha256.digest(payload);
        chainKnown = true;
        events++;
        return null;
    }

    /**
     * At damage in segment {@code i}: refuses to go on, or, when repairing (and not below the start point, which
     * would leave a gap under the snapshot), cuts the segment there and sets every later segment aside.
     */
    private Result damaged(List<Path> segments, int i, Scanned damage, long size)
            throws IOException, JournalCorruptedException {
        Path segment = segments.get(i);
        long at = damage.offset();
        String why = damage instanceof Scanned.TornTail torn ? torn.why() : ((Scanned.Damage) damage).why();
        if (mode == Mode.REPAIR && afterSeq > 0 && maxSeen < afterSeq) {
            throw new JournalCorruptedException(
                    segment,
                    at,
                    why + ", before the snapshot's transaction " + afterSeq
                            + ": repair would leave a gap under the snapshot; move the snapshots aside to repair from a"
                            + " full replay");
        }
        if (mode != Mode.REPAIR) {
            throw new JournalCorruptedException(
                    segment,
                    at,
                    why + "; refusing to start on a damaged journal (the"
                            + " repair option cuts it here, losing every record from this one on)");
        }
        log.error("journal {}: REPAIR: cutting at byte {} because of {}; every later record is lost", segment, at, why);
        cut += truncate(segment, at, size, "damage (repair)");
        for (Path later : segments.subList(i + 1, segments.size())) {
            cut += Files.size(later);
            Files.move(later, later.resolveSibling(later.getFileName() + ".cut"));
            log.error("journal: REPAIR: set aside {} as {}.cut", later, later.getFileName());
        }
        return result(segment);
    }

    /**
     * After transaction {@link #untilSeq}, whose frame ends at {@code keptBytes} of segment {@code i} (of {@code size}
     * bytes), or with {@code i = -1} before the first record: cuts the rest (see {@link RolledBack}).
     */
    private Result rolledBack(List<Path> segments, int i, long keptBytes, long size) throws IOException {
        RolledBack rolled = RolledBack.cut(dir, segments, i, keptBytes, size, untilSeq);
        return result(i < 0 ? null : segments.get(i), rolled);
    }

    private Result result(Path tail) {
        return result(tail, RolledBack.NOTHING);
    }

    private Result result(Path tail, RolledBack rolled) {
        return new Result(
                expectedSeq - 1,
                previousHash,
                tail,
                records,
                cut,
                events,
                new ChainHead(lastTxSeq, lastTxHash),
                rolled);
    }

    private static long truncate(Path segment, long at, long size, String why) throws IOException {
        try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            channel.truncate(at);
            channel.force(true);
        }
        log.warn("journal {}: cut {} bytes of {} at byte {}", segment.getFileName(), size - at, why, at);
        return size - at;
    }
}
