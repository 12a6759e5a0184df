package com.abcbank.journal;

import com.abcbank.ledger.AccountKind;
import com.abcbank.ledger.AccountView;
import com.abcbank.ledger.LedgerState;
import com.abcbank.ledger.Transaction;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Snapshots of the ledger's state, so that a start replays only the journal after the newest one.
 *
 * <p>A snapshot is {@code snapshot-<last seq, 20 digits>.snap}: framed records like the journal's (length,
 * CRC32C, payload): a header (format, last seq, last time, next loan number, counts), one record per account
 * in lock order, then the transactions whose idempotency keys are still remembered. It is written to a temporary
 * file, forced, renamed into place and the directory forced (write, fsync, rename): a crash leaves the old
 * snapshot or the new one, never half of one. The newest {@value #KEEP} are kept; a damaged snapshot is skipped
 * for the one before it (the journal is never shortened, so an older snapshot or none at all still recovers).
 * Only state the journal already keeps may be written: take the state, wait until the journal is durable up to
 * its last seq, then write.
 */
public final class SnapshotStore {
    static final int KEEP = 2;
    private static final Logger log = LoggerFactory.getLogger(SnapshotStore.class);
    private static final Pattern NAME = Pattern.compile("snapshot-(\\d{20})\\.snap");
    private static final byte FORMAT = 1;
    /** The write buffer: many records, and always more than the largest frame. */
    private static final int WRITE_BUFFER_BYTES = 1 << 20;

    private final Path dir;

    public SnapshotStore(Path dir) {
        this.dir = dir;
    }

    /**
     * Writes {@code state} durably and drops snapshots older than the newest {@value #KEEP}. Streams the records
     * through a buffer of {@value #WRITE_BUFFER_BYTES}, so a million accounts cost no more heap than a thousand.
     */
    public Path write(LedgerState state) throws IOException {
        Files.createDirectories(dir);
        Path target = dir.resolve(String.format("snapshot-%020d.snap", state.lastSeq()));
        Path temporary = dir.resolve(target.getFileName() + ".tmp");
        Files.deleteIfExists(temporary);
        try (FileChannel channel = FileChannel.open(
                temporary,
                Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
            ByteBuffer out = ByteBuffer.allocate(WRITE_BUFFER_BYTES);
            put(channel, out, header(state));
            for (AccountView account : state.accounts()) {
                put(channel, out, account(account));
            }
            for (Transaction tx : state.keyed()) {
                put(channel, out, RecordCodec.encode(tx, RecordCodec.NO_PREVIOUS));
            }
            drain(channel, out);
            channel.force(true);
        }
        Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Segments.forceDirectory(dir);
        List<Path> all = list();
        for (int i = 0; i < all.size() - KEEP; i++) {
            Files.delete(all.get(i));
        }
        return target;
    }

    /** Frames {@code payload} into {@code out}, writing what {@code out} holds to {@code channel} first if full. */
    private static void put(FileChannel channel, ByteBuffer out, byte[] payload) throws IOException {
        if (out.remaining() < Frames.HEADER_BYTES + payload.length) {
            drain(channel, out);
        }
        Frames.put(out, payload);
    }

    private static void drain(FileChannel channel, ByteBuffer out) throws IOException {
        out.flip();
        while (out.hasRemaining()) {
            channel.write(out);
        }
        out.clear();
    }

    /** The newest readable snapshot, or {@code null} if there is none (start from the whole journal). */
    public LedgerState loadLatest() throws IOException {
        List<Path> all = list();
        for (int i = all.size() - 1; i >= 0; i--) {
            try {
                return read(all.get(i));
            } catch (IOException e) {
                log.error("snapshot {} is damaged ({}); trying an older one", all.get(i), e.getMessage());
            }
        }
        return null;
    }

    /** The snapshot in {@code file}, read and checked whole (a cluster node names the one its Raft state covers). */
    public static LedgerState load(Path file) throws IOException {
        return read(file);
    }

    private List<Path> list() throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> NAME.matcher(f.getFileName().toString()).matches())
                    .sorted()
                    .toList();
        }
    }

    static LedgerState read(Path file) throws IOException {
        try (FrameScanner in = FrameScanner.open(file, 0)) {
            DataInputStream header = frame(in);
            if (header.readByte() != FORMAT) {
                throw new IOException("unknown snapshot format");
            }
            long lastSeq = header.readLong();
            Instant lastTime = Instant.ofEpochSecond(header.readLong(), header.readInt());
            long nextLoanNumber = header.readLong();
            int accounts = header.readInt();
            int keyed = header.readInt();
            if (accounts < 0 || keyed < 0) {
                throw new IOException("negative counts in the snapshot's header");
            }
            List<AccountView> views = new ArrayList<>(Math.min(accounts, 1 << 16));
            for (int i = 0; i < accounts; i++) {
                views.add(account(frame(in)));
            }
            List<Transaction> txs = new ArrayList<>(Math.min(keyed, 1 << 16));
            for (int i = 0; i < keyed; i++) {
                txs.add(RecordCodec.decode(payload(in)).tx());
            }
            Scanned extra = in.next();
            if (extra != null) {
                throw new IOException((in.end() - extra.offset()) + " bytes after the snapshot's last record");
            }
            return new LedgerState(lastSeq, lastTime, nextLoanNumber, views, txs);
        }
    }

    private static AccountView account(DataInputStream a) throws IOException {
        String number = a.readUTF();
        int code = a.readUnsignedByte();
        AccountKind kind = AccountKind.ofCode(code).orElseThrow(() -> new IOException("unknown account kind " + code));
        String owner = a.readUTF();
        Instant created = a.readBoolean() ? Instant.ofEpochSecond(a.readLong(), a.readInt()) : null;
        return new AccountView(number, kind, owner, created, a.readLong());
    }

    private static DataInputStream frame(FrameScanner in) throws IOException {
        return new DataInputStream(new ByteArrayInputStream(payload(in)));
    }

    /** The next record's payload; a snapshot is whole (written, forced, renamed), so anything else is damage. */
    private static byte[] payload(FrameScanner in) throws IOException {
        Scanned.Frame record = in.nextRecord();
        if (record == null) {
            throw new IOException("the snapshot ends before its last record");
        }
        return record.payload();
    }

    private static byte[] header(LedgerState state) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT);
            out.writeLong(state.lastSeq());
            Instant lastTime = state.lastTime();
            out.writeLong(lastTime.getEpochSecond());
            out.writeInt(lastTime.getNano());
            out.writeLong(state.nextLoanNumber());
            out.writeInt(state.accounts().size());
            out.writeInt(state.keyed().size());
        }
        return bytes.toByteArray();
    }

    private static byte[] account(AccountView account) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeUTF(account.number());
            out.writeByte(account.kind().code);
            out.writeUTF(account.owner());
            Instant created = account.created();
            out.writeBoolean(created != null);
            if (created != null) {
                out.writeLong(created.getEpochSecond());
                out.writeInt(created.getNano());
            }
            out.writeLong(account.balanceCents());
        }
        return bytes.toByteArray();
    }
}
