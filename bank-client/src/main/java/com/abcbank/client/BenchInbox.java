package com.abcbank.client;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

/**
 * One bench connection's read buffer: reads what the channel has, hands every complete line to a callback, in
 * order, straight from the buffer, and keeps the start of an unfinished line for the next read. A reply may thus
 * arrive split over any number of reads, and one read may carry many replies.
 *
 * <p>Bounded: a line that does not fit in the buffer ({@code capacity} bytes) is a protocol error, not a reason to
 * grow; the bench's replies are a few dozen bytes. Not thread-safe: one per connection, on its loop's thread.
 */
final class BenchInbox {
    /** Receives each complete line, without its newline, as {@code bytes[from, to)}, valid during the call only. */
    interface Lines {
        void line(byte[] bytes, int from, int to) throws BenchReplies.BadReply;
    }

    /** Holds, between reads, the bytes of a line not yet ended, from index 0. */
    private final ByteBuffer buffer;

    BenchInbox(int capacity) {
        this.buffer = ByteBuffer.allocate(capacity);
    }

    /**
     * Reads once from {@code channel} (non-blocking: perhaps nothing) and hands on every line it completes.
     *
     * @return the bytes read, 0 if none were waiting, -1 at the end of the stream
     */
    int read(ReadableByteChannel channel, Lines lines) throws IOException, BenchReplies.BadReply {
        int read = channel.read(buffer);
        if (read <= 0) {
            return read;
        }
        byte[] bytes = buffer.array();
        int end = buffer.position();
        int start = 0;
        for (int i = end - read; i < end; i++) { // bytes before end - read were scanned by earlier reads
            if (bytes[i] == '\n') {
                lines.line(bytes, start, i);
                start = i + 1;
            }
        }
        if (start > 0) {
            System.arraycopy(bytes, start, bytes, 0, end - start);
            buffer.position(end - start);
        }
        if (!buffer.hasRemaining()) {
            throw new BenchReplies.BadReply("a reply line longer than " + buffer.capacity() + " bytes");
        }
        return read;
    }

    /** Whether part of a line is waiting for the rest. */
    boolean partial() {
        return buffer.position() > 0;
    }
}
