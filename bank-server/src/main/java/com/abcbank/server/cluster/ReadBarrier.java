package com.abcbank.server.cluster;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftPeerId;

/**
 * Linearizable reads on this node, shared: a ReadIndex round (a linearizable read-only request to this node's own
 * Raft server: it learns the leader's commit index, confirmed by a heartbeat round, and waits until it has applied
 * that far) proves that this node's books hold every write acknowledged before the round began.
 *
 * <p>Reads that arrive while a round is out cannot use it (it may have begun before them): they wait for the next
 * one, which starts as soon as the current one ends. So at most two rounds are out at once however many reads
 * arrive, and each read waits at most two rounds. {@link #current} and {@link #next} are guarded by {@code this}.
 */
final class ReadBarrier {
    private final RaftClient client;
    private final RaftPeerId self;
    private CompletableFuture<Void> current;
    private CompletableFuture<Void> next;

    ReadBarrier(RaftClient client, RaftPeerId self) {
        this.client = client;
        this.self = self;
    }

    /**
     * Returns once a round that began after this call succeeded. A round that fails (this node does not know the
     * leader yet: just started, or an election is under way) is followed by another after {@value #RETRY_MS} ms,
     * until {@code timeoutMs} has passed.
     */
    void await(long timeoutMs) throws TimeoutException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true) {
            CompletableFuture<Void> round = join();
            long leftNanos = deadline - System.nanoTime();
            try {
                round.get(Math.max(0, leftNanos), TimeUnit.NANOSECONDS);
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TimeoutException("interrupted waiting for a read index");
            } catch (ExecutionException e) {
                if (deadline - System.nanoTime() <= TimeUnit.MILLISECONDS.toNanos(RETRY_MS)) {
                    TimeoutException timeout = new TimeoutException("no read index: " + e.getCause());
                    timeout.initCause(e.getCause());
                    throw timeout;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(RETRY_MS)); // a pause before asking again
            }
        }
    }

    /** How long a read waits after a failed round before it asks for another. */
    static final long RETRY_MS = 100;

    /** The round this read may use: the next one to start. */
    private synchronized CompletableFuture<Void> join() {
        if (next == null) {
            next = new CompletableFuture<>();
        }
        CompletableFuture<Void> mine = next;
        if (current == null) {
            launch();
        }
        return mine;
    }

    /** Starts {@link #next} as the current round; called holding the lock. */
    private void launch() {
        CompletableFuture<Void> round = next;
        next = null;
        current = round;
        CompletableFuture<RaftClientReply> sent;
        try {
            sent = client.async().sendReadOnlyUnordered(Message.valueOf(BankStateMachine.BARRIER), self);
        } catch (RuntimeException e) {
            current = null;
            round.completeExceptionally(e);
            return;
        }
        var unused = sent.whenComplete((reply, error) -> {
            if (error != null) {
                round.completeExceptionally(error);
            } else if (!reply.isSuccess()) {
                round.completeExceptionally(reply.getException());
            } else {
                round.complete(null);
            }
            synchronized (this) {
                current = null;
                if (next != null) {
                    launch();
                }
            }
        });
    }
}
