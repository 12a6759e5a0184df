package com.abcbank.server.cluster;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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

    void await(long timeoutMs) throws TimeoutException {
        CompletableFuture<Void> round = join();
        try {
            round.get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TimeoutException("interrupted waiting for a read index");
        } catch (ExecutionException e) {
            TimeoutException timeout = new TimeoutException("no read index: " + e.getCause());
            timeout.initCause(e.getCause());
            throw timeout;
        }
    }

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
