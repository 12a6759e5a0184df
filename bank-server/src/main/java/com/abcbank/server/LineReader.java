package com.abcbank.server;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads UTF-8 lines of at most {@code maxBytes} bytes, ending in {@code \n} (a {@code \r} before it is dropped).
 * {@link java.io.BufferedReader#readLine()} has no limit, so one endless line would take all memory; this
 * reader stops at the limit instead (Netty's {@code LineBasedFrameDecoder(maxLength)} does the same).
 *
 * <p>The reader owns its buffer: it reads from the socket in blocks, finds each newline by scanning the block,
 * and can say without a system call whether a whole line is already waiting ({@link #hasBufferedLine}), which is
 * how a connection knows it holds a pipelined batch. The buffer grows as a line needs, up to the limit plus its
 * newline, and no further. One thread only.
 */
final class LineReader {
    /** A line longer than the limit. The rest of that line is not read; the connection should close. */
    static final class LineTooLongException extends IOException {
        LineTooLongException(int maxBytes) {
            super("line longer than " + maxBytes + " bytes");
        }
    }

    /** Bytes that are not UTF-8. The line was consumed; the connection can go on. */
    static final class MalformedLineException extends IOException {
        MalformedLineException() {
            super("line is not valid UTF-8");
        }
    }

    /**
     * Asked before every read that may block: sets how long the read may wait (the socket's timeout), or throws once
     * a deadline has passed. {@code midLine}: part of the next line has arrived already.
     */
    @FunctionalInterface
    interface Deadline {
        Deadline NONE = midLine -> {};

        void beforeRead(boolean midLine) throws IOException;
    }

    private static final int BLOCK_BYTES = 16 * 1024;

    private final InputStream in;
    private final int maxBytes;
    private final Deadline deadline;
    private byte[] buffer;
    /** The unread bytes are {@code buffer[start, end)}. */
    private int start;

    private int end;

    LineReader(InputStream in, int maxBytes) {
        this(in, maxBytes, Deadline.NONE);
    }

    LineReader(InputStream in, int maxBytes, Deadline deadline) {
        this.in = in;
        this.maxBytes = maxBytes;
        this.deadline = deadline;
        this.buffer = new byte[Math.min(BLOCK_BYTES, maxBytes + 2)];
    }

    /**
     * The next line's bytes without its terminator, valid UTF-8, or {@code null} at end of stream (a partial last
     * line is dropped: a client that vanishes mid-line sent no request).
     */
    byte[] readLine() throws IOException {
        int scanned = start;
        while (true) {
            int newline = indexOfNewline(scanned);
            if (newline >= 0) {
                return take(newline);
            }
            if (end - start > maxBytes) {
                throw new LineTooLongException(maxBytes);
            }
            scanned = end;
            int moved = makeRoom();
            scanned -= moved;
            deadline.beforeRead(end > start);
            int read = in.read(buffer, end, buffer.length - end);
            if (read < 0) {
                return null;
            }
            end += read;
        }
    }

    /** Whether a whole next line is already in the buffer, so a reply may wait for company. No system call. */
    boolean hasBufferedLine() {
        return indexOfNewline(start) >= 0;
    }

    private int indexOfNewline(int from) {
        for (int i = from; i < end; i++) {
            if (buffer[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    /** Consumes the line ending at {@code newline} and returns it, checked. */
    private byte[] take(int newline) throws IOException {
        int length = newline - start;
        if (length > maxBytes) {
            start = newline + 1;
            throw new LineTooLongException(maxBytes);
        }
        if (length > 0 && buffer[newline - 1] == '\r') {
            length--;
        }
        byte[] line = Arrays.copyOfRange(buffer, start, start + length);
        start = newline + 1;
        if (!isUtf8(line)) {
            throw new MalformedLineException();
        }
        return line;
    }

    /** Moves the unread bytes to the front, or grows the buffer if they fill it; returns how far they moved. */
    private int makeRoom() {
        int moved = start;
        if (start > 0) {
            System.arraycopy(buffer, start, buffer, 0, end - start);
            end -= start;
            start = 0;
        }
        if (end == buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.min(maxBytes + 2, buffer.length * 2));
        }
        return moved;
    }

    private static boolean isUtf8(byte[] line) {
        for (byte b : line) {
            if (b < 0) {
                return decodes(line); // not ASCII: let the JDK's decoder judge
            }
        }
        return true;
    }

    private static boolean decodes(byte[] line) {
        try {
            StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(line));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
