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
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit for the cluster: the commands of all this node's connections go out in batches, one log entry per
 * batch, so that one Raft round (a network round to the followers and a forced write on each) carries as many
 * requests as arrived while the rounds before it were under way.
 *
 * <p>One thread ({@code raft-submit}) takes the first command waiting, waits for one of {@value #IN_FLIGHT} places
 * for entries in flight, then takes everything else waiting (up to {@value #MAX_BATCH}) and sends the batch with the
 * Ratis client's ordered asynchronous API: entries from this node enter the log in the order they were sent. A
 * batch's replies complete each command's future in turn. Every future also completes by itself with
 * {@code CLUSTER_UNAVAILABLE} after the request timeout: the command may still be applied later, which is why
 * money requests carry idempotency keys and clients retry with the same key.
 *
 * <p>Bounds: at most {@value #MAX_QUEUED} commands wait (a connection thread waits for its own, and connections are
 * bounded, so this is only a guard), at most {@value #IN_FLIGHT} entries of at most {@value #MAX_BATCH} commands are
 * in flight.
 */
final class Submitter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Submitter.class);
    static final int MAX_BATCH = 512;
    static final int IN_FLIGHT = 4;
    static final int MAX_QUEUED = 65_536;

    private record Pending(Command command, CompletableFuture<Reply> reply) {}

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
        reply.completeOnTimeout(
                failure(
                        ErrorCode.CLUSTER_UNAVAILABLE,
                        "the cluster did not confirm this within " + timeoutMs + " ms (no leader, or no majority"
                                + " reachable); it may or may not have happened: retry with the same key"),
                timeoutMs,
                TimeUnit.MILLISECONDS);
        if (closed || !queue.offer(new Pending(command, reply))) {
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
                batch.add(queue.take());
                places.acquire();
                queue.drainTo(batch, MAX_BATCH - batch.size()); // what came while the entries in flight were out
                send(List.copyOf(batch));
                batch.clear();
            }
        } catch (InterruptedException e) {
            // closing
        } finally {
            batch.forEach(p -> p.reply().complete(failure(ErrorCode.SHUTTING_DOWN, "this node is shutting down")));
        }
    }

    private void send(List<Pending> batch) {
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
        var unused = sent.whenComplete((reply, error) -> {
            places.release();
            if (error != null) {
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
