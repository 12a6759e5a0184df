package com.abcbank.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Lines come whole, however the bytes arrive, and never longer than the limit. */
class LineReaderTest {
    /** Hands out at most {@code chunk} bytes per read, as a socket may. */
    private static InputStream trickling(String text, int chunk) {
        ByteArrayInputStream bytes = new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
        return new InputStream() {
            @Override
            public int read() {
                return bytes.read();
            }

            @Override
            public int read(byte[] b, int off, int len) {
                return bytes.read(b, off, Math.min(len, chunk));
            }
        };
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void linesSplitAcrossReadsComeWholeAndCrLfIsOneTerminator() throws IOException {
        for (int chunk : new int[] {1, 3, 1000}) {
            LineReader in = new LineReader(trickling("{\"op\":\"report\"}\r\nsecond\n\nlast-unterminated", chunk), 64);
            assertArrayEquals(bytes("{\"op\":\"report\"}"), in.readLine());
            assertArrayEquals(bytes("second"), in.readLine());
            assertArrayEquals(bytes(""), in.readLine());
            assertNull(in.readLine(), "a partial last line is no request");
        }
    }

    @Test
    void aBufferedWholeLineIsSeenWithoutReading() throws IOException {
        LineReader in = new LineReader(trickling("a\nb\nc", 1000), 64);
        assertArrayEquals(bytes("a"), in.readLine());
        assertTrue(in.hasBufferedLine());
        assertArrayEquals(bytes("b"), in.readLine());
        assertFalse(in.hasBufferedLine(), "\"c\" has no newline yet");
    }

    @Test
    void aLineOfExactlyTheLimitPassesAndOneMoreByteDoesNot() throws IOException {
        String limit = "x".repeat(40_000);
        LineReader in = new LineReader(trickling(limit + "\n" + limit + "y\n", 7_000), 40_000);
        assertArrayEquals(bytes(limit), in.readLine());
        assertThrows(LineReader.LineTooLongException.class, in::readLine);
        LineReader endless = new LineReader(trickling("z".repeat(100_000), 4096), 40_000);
        assertThrows(LineReader.LineTooLongException.class, endless::readLine);
    }

    @Test
    void bytesThatAreNotUtf8AreRefusedAndTheNextLineIsRead() throws IOException {
        byte[] bad = {'{', (byte) 0xC3, '}', '\n', 'o', 'k', '\n'};
        LineReader in = new LineReader(new ByteArrayInputStream(bad), 64);
        assertThrows(LineReader.MalformedLineException.class, in::readLine);
        assertArrayEquals(bytes("ok"), in.readLine());
        LineReader accented = new LineReader(trickling("caf\u00e9\n", 1), 64);
        assertArrayEquals(bytes("caf\u00e9"), accented.readLine());
    }
}
