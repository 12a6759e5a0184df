package com.abcbank.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The bench's read buffer hands on whole lines however the bytes arrive: split, or several in one read. */
class BenchInboxTest {
    /** A channel that returns the given chunks, one per read, then the end of the stream. */
    private static final class Chunks implements ReadableByteChannel {
        private final Deque<byte[]> chunks = new ArrayDeque<>();

        Chunks(String... parts) {
            for (String part : parts) {
                chunks.add(part.getBytes(StandardCharsets.UTF_8));
            }
        }

        @Override
        public int read(ByteBuffer into) {
            if (chunks.isEmpty()) {
                return -1;
            }
            byte[] chunk = chunks.poll();
            int n = Math.min(chunk.length, into.remaining());
            into.put(chunk, 0, n);
            if (n < chunk.length) {
                chunks.push(java.util.Arrays.copyOfRange(chunk, n, chunk.length));
            }
            return n;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {}
    }

    private final List<String> lines = new ArrayList<>();
    private final BenchInbox.Lines collect =
            (bytes, from, to) -> lines.add(new String(bytes, from, to - from, StandardCharsets.UTF_8));

    /** Reads until the end of the stream; the byte counts of the reads. */
    private List<Integer> drain(BenchInbox inbox, ReadableByteChannel channel) throws Exception {
        List<Integer> reads = new ArrayList<>();
        for (int read = inbox.read(channel, collect); read >= 0; read = inbox.read(channel, collect)) {
            reads.add(read);
        }
        return reads;
    }

    @Test
    void severalRepliesInOneReadComeOutInOrder() throws Exception {
        BenchInbox inbox = new BenchInbox(1_024);
        String three = "{\"id\":1}\n{\"id\":2}\r\n{\"id\":3}\n";
        assertEquals(List.of(three.length()), drain(inbox, new Chunks(three)));
        assertEquals(List.of("{\"id\":1}", "{\"id\":2}\r", "{\"id\":3}"), lines);
        assertFalse(inbox.partial());
    }

    @Test
    void aReplySplitAcrossReadsComesOutWhole() throws Exception {
        BenchInbox inbox = new BenchInbox(1_024);
        String text = "{\"id\":1,\"ok\":true,\"result\":{}}\n{\"id\":2,\"ok\":true,\"result\":{}}\n";
        String[] bytes = text.split(""); // one byte per read
        drain(inbox, new Chunks(bytes));
        assertEquals(List.of("{\"id\":1,\"ok\":true,\"result\":{}}", "{\"id\":2,\"ok\":true,\"result\":{}}"), lines);
    }

    @Test
    void theEndOfAReplyAndTheStartOfTheNextInOneRead() throws Exception {
        BenchInbox inbox = new BenchInbox(1_024);
        assertEquals(4, inbox.read(new Chunks("{\"id"), collect));
        assertTrue(inbox.partial(), "a line begun is kept");
        assertTrue(lines.isEmpty());
        Chunks rest = new Chunks("\":1}\n{\"id\":2}\n{\"i", "d\":3}\n");
        inbox.read(rest, collect);
        assertEquals(List.of("{\"id\":1}", "{\"id\":2}"), lines);
        assertTrue(inbox.partial());
        inbox.read(rest, collect);
        assertEquals(List.of("{\"id\":1}", "{\"id\":2}", "{\"id\":3}"), lines);
        assertFalse(inbox.partial());
        assertEquals(-1, inbox.read(rest, collect));
    }

    @Test
    void aLineLongerThanTheBufferIsAProtocolErrorNotGrowth() throws Exception {
        BenchInbox inbox = new BenchInbox(16);
        assertEquals(10, inbox.read(new Chunks("short one\n"), collect));
        BenchReplies.BadReply tooLong =
                assertThrows(BenchReplies.BadReply.class, () -> drain(inbox, new Chunks("x".repeat(40) + "\n")));
        assertTrue(tooLong.getMessage().contains("longer than 16 bytes"), tooLong.getMessage());
        assertEquals(List.of("short one"), lines);
    }
}
