package com.abcbank.client;

import com.abcbank.protocol.Json;
import com.abcbank.protocol.Reply;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * One bench connection on an event loop: a closed loop that keeps up to {@code pipeline} requests in flight over a
 * non-blocking {@link SocketChannel}.
 *
 * <p>The loop: whenever the loop's thread visits it ({@link #send}), fill the window (encode requests into the
 * outbox until {@code pipeline} are unanswered or the {@link BenchSchedule} says stop) and write them in one call;
 * when replies arrive ({@link #receive}), handle every complete one, then refill, so a refill goes out in one write.
 * With a pipeline of 1 this is plain request, reply, request. Should the socket not take all of the outbox, the
 * channel asks for OP_WRITE and sends the rest when the loop is told it may; it never blocks.
 *
 * <p>Invariants: {@code answered <= sent <= answered + pipeline}. Replies come in request order, so the send times
 * sit in a ring of {@code pipeline} slots, slot {@code n % pipeline} for request {@code n} (id {@code n + 1}), and a
 * reply's latency runs from its own request's send to the read that brought it. A reply's id must be the oldest
 * unanswered request's (or {@code null} on an error: the server could not read the request's id), else the
 * connection ends with a protocol error. A request counts if it was sent in the measured phase.
 *
 * <p>Threads: its loop's thread only, once the loop runs ({@link BenchLoop#run}); its {@link BenchTally} and
 * {@link BenchReplies} are that loop's, shared by the connections of the loop. Every wait is the loop's: see
 * {@link #expired}.
 */
final class BenchChannel implements BenchInbox.Lines {
    /** The read buffer: far more than any bench reply, a few dozen bytes each. */
    static final int INBOX_BYTES = 32 << 10;

    /** The outbox holds this many requests at most; a deeper pipeline is written in several calls. */
    static final int OUTBOX_REQUESTS = 64;

    private final String peer;
    private final SocketChannel channel;
    private final BenchWorkload workload;
    private final BenchRequests requests;
    private final BenchSchedule schedule;
    private final int pipeline;
    private final BenchTally tally;
    private final BenchReplies replies;
    private final ByteBuffer outbox;
    private final BenchInbox inbox = new BenchInbox(INBOX_BYTES);
    private final long[] sentAtNanos;
    private final boolean[] measured;

    private SelectionKey key;
    private boolean wantsWrite;
    private long sent;
    private long answered;
    private boolean stopped;
    private boolean finished;
    /** When the channel last heard from the server, or began to wait for it: the read timeout counts from here. */
    private long progressNanos;
    /** When the read being handled returned: the arrival time of each reply in it. */
    private long readNanos;

    BenchChannel(
            String peer,
            SocketChannel channel,
            BenchWorkload workload,
            BenchSchedule schedule,
            int pipeline,
            BenchTally tally,
            BenchReplies replies) {
        this.peer = peer;
        this.channel = channel;
        this.workload = workload;
        this.requests = new BenchRequests(workload.keyPrefix());
        this.schedule = schedule;
        this.pipeline = pipeline;
        this.tally = tally;
        this.replies = replies;
        this.outbox = ByteBuffer.allocate(Math.min(pipeline, OUTBOX_REQUESTS) * BenchRequests.MAX_LINE_BYTES);
        this.sentAtNanos = new long[pipeline];
        this.measured = new boolean[pipeline];
    }

    void register(Selector selector) throws IOException {
        key = channel.register(selector, SelectionKey.OP_READ, this);
    }

    /** Fills the window and writes, as much as the socket takes now. */
    void send() throws IOException {
        boolean drained;
        do {
            fill();
            drained = flush();
        } while (drained && !stopped && sent - answered < pipeline);
    }

    private void fill() {
        long now = System.nanoTime();
        while (!stopped && sent - answered < pipeline && outbox.remaining() >= BenchRequests.MAX_LINE_BYTES) {
            BenchSchedule.Ticket ticket = schedule.next();
            if (ticket == BenchSchedule.Ticket.STOP) {
                stopped = true;
                return;
            }
            if (sent == answered) {
                progressNanos = now; // the wait for a reply starts now
            }
            workload.draw();
            requests.encode(sent + 1, workload, outbox);
            int slot = (int) (sent % pipeline);
            sentAtNanos[slot] = now;
            measured[slot] = ticket == BenchSchedule.Ticket.MEASURED;
            sent++;
        }
    }

    /** Writes what the outbox holds; whether it all went. Asks for OP_WRITE exactly while some is left. */
    private boolean flush() throws IOException {
        if (outbox.position() > 0) {
            outbox.flip();
            channel.write(outbox);
            outbox.compact();
        }
        boolean drained = outbox.position() == 0;
        if (drained == wantsWrite) {
            wantsWrite = !drained;
            key.interestOps(drained ? SelectionKey.OP_READ : SelectionKey.OP_READ | SelectionKey.OP_WRITE);
        }
        return drained;
    }

    /** Reads what has arrived and handles every complete reply in it. */
    void receive() throws IOException, BenchReplies.BadReply {
        readNanos = System.nanoTime();
        int read = inbox.read(channel, this);
        if (read < 0) {
            throw new EOFException(peer + " closed the connection"
                    + (inbox.partial() ? " in the middle of a reply" : "") + unanswered());
        }
        if (read > 0) {
            progressNanos = readNanos;
        }
    }

    @Override
    public void line(byte[] bytes, int from, int to) throws BenchReplies.BadReply {
        if (answered == sent) {
            throw new BenchReplies.BadReply("a reply to no request");
        }
        replies.scan(bytes, from, to);
        long due = answered + 1;
        if (replies.id != due && !(replies.id == BenchReplies.NO_ID && !replies.ok)) {
            throw new BenchReplies.BadReply("reply id " + replies.idText() + " where " + due + " was due");
        }
        int slot = (int) (answered % pipeline);
        boolean counted = measured[slot];
        if (counted) {
            tally.record(readNanos - sentAtNanos[slot]);
        }
        if (!replies.ok) {
            tally.error(replies.code, counted, () -> describe(bytes, from, to));
        }
        answered++;
    }

    /** An error reply in words, {@code INTERNAL_ERROR: why}, read in full once for the run's failure message. */
    private static String describe(byte[] bytes, int from, int to) {
        String line = new String(bytes, from, to - from, StandardCharsets.UTF_8);
        try {
            Reply reply = Json.parseReply(line);
            return reply.error() != null ? ClientException.describe(reply.error()) : line;
        } catch (UncheckedIOException e) {
            return line;
        }
    }

    /** Whether this connection has sent all it will and has every reply. */
    boolean done() {
        return stopped && sent == answered;
    }

    /** Whether this connection has waited for the server longer than {@code timeoutNanos} since it last heard. */
    boolean expired(long nowNanos, long timeoutNanos) {
        return !finished && sent > answered && nowNanos - progressNanos > timeoutNanos;
    }

    /** Why a wait ran out, for the run's failure message. */
    String timedOut(long timeoutMs) {
        return "no reply from " + peer + " within " + timeoutMs + " ms" + unanswered();
    }

    /** Why the run's hard deadline ended the connection, for the run's failure message. */
    String halted() {
        return "stopped waiting for " + peer + " at the run's time limit" + unanswered();
    }

    /** Why an I/O failure ended the connection, for the run's failure message. */
    String lost(IOException e) {
        return e instanceof EOFException
                ? e.getMessage()
                : "lost the connection to " + peer + ": " + e.getMessage() + unanswered();
    }

    String protocolError(BenchReplies.BadReply e) {
        return "protocol error from " + peer + ": " + e.getMessage();
    }

    boolean finished() {
        return finished;
    }

    /** Closes the socket; the loop stops visiting. Idempotent. */
    void finish() {
        finished = true;
        try {
            channel.close();
        } catch (IOException ignored) {
            // Best effort: every reply this connection needed is read, or it is failing anyway.
        }
    }

    private String unanswered() {
        long count = sent - answered;
        return count == 0
                ? ""
                : "; " + count + (count == 1 ? " request" : " requests")
                        + " unanswered: may or may not have taken effect";
    }
}
