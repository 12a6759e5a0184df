package com.abcbank.journal;

/**
 * What {@link FrameScanner} found at one offset of a file: a whole frame, a torn tail, or damage. Each names the
 * byte at which its frame starts, which is where recovery cuts and what a refusal reports.
 */
sealed interface Scanned {
    /** Where the frame starts, in bytes from the start of the file. */
    long offset();

    /**
     * A frame whose length is in range and whose CRC32C matches its payload; the payload is not decoded yet. (Named
     * {@code Frame}, not {@code Record}, which is {@code java.lang.Record}.)
     */
    // The payload is handed straight to the decoder and never compared, hashed or printed as a whole: identity
    // equals/toString do no harm, and copying it for each record on replay would cost a copy per frame.
    @SuppressWarnings("ArrayRecordComponent")
    record Frame(long offset, byte[] payload) implements Scanned {
        /** The offset of the frame after this one. */
        long end() {
            return offset + Frames.HEADER_BYTES + payload.length;
        }
    }

    /**
     * What a write cut short by a crash leaves at the end of a file: nothing valid follows. Only the end of the
     * segment being written can be torn; anywhere else the reader treats this as {@link Damage}.
     */
    record TornTail(long offset, String why) implements Scanned {}

    /** A frame that no crash explains (a flipped bit, an edit): something valid follows it, or it is not a tail. */
    record Damage(long offset, String why) implements Scanned {}
}
