package com.abcbank.journal;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads the frames of one file ({@link Frames}: length, CRC32C, payload) in order, from any offset, and says of
 * each what it is ({@link Scanned}). The one place that tells a torn tail from damage; recovery, the archive and
 * the snapshot store all read through it.
 *
 * <h2>Torn tail or damage</h2>
 * A crash can cut the last write short, and nothing is written after it; a flipped bit or an edit leaves valid
 * frames after the bad one. So, for the frame starting at offset {@code s}:
 * <ul>
 *   <li>fewer than {@value Frames#HEADER_BYTES} bytes left: a torn tail (an incomplete header);
 *   <li>a length out of range ({@code <= 0} or over {@link Frames#MAX_PAYLOAD}): a torn tail if every byte from
 *       {@code s} to the end is zero (a zero-filled tail), else damage;
 *   <li>a length that runs past the end: a torn tail if no valid frame (length in range, CRC matching) starts at
 *       any offset after {@code s}, else damage (the length field itself was hit, mid-journal);
 *   <li>a CRC that does not match: a torn tail if only zeros follow the frame (a header that reached the disk
 *       without its payload), else damage.
 * </ul>
 * After a torn tail or damage the scan ends: where the next frame would start is unknown.
 *
 * <h2>Bounded memory</h2>
 * Bytes are read through one window of {@link #WINDOW_BYTES}, enough for the largest frame, whatever the file's
 * size: a page of history read from a 64 MiB segment reads a window, not the segment. The look-ahead of the rules
 * above streams through the same window. The file ends at its size when the scanner was opened, so a segment the
 * writer is still appending to, or a device, ends too.
 *
 * <p>Not thread-safe: one scanner per reader.
 */
final class FrameScanner implements AutoCloseable {
    /** Two of the largest frames: reads are rarely split, and any frame fits. */
    static final int WINDOW_BYTES = 2 * (Frames.HEADER_BYTES + Frames.MAX_PAYLOAD);

    private final Path file;
    private final FileChannel channel;
    private final long end;
    /** Holds bytes {@code [windowStart, windowStart + window.limit())} of the file; read with absolute gets only. */
    private final ByteBuffer window = ByteBuffer.allocate(WINDOW_BYTES);

    private long windowStart;
    private long position;
    private boolean stopped;

    private FrameScanner(Path file, FileChannel channel, long from) throws IOException {
        this.file = file;
        this.channel = channel;
        this.end = channel.size();
        this.position = from;
        this.windowStart = from;
        window.limit(0);
    }

    /** Opens {@code file} for reading frames from byte {@code from}, which must be where a frame starts. */
    static FrameScanner open(Path file, long from) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        try {
            return new FrameScanner(file, channel, from);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** The file's size when it was opened: where the scan ends. */
    long end() {
        return end;
    }

    /**
     * The next frame, or {@code null} at the end of the file. A {@link Scanned.TornTail} or {@link Scanned.Damage}
     * is the last thing returned: after it, {@code null}.
     */
    Scanned next() throws IOException {
        if (stopped || position >= end) {
            return null;
        }
        Scanned scanned = frameAt(position);
        if (scanned instanceof Scanned.Frame record) {
            position = record.end();
        } else {
            stopped = true;
        }
        return scanned;
    }

    /**
     * The next record of a file whose end is known to be whole (an archived segment, a snapshot), or {@code null}
     * at its end.
     *
     * @throws IOException naming the file and byte, for a torn tail or damage
     */
    Scanned.Frame nextRecord() throws IOException {
        Scanned scanned = next();
        if (scanned == null || scanned instanceof Scanned.Frame) {
            return (Scanned.Frame) scanned;
        }
        String why = scanned instanceof Scanned.TornTail torn ? torn.why() : ((Scanned.Damage) scanned).why();
        throw new IOException(file + ": " + why + " at byte " + scanned.offset());
    }

    private Scanned frameAt(long start) throws IOException {
        if (end - start < Frames.HEADER_BYTES) {
            return new Scanned.TornTail(start, "an incomplete frame header");
        }
        int at = load(start, Frames.HEADER_BYTES);
        int length = window.getInt(at);
        int crc = window.getInt(at + 4);
        if (length <= 0 || length > Frames.MAX_PAYLOAD) {
            String why = "a frame length of " + length;
            return zerosFrom(start) ? new Scanned.TornTail(start, why) : new Scanned.Damage(start, why);
        }
        long left = end - start - Frames.HEADER_BYTES;
        if (left < length) {
            String why = "a frame of " + length + " bytes with " + left + " left";
            return validFrameFrom(start + 1) ? new Scanned.Damage(start, why) : new Scanned.TornTail(start, why);
        }
        at = load(start, Frames.HEADER_BYTES + length);
        byte[] payload = new byte[length];
        window.get(at + Frames.HEADER_BYTES, payload);
        if (Frames.crc(payload, 0, length) != crc) {
            long after = start + Frames.HEADER_BYTES + length;
            String why = "a checksum mismatch";
            return zerosFrom(after) ? new Scanned.TornTail(start, why) : new Scanned.Damage(start, why);
        }
        return new Scanned.Frame(start, payload);
    }

    /**
     * Whether a valid frame starts at any offset from {@code from} on. Called only when a frame's length runs past
     * the end, so what is left is shorter than one frame and fits the window.
     */
    private boolean validFrameFrom(long from) throws IOException {
        int rest = (int) (end - from);
        int base = load(from, rest);
        for (int i = 0; i + Frames.HEADER_BYTES < rest; i++) {
            int length = window.getInt(base + i);
            int payloadAt = base + i + Frames.HEADER_BYTES;
            if (length > 0
                    && length <= Frames.MAX_PAYLOAD
                    && i + Frames.HEADER_BYTES + (long) length <= rest
                    && Frames.crc(window.array(), payloadAt, length) == window.getInt(base + i + 4)) {
                return true;
            }
        }
        return false;
    }

    /** Whether every byte from {@code from} to the end is zero, read a window at a time. */
    private boolean zerosFrom(long from) throws IOException {
        for (long at = from; at < end; ) {
            int n = (int) Math.min(WINDOW_BYTES, end - at);
            int base = load(at, n);
            for (int i = 0; i < n; i++) {
                if (window.get(base + i) != 0) {
                    return false;
                }
            }
            at += n;
        }
        return true;
    }

    /**
     * Makes the window hold bytes {@code [at, at + n)} ({@code n <= WINDOW_BYTES}, {@code at + n <= end}) and
     * returns the index of {@code at} in it; refills from {@code at} only when they are not there already.
     */
    private int load(long at, int n) throws IOException {
        if (at < windowStart || at + n > windowStart + window.limit()) {
            window.clear();
            window.limit((int) Math.min(WINDOW_BYTES, end - at));
            while (window.hasRemaining()) {
                if (channel.read(window, at + window.position()) < 0) {
                    throw new EOFException(file + " ended at byte " + (at + window.position())
                            + ", before its size when opened, " + end);
                }
            }
            windowStart = at;
        }
        return (int) (at - windowStart);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
