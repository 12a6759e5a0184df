package com.abcbank.server.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.ratis.protocol.RaftPeerId;
import org.junit.jupiter.api.Test;

/**
 * Which way a batch goes (forwarded to the leader, or this node's own client), and when a failed forward is sent again
 * (unless it timed out).
 */
class LeaderForwardingTest {
    private static final RaftPeerId LEADER = RaftPeerId.valueOf("n1");
    private static final byte[] MESSAGE = "a batch".getBytes(StandardCharsets.UTF_8);
    private static final byte[] FROM_LEADER = "the leader's replies".getBytes(StandardCharsets.UTF_8);
    private static final byte[] FROM_OWN = "own client's replies".getBytes(StandardCharsets.UTF_8);

    /** This node's own client: records what it was sent, answers {@link #FROM_OWN} or fails as told. */
    private static final class Own implements Submitter.Appender {
        final List<byte[]> sent = new ArrayList<>();
        final CompletableFuture<byte[]> answer;
        boolean closed;

        Own(CompletableFuture<byte[]> answer) {
            this.answer = answer;
        }

        @Override
        public CompletableFuture<byte[]> append(byte[] message, boolean idempotent) {
            sent.add(message);
            return answer;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private final List<RaftPeerId> forwardedTo = new ArrayList<>();
    private final LeaderForwarding.Counts counts = new LeaderForwarding.Counts();

    private LeaderForwarding forwarding(RaftPeerId leader, LeaderForwarding.Forward forward, Own own) {
        return new LeaderForwarding(
                () -> leader,
                (to, message) -> {
                    forwardedTo.add(to);
                    assertSame(MESSAGE, message);
                    return forward.to(to, message);
                },
                own,
                counts);
    }

    private static byte[] get(CompletableFuture<byte[]> replies) throws Exception {
        return replies.get(5, TimeUnit.SECONDS);
    }

    @Test
    void aKeyedBatchGoesToTheLeaderAndNotThroughTheOwnClient() throws Exception {
        Own own = new Own(CompletableFuture.completedFuture(FROM_OWN));
        var forwarding = forwarding(LEADER, (to, m) -> CompletableFuture.completedFuture(FROM_LEADER), own);

        assertArrayEquals(FROM_LEADER, get(forwarding.append(MESSAGE, true)));
        assertEquals(List.of(LEADER), forwardedTo);
        assertTrue(own.sent.isEmpty());
        assertEquals(1, counts.forwarded());
        assertEquals(0, counts.fellBack());
    }

    @Test
    void aBatchThatMayNotBeSentTwiceIsNeverForwarded() throws Exception {
        Own own = new Own(CompletableFuture.completedFuture(FROM_OWN));
        var forwarding = forwarding(LEADER, (to, m) -> CompletableFuture.completedFuture(FROM_LEADER), own);

        assertArrayEquals(FROM_OWN, get(forwarding.append(MESSAGE, false)));
        assertTrue(forwardedTo.isEmpty(), "a forward that fails after the leader took it would be sent again");
        assertEquals(1, own.sent.size());
    }

    @Test
    void withoutAnotherLeaderTheBatchTakesTheOwnClient() throws Exception {
        Own own = new Own(CompletableFuture.completedFuture(FROM_OWN));
        var forwarding = forwarding(null, (to, m) -> CompletableFuture.completedFuture(FROM_LEADER), own);

        assertArrayEquals(FROM_OWN, get(forwarding.append(MESSAGE, true)));
        assertTrue(forwardedTo.isEmpty());
        assertEquals(0, counts.forwarded());
    }

    @Test
    void aFailedForwardSendsTheSameBatchThroughTheOwnClient() throws Exception {
        Own own = new Own(CompletableFuture.completedFuture(FROM_OWN));
        var forwarding =
                forwarding(LEADER, (to, m) -> CompletableFuture.failedFuture(new IOException("the leader died")), own);

        assertArrayEquals(FROM_OWN, get(forwarding.append(MESSAGE, true)));
        assertEquals(1, own.sent.size());
        assertSame(MESSAGE, own.sent.get(0));
        assertEquals(0, counts.forwarded());
        assertEquals(1, counts.fellBack());
    }

    /**
     * A forward that timed out (past the commands' own deadline, so they were answered already) is not sent again:
     * a leader that did not answer may still be working on it.
     */
    @Test
    void aForwardThatTimedOutFailsTheBatchAndIsNotSentAgain() {
        TimeoutException late = new TimeoutException("no answer in 11 s");
        Own own = new Own(CompletableFuture.completedFuture(FROM_OWN));
        var forwarding = forwarding(LEADER, (to, m) -> CompletableFuture.failedFuture(late), own);

        ExecutionException failed = assertThrows(ExecutionException.class, () -> get(forwarding.append(MESSAGE, true)));
        assertSame(late, failed.getCause());
        assertTrue(own.sent.isEmpty(), "sent again after a forward that timed out");
        assertEquals(1, counts.lost());
        assertEquals(0, counts.fellBack());
    }

    @Test
    void aForwardThatThrowsFallsBackToo() throws Exception {
        Own own = new Own(CompletableFuture.completedFuture(FROM_OWN));
        var forwarding = forwarding(
                LEADER,
                (to, m) -> {
                    throw new IllegalStateException("client closed");
                },
                own);

        assertArrayEquals(FROM_OWN, get(forwarding.append(MESSAGE, true)));
        assertEquals(1, counts.fellBack());
    }

    @Test
    void whenBothWaysFailTheBatchFailsWithTheOwnClientsError() {
        IOException noMajority = new IOException("no majority");
        Own own = new Own(CompletableFuture.failedFuture(noMajority));
        var forwarding =
                forwarding(LEADER, (to, m) -> CompletableFuture.failedFuture(new IOException("the leader died")), own);

        ExecutionException failed = assertThrows(ExecutionException.class, () -> get(forwarding.append(MESSAGE, true)));
        assertSame(noMajority, failed.getCause());
        forwarding.close();
        assertTrue(own.closed, "closing closes the own client");
    }
}
