package com.abcbank.server;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads UTF-8 lines of at most {@code maxBytes} bytes, ending in {@code \n} (a {@code \r} before it is dropped).
 * {@link java.io.BufferedReader#readLine()} has no limit, so one endless line would take all memory; this
 * reader stops at the limit instead (Netty's {@code LineBasedFrameDecoder(maxLength)} does the same).
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

    private final InputStream in;
    private final int maxBytes;
    private byte[] line = new byte[256];

    LineReader(InputStream in, int maxBytes) {
        this.in = in;
        this.maxBytes = maxBytes;
    }

    /** The next line without its terminator, or {@code null} at end of stream (a partial last line is dropped). */
    String readLine() throws IOException {
        int length = 0;
        while (true) {
            int b = in.read();
            if (b < 0) {
                return null; // a client that vanishes mid-line sent no request
            }
            if (b == '\n') {
                break;
            }
            if (length == maxBytes) {
                throw new LineTooLongException(maxBytes);
            }
            if (length == line.length) {
                line = Arrays.copyOf(line, Math.min(maxBytes, line.length * 2));
            }
            line[length++] = (byte) b;
        }
        if (length > 0 && line[length - 1] == '\r') {
            length--;
        }
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(line, 0, length))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new MalformedLineException();
        }
    }

    /** Whether a whole next request may already be waiting, so a reply can wait in the buffer for company. */
    boolean hasBufferedInput() throws IOException {
        return in.available() > 0;
    }
}
