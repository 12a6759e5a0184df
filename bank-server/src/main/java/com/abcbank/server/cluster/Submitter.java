package com.abcbank.server.cluster;

import com.abcbank.ledger.ErrorCode;
import com.abcbank.ledger.Outcome;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
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
 * commands. It appends the batch through an {@link Appender} (Ratis's ordered asynchronous client: entries from this
 * node enter the log in the order they were sent; on a follower, a batch of keyed money requests joins the leader's
 * entry instead, {@link LeaderForwarding}). A batch's replies complete each command's future in turn.
 *
 * <p>Why so few, so full entries: on this machine's two cores, three nodes spend about 6 ms of CPU on a Raft round
 * (gRPC, the log's writes and forces, the appenders) whatever it carries, against tens of microseconds per command;
 * under load the cores are the limit, so the commands per entry set the throughput. With 64 connections of 16
 * pipelined transfers, four entries in flight did 5,800 transfers/s, one did 8,500, and one with the linger 13,800
 * (some 100 commands an entry instead of 78). A lone client pays at most the gap (1 ms) on top of its Raft round.
 *
 * <p><b>Deadlines.</b> Every command is answered by its own deadline, the request timeout after it was submitted,
 * whatever happens here or in Ratis: {@link #submit} sets a timer on its future ({@link
 * CompletableFuture#completeOnTimeout}) that answers {@code CLUSTER_UNAVAILABLE} (it may or may not have happened,
 * which is why money requests carry idempotency keys and clients retry with the same key). So the callers may wait
 * for the future without a timeout of their own. A command already answered when its batch is formed is left out:
 * it is never sent. The place of an entry in flight is held until its answer or its last command's deadline, so an
 * entry the cluster does not answer holds up the commands behind it only until then.
 *
 * <p><b>A failed appender is replaced.</b> Ratis's ordered client fails every request in its window once one of them
 * fails for good (no more retries, after about the request timeout without a leader) and refuses all later ones
 * ({@code AlreadyClosedException}): without a new one, a node cut off from its majority for long would answer
 * {@code CLUSTER_UNAVAILABLE} to every write until restarted. The callback only marks it; the submitting thread
 * closes it and takes a new one before the next batch, so that clients are opened and closed on one thread only.
 *
 * <p>Bounds: at most {@value #MAX_QUEUED} commands wait (a connection thread waits for its own, and connections are
 * bounded, so this is only a guard), at most {@value #IN_FLIGHT} entry of at most {@value #MAX_BATCH} commands is
 * in flight, one JDK timer per command (cancelled when it is answered).
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

    /**
     * Where batches go: appends one log entry (or joins the leader's, {@link LeaderForwarding}) and completes with the
     * state machine's replies, or exceptionally. {@code idempotent}: every command of the batch may be applied twice
     * with the effect of once, so the batch may be sent again by another way after a failure.
     */
    interface Appender extends AutoCloseable {
        CompletableFuture<byte[]> append(byte[] message, boolean idempotent);

        @Override
        void close();
    }

    /** The answer to what was never sent because this node is stopping. */
    private static final Outcome<?> STOPPING =
            Outcome.fail(ErrorCode.SHUTTING_DOWN, "this node is shutting down; nothing happened");

    private record Pending(Command command, boolean idempotent, CompletableFuture<Outcome<?>> reply, long deadline) {}

    private final Supplier<Appender> appenders;
    private final int timeoutMs;
    /** The answer at a command's deadline: one immutable reply for all, not one built per command. */
    private final Outcome<?> unconfirmed;

    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>(MAX_QUEUED);
    private final Semaphore places = new Semaphore(IN_FLIGHT);
    private final Thread thread;
    /** Replaced by the submitting thread only; read by {@link #ready} and {@link #close} too. */
    private volatile Appender appender;
    /** An appender whose window failed: the submitting thread replaces it before its next batch. */
    private volatile Appender broken;

    private volatile boolean closed;

    Submitter(Supplier<Appender> appenders, int timeoutMs) {
        this.appenders = appenders;
        this.timeoutMs = timeoutMs;
        this.unconfirmed = Outcome.fail(
                ErrorCode.CLUSTER_UNAVAILABLE,
                "the cluster did not confirm this within " + timeoutMs + " ms (no leader, or no majority reachable);"
                        + " it may or may not have happened: retry with the same key");
        this.appender = appenders.get();
        this.thread = new Thread(this::run, "raft-submit");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /**
     * Sends {@code command} in a coming batch. {@code idempotent}: applying it twice has the effect of applying it
     * once (a money request with an idempotency key), so its batch may be forwarded to the leader.
     */
    CompletableFuture<Outcome<?>> submit(Command command, boolean idempotent) {
        CompletableFuture<Outcome<?>> reply = new CompletableFuture<>();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        reply.completeOnTimeout(unconfirmed, timeoutMs, TimeUnit.MILLISECONDS);
        Pending pending = new Pending(command, idempotent, reply, deadline);
        if (closed) {
            reply.complete(STOPPING);
        } else if (!queue.offer(pending)) {
            reply.complete(
                    Outcome.fail(ErrorCode.SERVER_BUSY, "this node has too many requests waiting; nothing happened"));
        } else if (closed && queue.remove(pending)) {
            // close() may have emptied the queue before this offer.
            reply.complete(STOPPING);
        }
        return reply;
    }

    /**
     * Appends an empty batch through the current appender, outside the queue: completes once this node has found
     * the leader and a write from it went through the log.
     */
    CompletableFuture<Void> ready() {
        Appender using = appender;
        return using.append(Entries.message(List.of()), false).handle((replies, error) -> {
            if (error != null) {
                broken = using;
                throw error instanceof CompletionException c ? c : new CompletionException(error);
            }
            return null;
        });
    }

    private void run() {
        List<Pending> batch = new ArrayList<>(MAX_BATCH);
        while (!closed) {
            boolean placed = false;
            try {
                Pending first = queue.take();
                batch.add(first);
                if (first.reply().isDone()) {
                    continue; // answered at its deadline while it waited
                }
                if (!places.tryAcquire(first.deadline() - System.nanoTime(), TimeUnit.NANOSECONDS)) {
                    // The entry in flight is still unanswered: this one was never sent.
                    first.reply().complete(unconfirmed);
                    continue;
                }
                placed = true;
                queue.drainTo(batch, MAX_BATCH - 1); // what came while the entry in flight was out
                linger(batch);
                batch.removeIf(p -> p.reply().isDone()); // past their deadlines: never sent
                if (!batch.isEmpty()) {
                    renewIfBroken();
                    send(List.copyOf(batch));
                    placed = false; // the append's completion gives the place back
                }
            } catch (InterruptedException e) {
                batch.forEach(p -> p.reply().complete(STOPPING));
                break;
            } catch (RuntimeException | Error e) {
                // Nothing a batch holds may stop the thread that sends every batch: its commands fail, the next go.
                log.error("a batch of {} commands could not be sent", batch.size(), e);
                fail(batch, e);
            } finally {
                if (placed) {
                    places.release();
                }
                batch.clear();
            }
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

    private void renewIfBroken() {
        if (broken != appender) {
            return;
        }
        log.info("the Raft client failed its window of requests; writes go on through a new one");
        Appender old = appender;
        appender = appenders.get();
        old.close();
    }

    /** Appends the batch; from here on, only the append's completion (or the batch's last deadline) frees its place. */
    private void send(List<Pending> batch) {
        List<Command> commands = new ArrayList<>(batch.size());
        boolean idempotent = true;
        for (Pending pending : batch) {
            commands.add(pending.command());
            idempotent &= pending.idempotent();
        }
        byte[] message = Entries.message(commands);
        Appender using = appender;
        CompletableFuture<byte[]> appended;
        try {
            appended = using.append(message, idempotent);
        } catch (RuntimeException e) {
            appended = CompletableFuture.failedFuture(e);
        }
        var unusedMark = appended.whenComplete((replies, error) -> {
            if (error != null) {
                broken = using; // its window is failed too: see the class comment
            }
        });
        // A copy: the timeout must not complete the client's own future, which its ordered window still holds. Its
        // commands' own timers answer them by then; this only gives the place back.
        long lastDeadline = batch.get(batch.size() - 1).deadline();
        var unused = appended.copy()
                .orTimeout(Math.max(0, lastDeadline - System.nanoTime()), TimeUnit.NANOSECONDS)
                .whenComplete((replies, error) -> {
                    places.release();
                    Throwable cause =
                            error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                    if (cause instanceof TimeoutException) {
                        batch.forEach(p -> p.reply().complete(unconfirmed));
                    } else if (cause != null) {
                        fail(batch, cause);
                    } else {
                        complete(batch, replies);
                    }
                });
    }

    private static void complete(List<Pending> batch, byte[] data) {
        List<Outcome<?>> replies;
        try {
            replies = Entries.readReplies(data);
        } catch (IOException | RuntimeException e) {
            log.error("unreadable replies from the state machine", e);
            batch.forEach(p -> p.reply().complete(Outcome.fail(ErrorCode.INTERNAL_ERROR, "unreadable replies")));
            return;
        }
        if (replies.size() != batch.size()) {
            log.error("{} replies for {} commands", replies.size(), batch.size());
            batch.forEach(
                    p -> p.reply().complete(Outcome.fail(ErrorCode.INTERNAL_ERROR, "the log entry was not applied")));
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).reply().complete(replies.get(i));
        }
    }

    private static void fail(List<Pending> batch, Throwable error) {
        log.warn("a batch of {} commands did not go through the cluster: {}", batch.size(), String.valueOf(error));
        Outcome<?> failed = Outcome.fail(
                ErrorCode.CLUSTER_UNAVAILABLE,
                "the cluster did not take this (" + error
                        + "); it may or may not have happened: retry with the same key");
        batch.forEach(p -> p.reply().complete(failed));
    }

    /** Answers what waits {@code SHUTTING_DOWN}, and closes the appender; entries in flight fail with it. */
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
            pending.reply().complete(STOPPING);
        }
        appender.close();
    }
}
