package com.abcbank.journal;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * How records sit in a journal file: {@code [u32 payload length][u32 CRC32C of payload][payload]}, big-endian,
 * back to back (the framing of H2's {@code Chunk} and MapDB's {@code WriteAheadLog}).
 *
 * <p>The length is bounded by {@link #MAX_PAYLOAD}, so a bit flipped high in a length field reads as
 * corruption, not as a record that runs past the end of the file. Written here; read only through
 * {@link FrameScanner}, which also decides what a bad frame means (a torn tail or damage).
 *
 * <p>This layout is a stability promise: every journal and snapshot on disk is in it.
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

    /**
     * Appends one frame holding {@code payload} with its checksum left 0: for a frame whose payload is completed
     * later, in place, and then checksummed with {@link #sealAt}.
     */
    static void putUnsealed(ByteBuffer out, byte[] payload) {
        if (payload.length == 0 || payload.length > MAX_PAYLOAD) {
            throw new IllegalArgumentException("payload of " + payload.length + " bytes");
        }
        out.putInt(payload.length);
        out.putInt(0);
        out.put(payload);
    }

    /** Writes the checksum of the frame at {@code frame} in {@code bytes} (a heap buffer); returns its length. */
    static int sealAt(ByteBuffer bytes, int frame) {
        int length = bytes.getInt(frame);
        bytes.putInt(frame + 4, crc(bytes.array(), bytes.arrayOffset() + frame + HEADER_BYTES, length));
        return length;
    }

    static int crc(byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        return (int) crc.getValue();
    }
}
