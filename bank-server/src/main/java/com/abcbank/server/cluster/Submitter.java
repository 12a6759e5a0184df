package com.abcbank.server.cluster;

import com.abcbank.ledger.ErrorCode;
import com.abcbank.protocol.Failure;
import com.abcbank.protocol.Reply;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit for the cluster: the commands of all this node's connections go out in batches, one log entry per
 * batch, so that one Raft round (a network round to the followers and a forced write on each) carries as many
 * requests as arrived while the round before it was under way.
 *
 * <p>One thread ({@code raft-submit}) takes the first command waiting, waits until the entry in flight is answered
 * (one at a time: {@value #IN_FLIGHT}), takes everything else waiting, and then lingers: it keeps adding commands as
 * long as they keep coming (no pause of {@link #GAP_NS}), for at most {@link #LINGER_NS} and {@value #MAX_BATCH}
 * commands. It sends the batch with the Ratis client's ordered asynchronous API: entries from this node enter the
 * log in the order they were sent. A batch's replies complete each command's future in turn.
 *
 * <p>Why so few, so full entries: on this machine's two cores, three nodes spend about 6 ms of CPU on a Raft round
 * (gRPC, the log's writes and forces, the appenders) whatever it carries, against tens of microseconds per command;
 * under load the cores are the limit, so the commands per entry set the throughput. With 64 connections of 16
 * pipelined transfers, four entries in flight did 5,800 transfers/s, one did 8,500, and one with the linger 13,800
 * (some 100 commands an entry instead of 78). A lone client pays at most the gap (1 ms) on top of its Raft round.
 *
 * <p>A command waits at most the request timeout: if the entry before it is not answered by then, it fails without
 * being sent; if its own entry is not, the whole batch fails at the deadline of its oldest command, with
 * {@code CLUSTER_UNAVAILABLE}: the entry may still be applied later, which is why money requests carry idempotency
 * keys and clients retry with the same key. One timer per batch, not per command.
 *
 * <p>Bounds: at most {@value #MAX_QUEUED} commands wait (a connection thread waits for its own, and connections are
 * bounded, so this is only a guard), at most {@value #IN_FLIGHT} entry of at most {@value #MAX_BATCH} commands is
 * in flight.
 */
final class Submitter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Submitter.class);
    static final int MAX_BATCH = 512;
    static final int IN_FLIGHT = 1;
    static final int MAX_QUEUED = 65_536;
    /** The longest a batch waits for more commands before it is sent, once a place for it is free. */
    static final long LINGER_NS = TimeUnit.MILLISECONDS.toNanos(20);
    /** A batch is sent as soon as no command came for this long: a lone client waits for no one. */
    static final long GAP_NS = TimeUnit.MILLISECONDS.toNanos(1);

    private record Pending(Command command, CompletableFuture<Reply> reply, long deadline) {}

    private final RaftClient client;
    private final int timeoutMs;
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>(MAX_QUEUED);
    private final Semaphore places = new Semaphore(IN_FLIGHT);
    private final Thread thread;
    private volatile boolean closed;

    Submitter(RaftClient client, int timeoutMs) {
        this.client = client;
        this.timeoutMs = timeoutMs;
        this.thread = new Thread(this::run, "raft-submit");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    CompletableFuture<Reply> submit(Command command) {
        CompletableFuture<Reply> reply = new CompletableFuture<>();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        if (closed || !queue.offer(new Pending(command, reply, deadline))) {
            reply.complete(
                    closed
                            ? failure(ErrorCode.SHUTTING_DOWN, "this node is shutting down; nothing happened")
                            : failure(
                                    ErrorCode.SERVER_BUSY,
                                    "this node has too many requests waiting; nothing happened"));
        }
        return reply;
    }

    private void run() {
        List<Pending> batch = new ArrayList<>(MAX_BATCH);
        try {
            while (!closed) {
                Pending first = queue.take();
                if (!places.tryAcquire(first.deadline() - System.nanoTime(), TimeUnit.NANOSECONDS)) {
                    // The entry in flight is still unanswered: this one was never sent.
                    first.reply().complete(failure(ErrorCode.CLUSTER_UNAVAILABLE, unconfirmed()));
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, MAX_BATCH - 1); // what came while the entry in flight was out
                linger(batch);
                send(List.copyOf(batch), first.deadline());
                batch.clear();
            }
        } catch (InterruptedException e) {
            // closing
        } finally {
            batch.forEach(p -> p.reply().complete(failure(ErrorCode.SHUTTING_DOWN, "this node is shutting down")));
        }
    }

    /**
     * Adds to {@code batch} what arrives while commands keep coming (no gap of {@link #GAP_NS}), for at most
     * {@link #LINGER_NS} and up to {@value #MAX_BATCH} commands.
     */
    private void linger(List<Pending> batch) throws InterruptedException {
        long end = System.nanoTime() + LINGER_NS;
        while (batch.size() < MAX_BATCH) {
            long left = end - System.nanoTime();
            Pending more = left <= 0 ? null : queue.poll(Math.min(GAP_NS, left), TimeUnit.NANOSECONDS);
            if (more == null) {
                return;
            }
            batch.add(more);
            queue.drainTo(batch, MAX_BATCH - batch.size());
        }
    }

    private String unconfirmed() {
        return "the cluster did not confirm this within " + timeoutMs + " ms (no leader, or no majority reachable);"
                + " it may or may not have happened: retry with the same key";
    }

    private void send(List<Pending> batch, long deadline) {
        List<Command> commands = new ArrayList<>(batch.size());
        for (Pending pending : batch) {
            commands.add(pending.command());
        }
        Message message = Message.valueOf(ByteString.copyFrom(Entries.message(commands)));
        CompletableFuture<RaftClientReply> sent;
        try {
            sent = client.async().send(message);
        } catch (RuntimeException e) {
            places.release();
            fail(batch, e);
            return;
        }
        // A copy: the timeout must not complete the client's own future, which its ordered window still holds.
        var unused = sent.copy()
                .orTimeout(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)
                .whenComplete((reply, error) -> {
                    places.release();
                    if (error instanceof TimeoutException) {
                        Reply failed = failure(ErrorCode.CLUSTER_UNAVAILABLE, unconfirmed());
                        batch.forEach(p -> p.reply().complete(failed));
                    } else if (error != null) {
                        fail(batch, error);
                    } else if (!reply.isSuccess()) {
                        fail(batch, reply.getException());
                    } else {
                        complete(batch, reply);
                    }
                });
    }

    private static void complete(List<Pending> batch, RaftClientReply reply) {
        List<Reply> replies;
        try {
            replies = Entries.readReplies(reply.getMessage().getContent().toByteArray());
        } catch (IOException | RuntimeException e) {
            log.error("unreadable replies from the state machine", e);
            batch.forEach(p -> p.reply().complete(failure(ErrorCode.INTERNAL_ERROR, "unreadable replies")));
            return;
        }
        if (replies.size() != batch.size()) {
            log.error("{} replies for {} commands", replies.size(), batch.size());
            batch.forEach(p -> p.reply().complete(failure(ErrorCode.INTERNAL_ERROR, "the log entry was not applied")));
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).reply().complete(replies.get(i));
        }
    }

    private static void fail(List<Pending> batch, Throwable error) {
        log.warn("a batch of {} commands did not go through the cluster: {}", batch.size(), String.valueOf(error));
        Reply failed = failure(
                ErrorCode.CLUSTER_UNAVAILABLE,
                "the cluster did not take this (" + error
                        + "); it may or may not have happened: retry with the same key");
        batch.forEach(p -> p.reply().complete(failed));
    }

    private static Reply failure(ErrorCode code, String message) {
        return Reply.failure(null, new Failure(code, message));
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Pending pending; (pending = queue.poll()) != null; ) {
            pending.reply().complete(failure(ErrorCode.SHUTTING_DOWN, "this node is shutting down; nothing happened"));
        }
    }
}
