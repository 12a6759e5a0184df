package com.abcbank.journal;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * How records sit in a journal file: {@code [u32 payload length][u32 CRC32C of payload][payload]}, big-endian,
 * back to back (the framing of H2's {@code Chunk} and MapDB's {@code WriteAheadLog}).
 *
 * <p>The length is bounded by {@link #MAX_PAYLOAD}, so a bit flipped high in a length field reads as
 * corruption, not as a record that runs past the end of the file.
 */
final class Frames {
    static final int HEADER_BYTES = 8;
    /** No record comes near this: a transaction has at most two postings. */
    static final int MAX_PAYLOAD = 64 * 1024;

    private Frames() {}

    /** Appends one frame holding {@code payload} to {@code out}, which must have room for it. */
    static void put(ByteBuffer out, byte[] payload) {
        if (payload.length == 0 || payload.length > MAX_PAYLOAD) {
            throw new IllegalArgumentException("payload of " + payload.length + " bytes");
        }
        out.putInt(payload.length);
        out.putInt(crc(payload, 0, payload.length));
        out.put(payload);
    }

    /** The next frame's payload from {@code in}, checked; for files whose end is known to be whole. */
    static byte[] take(ByteBuffer in) throws IOException {
        if (in.remaining() < HEADER_BYTES) {
            throw new IOException("a frame header cut short");
        }
        int length = in.getInt();
        int crc = in.getInt();
        if (length <= 0 || length > MAX_PAYLOAD || in.remaining() < length) {
            throw new IOException("a bad frame length " + length);
        }
        byte[] payload = new byte[length];
        in.get(payload);
        return checked(payload, crc);
    }

    /** The next frame's payload from {@code in}, checked, or {@code null} at a clean end of stream. */
    static byte[] read(DataInputStream in) throws IOException {
        int length;
        try {
            length = in.readInt();
        } catch (EOFException e) {
            return null;
        }
        int crc = in.readInt();
        if (length <= 0 || length > MAX_PAYLOAD) {
            throw new IOException("a bad frame length " + length);
        }
        byte[] payload = in.readNBytes(length);
        if (payload.length != length) {
            throw new IOException("a frame cut short");
        }
        return checked(payload, crc);
    }

    private static byte[] checked(byte[] payload, int crc) throws IOException {
        if (crc(payload, 0, payload.length) != crc) {
            throw new IOException("a checksum mismatch");
        }
        return payload;
    }

    static int crc(byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        return (int) crc.getValue();
    }
}
