package com.abcbank.server.cluster;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.ratis.protocol.RaftPeerId;
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
 * request each, spread over three nodes: 1,300 transfers/s with entries from every node, 2,650 with all clients at
 * the leader (docs/performance.md).
 *
 * <p>Which batches: only those whose every command may be applied twice with the effect of once, money requests
 * with an idempotency key. A forward can fail after the leader took it (the leader died, the answer was lost, it
 * timed out), and its batch then goes through this node's own ordered client as before: a keyed request that was
 * applied already answers its first outcome and moves nothing. Everything else (requests without a key,
 * registrations, password changes) takes only the ordered client, whose retry cache keeps a resend from being
 * appended twice. A batch goes the ordered way too when this node is the leader or knows none.
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

        /** Batches the leader answered. */
        long forwarded() {
            return forwarded.get();
        }

        /** Forwards that failed, whose batches then went through this node's own client. */
        long fellBack() {
            return fellBack.get();
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
                    counts.fellBack.incrementAndGet();
                    log.debug("forwarding a batch to {} failed ({}); it goes through this node's client", to, error);
                    return ordered.append(message, idempotent);
                });
    }

    @Override
    public void close() {
        ordered.close();
    }
}
