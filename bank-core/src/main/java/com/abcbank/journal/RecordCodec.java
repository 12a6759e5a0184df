package com.abcbank.journal;

import com.abcbank.ledger.Posting;
import com.abcbank.ledger.Transaction;
import com.abcbank.ledger.TxType;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The payload of a journal record: one committed transaction or one security event, and the SHA-256 hash of the
 * payload before it, so the records form a chain and an edited, inserted or removed record breaks it.
 *
 * <pre>
 *   u8  format (1)        u8 kind (1 = transaction)      32 bytes  hash of the previous payload (zeros first)
 *   i64 seq               i64 epoch second  i32 nano     u8 type   (TxType.code)
 *   str user              opt-str opened                 opt-str key
 *   u8  postings, each:   str account  i64 amount cents  i64 balance after
 *
 *   u8  format (1)        u8 kind (2 = security event)   32 bytes  hash of the previous payload
 *   i64 epoch second      i32 nano                       u8 event kind (SecurityEvent.Kind.code)
 *   str user              str address                    str detail         i32 repeated
 * </pre>
 * {@code str} is {@link DataOutputStream#writeUTF}; {@code opt-str} is a presence byte, then a {@code str}. An event
 * has no sequence number: it takes no transaction number (those run 1, 2, 3... without gaps, on the wire too), and
 * its number in the audit trail is its place among the events of the journal.
 */
final class RecordCodec {
    static final int HASH_BYTES = 32;
    /**
     * Room for a whole record in one allocation: a transfer with a key is about 150 to 200 bytes, and encoding runs
     * inside the ledger's sequencer, where a buffer that grows (a second array and a copy) is time every commit
     * waits for.
     */
    private static final int ENCODED_BYTES_HINT = 256;
    /** Where in a payload the previous payload's hash sits: after the format and kind bytes. */
    static final int HASH_OFFSET = 2;

    static final byte[] NO_PREVIOUS = new byte[HASH_BYTES];
    private static final byte FORMAT = 1;
    private static final byte KIND_TRANSACTION = 1;
    private static final byte KIND_EVENT = 2;

    private RecordCodec() {}

    /** A decoded record. */
    // Never compared with equals: the reader checks the chain with sameHash (Arrays.equals), and it is never printed.
    @SuppressWarnings("ArrayRecordComponent")
    record Decoded(byte[] previousHash, Transaction tx) {}

    static byte[] encode(Transaction tx, byte[] previousHash) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(ENCODED_BYTES_HINT);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT);
            out.writeByte(KIND_TRANSACTION);
            out.write(previousHash);
            out.writeLong(tx.seq());
            Instant time = tx.time();
            out.writeLong(time.getEpochSecond());
            out.writeInt(time.getNano());
            out.writeByte(tx.type().code);
            out.writeUTF(tx.user());
            writeOptional(out, tx.opened());
            writeOptional(out, tx.key());
            out.writeByte(tx.postings().size());
            for (Posting posting : tx.postings()) {
                out.writeUTF(posting.account());
                out.writeLong(posting.amountCents());
                out.writeLong(posting.balanceAfterCents());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        return bytes.toByteArray();
    }

    /**
     * Reads a payload back.
     *
     * @throws IOException if it is not a well-formed record (its CRC matched, so it was written that way: a bug
     *                     or a deliberate edit, not a torn write)
     */
    static Decoded decode(byte[] payload) throws IOException {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload))) {
            int format = in.readUnsignedByte();
            int kind = in.readUnsignedByte();
            if (format != FORMAT || kind != KIND_TRANSACTION) {
                throw new IOException("unknown record format " + format + " kind " + kind);
            }
            byte[] previous = in.readNBytes(HASH_BYTES);
            long seq = in.readLong();
            Instant time = Instant.ofEpochSecond(in.readLong(), in.readInt());
            int code = in.readUnsignedByte();
            TxType type = TxType.ofCode(code).orElseThrow(() -> new IOException("unknown transaction type " + code));
            String user = in.readUTF();
            String opened = readOptional(in);
            String key = readOptional(in);
            int count = in.readUnsignedByte();
            List<Posting> postings = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                postings.add(new Posting(in.readUTF(), in.readLong(), in.readLong()));
            }
            if (in.available() != 0) {
                throw new IOException(in.available() + " bytes after the record");
            }
            try {
                return new Decoded(previous, new Transaction(seq, time, type, user, opened, postings, key));
            } catch (IllegalStateException | IllegalArgumentException | NullPointerException e) {
                throw new IOException("not a valid transaction: " + e.getMessage(), e);
            }
        }
    }

    /** Whether the payload at {@code bytes[offset .. offset + length)} is a security event (not a transaction). */
    static boolean isEvent(byte[] bytes, int offset, int length) {
        return length >= 2 && bytes[offset] == FORMAT && bytes[offset + 1] == KIND_EVENT;
    }

    static boolean isEvent(byte[] payload) {
        return isEvent(payload, 0, payload.length);
    }

    /** A security event's payload, with its previous-hash field left for the flusher to fill in. */
    static byte[] encodeEvent(SecurityEvent event) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT);
            out.writeByte(KIND_EVENT);
            out.write(NO_PREVIOUS);
            Instant time = event.time();
            out.writeLong(time.getEpochSecond());
            out.writeInt(time.getNano());
            out.writeByte(event.kind().code);
            out.writeUTF(event.user()); // bounded by SecurityEvent: a few hundred bytes at most
            out.writeUTF(event.address());
            out.writeUTF(event.detail());
            out.writeInt(event.repeated());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        return bytes.toByteArray();
    }

    /** A security event's payload read back, numbered {@code number}. */
    static SecurityEvent decodeEvent(byte[] payload, long number) throws IOException {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload))) {
            if (in.readUnsignedByte() != FORMAT || in.readUnsignedByte() != KIND_EVENT) {
                throw new IOException("not a security event record");
            }
            in.skipNBytes(HASH_BYTES);
            Instant time = Instant.ofEpochSecond(in.readLong(), in.readInt());
            int code = in.readUnsignedByte();
            SecurityEvent.Kind kind =
                    SecurityEvent.Kind.ofCode(code).orElseThrow(() -> new IOException("unknown event kind " + code));
            String user = in.readUTF();
            String address = in.readUTF();
            String detail = in.readUTF();
            int repeated = in.readInt();
            if (in.available() != 0) {
                throw new IOException(in.available() + " bytes after the event");
            }
            try {
                return new SecurityEvent(number, time, kind, user, address, detail, repeated);
            } catch (IllegalArgumentException | java.time.DateTimeException e) {
                throw new IOException("not a valid security event: " + e.getMessage(), e);
            }
        }
    }

    /** The previous-record hash a payload carries (either kind). */
    static byte[] previousHash(byte[] payload) {
        return Arrays.copyOfRange(payload, HASH_OFFSET, HASH_OFFSET + HASH_BYTES);
    }

    /** The sequence number of an encoded record, read without decoding the rest (for skipping fast). */
    static long peekSeq(byte[] payload) throws IOException {
        return peekSeq(payload, 0, payload.length);
    }

    /** {@link #peekSeq(byte[])} of the payload at {@code bytes[offset .. offset + length)}. */
    static long peekSeq(byte[] bytes, int offset, int length) throws IOException {
        if (length < 2 + HASH_BYTES + Long.BYTES || bytes[offset] != FORMAT || bytes[offset + 1] != KIND_TRANSACTION) {
            throw new IOException("not a transaction record");
        }
        return java.nio.ByteBuffer.wrap(bytes, offset + 2 + HASH_BYTES, Long.BYTES)
                .getLong();
    }

    /**
     * The distinct accounts an encoded record touches (the one it opens, the ones it posts to), written to
     * {@code out} (room for three); returns how many. Reads only what it needs, for indexing fast.
     *
     * @throws IOException if the payload is not a well-formed transaction record
     */
    static int touched(byte[] payload, String[] out) throws IOException {
        return touched(payload, 0, payload.length, out);
    }

    /** {@link #touched(byte[], String[])} of the payload at {@code bytes[offset .. offset + length)}. */
    static int touched(byte[] bytes, int offset, int length, String[] out) throws IOException {
        int count = touchedAscii(bytes, offset, length, out);
        return count >= 0 ? count : touchedAnyText(bytes, offset, length, out);
    }

    /**
     * The fast path of {@link #touched}: reads the fields in place when every string it keeps is ASCII (account
     * numbers are), or returns -1 for the general decoder.
     */
    private static int touchedAscii(byte[] bytes, int offset, int length, String[] out) {
        int end = offset + length;
        int at = offset
                + 2
                + HASH_BYTES
                + Long.BYTES
                + Long.BYTES
                + Integer.BYTES
                + 1; // format, kind, hash, seq, time, type
        if (length < 2 || bytes[offset] != FORMAT || bytes[offset + 1] != KIND_TRANSACTION || at + 2 > end) {
            return -1;
        }
        at += 2 + unsignedShort(bytes, at); // user
        int count = 0;
        if (at >= end) {
            return -1;
        }
        if (bytes[at++] != 0) { // opened
            String opened = ascii(bytes, at, end);
            if (opened == null) {
                return -1;
            }
            out[count++] = opened;
            at += 2 + opened.length();
        }
        if (at >= end) {
            return -1;
        }
        if (bytes[at++] != 0) { // key
            if (at + 2 > end) {
                return -1;
            }
            at += 2 + unsignedShort(bytes, at);
        }
        if (at >= end) {
            return -1;
        }
        int postings = bytes[at++] & 0xff;
        for (int i = 0; i < postings; i++) {
            String account = ascii(bytes, at, end);
            if (account == null) {
                return -1;
            }
            at += 2 + account.length() + 2 * Long.BYTES;
            if (!contains(out, count, account)) {
                if (count == out.length) {
                    return -1;
                }
                out[count++] = account;
            }
        }
        return at == end ? count : -1;
    }

    private static int unsignedShort(byte[] bytes, int at) {
        return ((bytes[at] & 0xff) << 8) | (bytes[at + 1] & 0xff);
    }

    /** The {@code writeUTF} string at {@code at} if it is ASCII and within {@code end}, else {@code null}. */
    private static String ascii(byte[] bytes, int at, int end) {
        if (at + 2 > end) {
            return null;
        }
        int n = unsignedShort(bytes, at);
        if (at + 2 + n > end) {
            return null;
        }
        for (int i = at + 2; i < at + 2 + n; i++) {
            if (bytes[i] <= 0) {
                return null;
            }
        }
        return new String(bytes, at + 2, n, java.nio.charset.StandardCharsets.US_ASCII);
    }

    private static int touchedAnyText(byte[] bytes, int offset, int length, String[] out) throws IOException {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes, offset, length))) {
            if (in.readUnsignedByte() != FORMAT || in.readUnsignedByte() != KIND_TRANSACTION) {
                throw new IOException("not a transaction record");
            }
            in.skipNBytes(HASH_BYTES + Long.BYTES + Long.BYTES + Integer.BYTES + 1); // hash, seq, time, type
            in.skipNBytes(in.readUnsignedShort()); // user
            int count = 0;
            String opened = readOptional(in);
            if (opened != null) {
                out[count++] = opened;
            }
            if (in.readBoolean()) {
                in.skipNBytes(in.readUnsignedShort()); // key
            }
            int postings = in.readUnsignedByte();
            for (int i = 0; i < postings; i++) {
                String account = in.readUTF();
                in.skipNBytes(2L * Long.BYTES);
                if (!contains(out, count, account)) {
                    if (count == out.length) {
                        throw new IOException("a record that touches more than " + out.length + " accounts");
                    }
                    out[count++] = account;
                }
            }
            return count;
        }
    }

    private static boolean contains(String[] values, int count, String value) {
        for (int i = 0; i < count; i++) {
            if (values[i].equals(value)) {
                return true;
            }
        }
        return false;
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    static boolean sameHash(byte[] a, byte[] b) {
        return Arrays.equals(a, b);
    }

    private static void writeOptional(DataOutputStream out, String value) throws IOException {
        out.writeBoolean(value != null);
        if (value != null) {
            out.writeUTF(value);
        }
    }

    private static String readOptional(DataInputStream in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }
}
