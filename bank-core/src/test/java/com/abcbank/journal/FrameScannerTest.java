package com.abcbank.journal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The frame scanner on its own: whole frames come back from any starting frame, however they fall across its
 * window; each torn-tail rule and its damage twin is told apart; and a file known to be whole reports a bad frame
 * as an error naming the byte. Recovery's use of it is {@link JournalCrashRecoveryTest}'s.
 */
class FrameScannerTest {
    @TempDir
    Path tmp;

    @Test
    void framesOfEverySizeComeBackWholeAcrossWindowsAndFromAnyStart() throws Exception {
        Random random = new Random(8); // seeded: replayable
        List<byte[]> payloads = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            int size = i % 50 == 0 ? Frames.MAX_PAYLOAD : 1 + random.nextInt(4_000);
            byte[] payload = new byte[size];
            random.nextBytes(payload);
            payloads.add(payload);
        }
        Path file = write(framed(payloads));
        assertTrue(Files.size(file) > 4L * FrameScanner.WINDOW_BYTES, "spans many windows: " + Files.size(file));

        List<Scanned.Frame> all = scanAll(file, 0);
        assertEquals(payloads.size(), all.size());
        long offset = 0;
        for (int i = 0; i < all.size(); i++) {
            assertEquals(offset, all.get(i).offset(), "record " + i);
            assertArrayEquals(payloads.get(i), all.get(i).payload(), "record " + i);
            offset = all.get(i).end();
        }
        assertEquals(Files.size(file), offset);

        for (int from : new int[] {1, 49, 50, 51, 399}) {
            List<Scanned.Frame> rest = scanAll(file, all.get(from).offset());
            assertEquals(all.size() - from, rest.size(), "from record " + from);
            assertArrayEquals(payloads.get(from), rest.get(0).payload());
            assertArrayEquals(
                    payloads.get(payloads.size() - 1), rest.get(rest.size() - 1).payload());
        }
    }

    @Test
    void anIncompleteHeaderIsATornTail() throws Exception {
        byte[] whole = framed(threeRecords());
        assertEnds(Arrays.copyOf(whole, whole.length + 5), Scanned.TornTail.class, whole.length);
        assertEnds(Arrays.copyOf(whole, lastStart(whole) + 7), Scanned.TornTail.class, lastStart(whole));
    }

    @Test
    void aLengthOutOfRangeIsATornTailOnlyWhenZerosFollow() throws Exception {
        byte[] whole = framed(threeRecords());
        assertEnds(Arrays.copyOf(whole, whole.length + 4096), Scanned.TornTail.class, whole.length);

        byte[] flipped = whole.clone();
        flipped[lastStart(whole)] ^= (byte) 0x80; // a negative length; the payload after it is not zero
        assertEnds(flipped, Scanned.Damage.class, lastStart(whole));
    }

    @Test
    void aLengthPastTheEndIsATornTailOnlyWhenNoValidFrameFollows() throws Exception {
        byte[] whole = framed(threeRecords());
        int last = lastStart(whole);
        assertEnds(Arrays.copyOf(whole, whole.length - 1), Scanned.TornTail.class, last);

        byte[] longer = whole.clone();
        int second = Frames.HEADER_BYTES + 100;
        ByteBuffer.wrap(longer).putInt(second, whole.length); // runs past the end, over a valid third frame
        assertEnds(longer, Scanned.Damage.class, second);
    }

    @Test
    void aChecksumMismatchIsATornTailOnlyWhenZerosFollow() throws Exception {
        byte[] whole = framed(threeRecords());
        int last = lastStart(whole);
        byte[] unwritten = whole.clone();
        Arrays.fill(unwritten, last + Frames.HEADER_BYTES, unwritten.length, (byte) 0); // the header, not the payload
        assertEnds(unwritten, Scanned.TornTail.class, last);

        byte[] flipped = whole.clone();
        int second = Frames.HEADER_BYTES + 100;
        flipped[second + Frames.HEADER_BYTES + 3] ^= 1;
        assertEnds(flipped, Scanned.Damage.class, second);
    }

    @Test
    void aFileKnownToBeWholeReportsABadFrameAsAnErrorNamingTheByte() throws Exception {
        byte[] whole = framed(threeRecords());
        Path file = write(Arrays.copyOf(whole, whole.length - 1));
        try (FrameScanner scanner = FrameScanner.open(file, 0)) {
            assertEquals(0, scanner.nextRecord().offset());
            assertEquals(Frames.HEADER_BYTES + 100, scanner.nextRecord().offset());
            IOException e = assertThrows(IOException.class, scanner::nextRecord);
            assertTrue(e.getMessage().contains("byte " + lastStart(whole)), e.getMessage());
        }
    }

    // ---------------------------------------------------------------- helpers

    /** Payloads of 100, 200 and 300 bytes, none of them zero. */
    private static List<byte[]> threeRecords() {
        List<byte[]> payloads = new ArrayList<>();
        for (int size = 100; size <= 300; size += 100) {
            byte[] payload = new byte[size];
            Arrays.fill(payload, (byte) size);
            payloads.add(payload);
        }
        return payloads;
    }

    /** Where the third of {@link #threeRecords} starts once framed. */
    private static int lastStart(byte[] threeFramed) {
        int start = 2 * Frames.HEADER_BYTES + 100 + 200;
        assertEquals(threeFramed.length, start + Frames.HEADER_BYTES + 300);
        return start;
    }

    private static byte[] framed(List<byte[]> payloads) {
        return JournalTest.framed(payloads);
    }

    private Path write(byte[] bytes) throws IOException {
        Path file = Files.createTempFile(tmp, "frames", ".bin");
        Files.write(file, bytes);
        return file;
    }

    private static List<Scanned.Frame> scanAll(Path file, long from) throws IOException {
        List<Scanned.Frame> records = new ArrayList<>();
        try (FrameScanner scanner = FrameScanner.open(file, from)) {
            for (Scanned next = scanner.next(); next != null; next = scanner.next()) {
                records.add(assertInstanceOf(Scanned.Frame.class, next));
            }
        }
        return records;
    }

    /** Scanning {@code bytes} gives whole records up to {@code offset}, then {@code kind} there, then the end. */
    private void assertEnds(byte[] bytes, Class<? extends Scanned> kind, long offset) throws IOException {
        try (FrameScanner scanner = FrameScanner.open(write(bytes), 0)) {
            Scanned next = scanner.next();
            while (next instanceof Scanned.Frame record) {
                assertTrue(record.end() <= offset, "a record at " + record.offset() + " runs past " + offset);
                next = scanner.next();
            }
            assertInstanceOf(kind, next);
            assertEquals(offset, next.offset());
            assertNull(scanner.next(), "nothing after a " + kind.getSimpleName());
        }
    }
}
