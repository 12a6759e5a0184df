package com.abcbank.journal;

import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Where the journal's hash chain stands at a transaction: its sequence number and the SHA-256 of its record, as
 * {@link Verifier} and recovery compute it (over the record's payload, which carries the hash of the record before
 * it, security events included). Two journals with equal heads at the same {@code seq} hold the same transactions
 * 1..seq, byte for byte, and so do two cluster nodes.
 *
 * <p>The hash is kept as lower-case hex, so the value is immutable, compares by content, and goes on the wire as
 * it is; {@link #hashBytes} gives a fresh copy of the bytes (for {@link Journal#recover} from a snapshot).
 *
 * @param seq  the transaction's sequence number (0: before the first, with {@link #EMPTY}'s hash of zeros)
 * @param hash the SHA-256 of its record, 64 lower-case hex digits
 */
public record ChainHead(long seq, String hash) {
    private static final Pattern HEX = Pattern.compile("[0-9a-f]{" + 2 * RecordCodec.HASH_BYTES + "}");

    /** The head of an empty journal: no transaction, and the hash the first record chains to (all zeros). */
    public static final ChainHead EMPTY = new ChainHead(0, RecordCodec.NO_PREVIOUS);

    public ChainHead {
        if (seq < 0 || hash == null || !HEX.matcher(hash).matches()) {
            throw new IllegalArgumentException("not a chain head: " + seq + " " + hash);
        }
    }

    ChainHead(long seq, byte[] hash) {
        this(seq, HexFormat.of().formatHex(hash));
    }

    /** The hash as bytes, a copy of the caller's own. */
    public byte[] hashBytes() {
        return HexFormat.of().parseHex(hash);
    }
}
