package com.abcbank.server.cluster;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.TimeoutIOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A follower's way into the log: a batch of commands that may safely be taken twice goes to the leader's own
 * {@link Submitter}, where it joins the leader's next entry, instead of becoming an entry of its own.
 *
 * <p>Why: the cost of a Raft round here is per entry, not per command (a network round to two followers, a forced
 * write on each of three logs, the appenders: some 6 ms of CPU on this machine's two cores). With every node
 * proposing its own entries, three nodes make three times the entries of one, each a third as full; with the
 * followers' batches forwarded, the leader makes one stream of full entries. Measured with 16 connections of one
 * request each, spread over three nodes: 1,300 transfers/s with entries from every node, 1,800 with this, 2,650
 * with all clients at the leader (docs/performance.md).
 *
 * <p>Which batches: only those whose every command may be applied twice with the effect of once, money requests
 * with an idempotency key. Everything else (requests without a key, registrations, password changes) takes only the
 * ordered client, whose retry cache keeps a resend from being appended twice. A batch goes the ordered way too when
 * this node is the leader or knows none.
 *
 * <p><b>When a forward fails</b> (the leader died, stepped down, is stopping or too busy, or no connection could be
 * made), the batch goes through this node's own ordered client, as it did before forwarding existed; the ordered
 * client finds the new leader and retries with its own call ids. A leader that died with a copy either had it
 * committed, so it applies first and the resend answers its outcome, or lost it. A forward that timed out is not
 * sent again: the timeout is past the commands' own deadline, so they were answered {@code CLUSTER_UNAVAILABLE}
 * already, and a leader that does not answer in that time may still be working on it.
 *
 * <p>What this shares with every retry of a keyed request: a request that was refused releases its key, so if an
 * earlier copy were still pending at a leader that lost its place (alive, but deposed or cut off) and were applied
 * after a refused resend, the request answered as refused would still have moved money. The same holds for a
 * client's own retry after {@code CLUSTER_UNAVAILABLE}; docs/architecture.md lists it among what the cluster does
 * not guarantee.
 *
 * <p>Order: the {@link Submitter} has one batch in flight, so a batch is sent, by either way, only once the batch
 * before it was answered, and the commands of a connection still enter the log in the order they were sent.
 */
final class LeaderForwarding implements Submitter.Appender {
    private static final Logger log = LoggerFactory.getLogger(LeaderForwarding.class);

    /** Sends a batch to the leader's submitter; completes with the replies, as {@link Entries#readReplies} reads them. */
    interface Forward {
        CompletableFuture<byte[]> to(RaftPeerId leader, byte[] message);
    }

    private final Supplier<RaftPeerId> leader;
    private final Forward forward;
    private final Submitter.Appender ordered;
    private final Counts counts;

    /** What became of forwards, kept across the appenders a node replaces (one node, one count). */
    static final class Counts {
        private final AtomicLong forwarded = new AtomicLong();
        private final AtomicLong fellBack = new AtomicLong();
        private final AtomicLong lost = new AtomicLong();

        /** Batches the leader answered. */
        long forwarded() {
            return forwarded.get();
        }

        /** Forwards that failed, whose batches then went through this node's own client. */
        long fellBack() {
            return fellBack.get();
        }

        /** Forwards that timed out: their commands were answered unconfirmed, and they were not sent again. */
        long lost() {
            return lost.get();
        }
    }

    /**
     * @param leader  the leader to forward to, or {@code null} when this node is the leader or knows none
     * @param forward how a batch reaches the leader
     * @param ordered this node's own ordered client: for the other batches, and when a forward fails
     * @param counts  where forwards and fallbacks are counted
     */
    LeaderForwarding(Supplier<RaftPeerId> leader, Forward forward, Submitter.Appender ordered, Counts counts) {
        this.leader = leader;
        this.forward = forward;
        this.ordered = ordered;
        this.counts = counts;
    }

    @Override
    public CompletableFuture<byte[]> append(byte[] message, boolean idempotent) {
        RaftPeerId to = idempotent ? leader.get() : null;
        if (to == null) {
            return ordered.append(message, idempotent);
        }
        CompletableFuture<byte[]> sent;
        try {
            sent = forward.to(to, message);
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        return sent.thenApply(replies -> {
                    counts.forwarded.incrementAndGet();
                    return replies;
                })
                .exceptionallyCompose(error -> {
                    if (timedOut(error)) {
                        counts.lost.incrementAndGet();
                        log.warn(
                                "a batch forwarded to {} got no answer in time ({}); its commands were answered"
                                        + " unconfirmed, and it is not sent again",
                                to,
                                String.valueOf(error));
                        return CompletableFuture.failedFuture(error);
                    }
                    counts.fellBack.incrementAndGet();
                    log.info(
                            "a batch forwarded to {} failed ({}): it goes through this node's client",
                            to,
                            String.valueOf(error));
                    return ordered.append(message, idempotent);
                });
    }

    private static boolean timedOut(Throwable error) {
        for (Throwable e = error; e != null; e = e.getCause()) {
            if (e instanceof TimeoutException || e instanceof TimeoutIOException) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        ordered.close();
    }
}
