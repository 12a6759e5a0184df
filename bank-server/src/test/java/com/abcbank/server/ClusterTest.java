package com.abcbank.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abcbank.ledger.ErrorCode;
import com.abcbank.protocol.Reply;
import com.abcbank.protocol.Request;
import com.abcbank.protocol.Result;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three nodes in one JVM under keyed transfers from 8 threads; the leader is stopped mid-load. Every thread retries a
 * request that was not answered, or answered {@code CLUSTER_UNAVAILABLE}, on another node with the same key, until
 * it is acknowledged. Then: every acknowledged transfer is in the books exactly once (the balances equal a replay of
 * the acknowledged transfers, and the journal holds exactly as many transactions), the books sum to 0, every
 * surviving node holds the same books and chain head, and the stopped node, started again, catches up to the same.
 */
class ClusterTest {
    private static final int THREADS = 8;
    private static final int TRANSFERS_PER_THREAD = 40;
    private static final int ACCOUNTS = 8;
    private static final long OPENING_CENTS = 1_000_000;

    private record Acked(String from, String to, long amountCents, long tx) {}

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void survivesTheLeadersLossWithNothingAcknowledgedLostOrDoubled(@TempDir Path dir) throws Exception {
        try (TestCluster cluster = TestCluster.start(dir, 3)) {
            String auditPassword = cluster.auditPassword();
            List<String> accounts = new ArrayList<>();
            try (TestClient alice = TestClient.connect(cluster.port(0))) {
                alice.register("Alice", TestServer.PASSWORD);
                for (int a = 0; a < ACCOUNTS; a++) {
                    String number = "20" + (10 + a);
                    alice.ok(new Request.CreateAccount(number, OPENING_CENTS, "open-" + number), Result.Tx.class);
                    accounts.add(number);
                }
            }
            List<Acked> acked = java.util.Collections.synchronizedList(new ArrayList<>());
            CountDownLatch halfway = new CountDownLatch(THREADS * TRANSFERS_PER_THREAD / 3);
            AtomicInteger retries = new AtomicInteger();
            List<CompletableFuture<Void>> workers = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                workers.add(TestServer.inBackground("transfers-" + t, () -> {
                    try (Sender sender = new Sender(cluster, thread, retries)) {
                        for (int i = 0; i < TRANSFERS_PER_THREAD; i++) {
                            String from = accounts.get((thread + i) % ACCOUNTS);
                            String to = accounts.get((thread + 2 * i + 1) % ACCOUNTS);
                            if (from.equals(to)) {
                                to = accounts.get((thread + 2 * i + 2) % ACCOUNTS);
                            }
                            long amount = 1 + (thread * 31L + i * 7L) % 500;
                            Request.Transfer transfer = new Request.Transfer(from, to, amount, "t" + thread + "-" + i);
                            Result.Tx tx = sender.send(transfer);
                            acked.add(new Acked(from, to, amount, tx.tx()));
                            halfway.countDown();
                        }
                    }
                    return null;
                }));
            }
            assertTrue(halfway.await(90, TimeUnit.SECONDS), "a third of the transfers were acknowledged");
            int leader = cluster.awaitLeader(Duration.ofSeconds(30));
            cluster.stopNode(leader);
            for (CompletableFuture<Void> worker : workers) {
                worker.get(150, TimeUnit.SECONDS);
            }

            assertEquals(THREADS * TRANSFERS_PER_THREAD, acked.size());
            Set<Long> txs = new HashSet<>();
            acked.forEach(a -> assertTrue(txs.add(a.tx()), "two acknowledged transfers share transaction " + a.tx()));
            Map<String, Long> expected = replay(accounts, acked);
            long lastSeq = (long) ACCOUNTS + acked.size(); // the openings, then each transfer exactly once

            List<String> heads = new ArrayList<>();
            for (int node = 0; node < cluster.size(); node++) {
                if (cluster.running(node)) {
                    heads.add(checkNode(cluster, node, auditPassword, accounts, expected, lastSeq));
                }
            }
            assertEquals(1, new HashSet<>(heads).size(), "the survivors' chain heads: " + heads);

            cluster.startNode(leader); // the stopped node comes back and catches up from the log
            cluster.awaitReady(leader);
            Awaitility.await()
                    .atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> cluster.server(leader).node().appliedIndex()
                            >= cluster.server(cluster.awaitLeader(Duration.ofSeconds(30)))
                                    .node()
                                    .appliedIndex());
            String rejoined = checkNode(cluster, leader, auditPassword, accounts, expected, lastSeq);
            assertEquals(heads.get(0), rejoined, "the restarted node's chain head");
            long forwarded = 0;
            long fellBack = 0;
            long lost = 0;
            for (int node = 0; node < cluster.size(); node++) {
                forwarded += cluster.server(node).node().forwarded();
                fellBack += cluster.server(node).node().forwardsFellBack();
                lost += cluster.server(node).node().forwardsLost();
            }
            System.out.printf(
                    "cluster test: %d transfers acknowledged, %d retried on another node after the leader (n%d)"
                            + " stopped; followers forwarded %d batches to the leader, %d sent again their own way,"
                            + " %d answered unconfirmed%n",
                    acked.size(), retries.get(), leader + 1, forwarded, fellBack, lost);
        }
    }

    /**
     * On a follower, a connection that pipelines writes and reads in one go reads its own writes in order (as on a
     * single server), and a customer registered through one node logs in at once on another.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aPipelinedReadOnAFollowerSeesTheWritesBeforeIt(@TempDir Path dir) throws Exception {
        try (TestCluster cluster = TestCluster.start(dir, 3)) {
            int leader = cluster.awaitLeader(Duration.ofSeconds(30));
            int follower = (leader + 1) % 3;
            try (TestClient alice = TestClient.connect(cluster.port(leader))) {
                alice.register("Alice", TestServer.PASSWORD);
                alice.ok(new Request.CreateAccount("3001", 1_000L, "open-3001"), Result.Tx.class);
            }
            try (TestClient alice = TestClient.connect(cluster.port(follower))) {
                alice.login("Alice", TestServer.PASSWORD); // registered through the leader a moment ago
                StringBuilder lines = new StringBuilder();
                for (int i = 1; i <= 5; i++) {
                    lines.append(com.abcbank.protocol.Json.writeRequest(
                                    2L * i, new Request.Deposit("3001", 100L, "pipelined-" + i)))
                            .append('\n');
                    lines.append(com.abcbank.protocol.Json.writeRequest(2L * i + 1, new Request.Balance("3001")))
                            .append('\n');
                }
                alice.write(lines.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                for (int i = 1; i <= 5; i++) {
                    Reply deposit = alice.readReply();
                    assertTrue(deposit.ok(), () -> "deposit: " + deposit.error());
                    Reply balance = alice.readReply();
                    assertTrue(balance.ok(), () -> "balance: " + balance.error());
                    assertEquals(
                            1_000L + 100L * i,
                            balance.resultAs(Result.Account.class).balance(),
                            "the balance read right after deposit " + i + " on the same connection");
                }
            }
            // The keyed deposits joined the leader's entries (LeaderForwarding), and the reads still saw them.
            assertTrue(
                    cluster.server(follower).node().forwarded() >= 1,
                    "the follower forwarded its keyed deposits to the leader");
        }
    }

    /**
     * A node cut off from its majority answers every request it holds {@code CLUSTER_UNAVAILABLE} at its deadline
     * (the entry in flight and the commands queued behind it alike, each by its own timer), and the same keys sent
     * again once the majority is back apply once each: whether an earlier attempt entered the log or not. The
     * cut-off (two rounds of the request timeout) outlasts the node's Raft client's retries, which fails that client
     * for good: the node must take a new one, or it would refuse every write until restarted.
     */
    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void aNodeWithoutItsMajorityAnswersUnavailableInTimeAndTheKeysApplyOnceAfter(@TempDir Path dir) throws Exception {
        try (TestCluster cluster = TestCluster.start(dir, 3)) {
            int leader = cluster.awaitLeader(Duration.ofSeconds(30));
            try (TestClient alice = TestClient.connect(cluster.port(leader))) {
                alice.register("Alice", TestServer.PASSWORD);
                alice.ok(new Request.CreateAccount("3001", 1_000L, "open-3001"), Result.Tx.class);
                for (int i = 1; i <= 2; i++) {
                    cluster.stopNode((leader + i) % 3);
                }
                alice.socket().setSoTimeout(60_000); // the node answers after its request timeout, 10 s
                byte[] deposits = deposits(3);
                long timeoutMs =
                        cluster.server(leader).node().config().requestTimeout().toMillis();
                for (int round = 1; round <= 2; round++) {
                    awaitUnavailable(alice, deposits, timeoutMs);
                }

                for (int i = 1; i <= 2; i++) {
                    cluster.startNode((leader + i) % 3);
                }
                alice.write(deposits); // the same keys
                for (int i = 1; i <= 3; i++) {
                    Reply reply = alice.readReply();
                    assertTrue(reply.ok(), () -> "the deposit sent again: " + reply.error());
                }
                assertEquals(1_300L, alice.balance("3001").balance(), "each key once, whichever attempt applied it");
            }
        }
    }

    /** Sends {@code deposits} and reads each one's {@code CLUSTER_UNAVAILABLE}, due at its own deadline. */
    private static void awaitUnavailable(TestClient alice, byte[] deposits, long timeoutMs) throws IOException {
        long sent = System.nanoTime();
        alice.write(deposits);
        for (int i = 1; i <= 3; i++) {
            Reply reply = alice.readReply();
            long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);
            assertEquals(
                    ErrorCode.CLUSTER_UNAVAILABLE,
                    reply.ok() ? null : reply.error().code(),
                    "deposit " + i + " without a majority");
            String message = reply.error().message();
            assertTrue(message.contains("it may or may not have happened: retry with the same key"), message);
            // Not long after its deadline; not before it, unless the node's Raft client gave up on the entry first
            // (its retries, counted from the first round's batch, can end during the second round).
            assertTrue(
                    waitedMs < timeoutMs + 5_000
                            && (waitedMs >= timeoutMs
                                    ? message.contains("did not confirm this within")
                                    : message.contains("did not take this")),
                    "deposit " + i + " answered " + waitedMs + " ms after sending, with a request timeout of "
                            + timeoutMs + " ms: " + message);
        }
    }

    private static byte[] deposits(int count) {
        StringBuilder lines = new StringBuilder();
        for (int i = 1; i <= count; i++) {
            lines.append(com.abcbank.protocol.Json.writeRequest(i, new Request.Deposit("3001", 100L, "cut-off-" + i)))
                    .append('\n');
        }
        return lines.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The balances after the openings and every acknowledged transfer, once each. */
    private static Map<String, Long> replay(List<String> accounts, List<Acked> acked) {
        Map<String, Long> balances = new HashMap<>();
        accounts.forEach(a -> balances.put(a, OPENING_CENTS));
        for (Acked a : acked) {
            balances.merge(a.from(), -a.amountCents(), Long::sum);
            balances.merge(a.to(), a.amountCents(), Long::sum);
        }
        return balances;
    }

    /**
     * Checks one node's books as its own clients see them (reads are linearizable: they wait for the read index) and
     * its verify; returns its chain head.
     */
    private static String checkNode(
            TestCluster cluster,
            int node,
            String auditPassword,
            List<String> accounts,
            Map<String, Long> expected,
            long lastSeq)
            throws IOException {
        try (TestClient alice = TestClient.connect(cluster.port(node));
                TestClient audit = TestClient.connect(cluster.port(node))) {
            alice.login("Alice", TestServer.PASSWORD);
            for (String account : accounts) {
                assertEquals(
                        expected.get(account).longValue(),
                        alice.balance(account).balance(),
                        "node n" + (node + 1) + ", account " + account);
            }
            audit.login("Audit", auditPassword);
            Result.Report report = audit.report();
            assertEquals(0, report.sum(), "node n" + (node + 1) + ": the books sum to 0");
            assertTrue(report.balanced());
            Result.Verify verify = audit.ok(new Request.Verify(), Result.Verify.class);
            assertTrue(verify.ok(), () -> "node n" + (node + 1) + " verify: " + verify.problems());
            assertEquals(lastSeq, verify.asOf(), "node n" + (node + 1) + ": every transfer once, none lost");
            assertNotNull(verify.head());
            assertNotNull(verify.replicas(), "a cluster's verify compares the replicas");
            Result.Cluster status = audit.ok(new Request.Cluster(), Result.Cluster.class);
            assertEquals(3, status.nodes().size());
            return verify.head();
        }
    }

    /**
     * One worker's connections, one per node, logged in as Alice: sends a request to its node, and on a lost
     * connection or {@code CLUSTER_UNAVAILABLE} / {@code SHUTTING_DOWN}, the same request (same key) to the next node.
     */
    private static final class Sender implements AutoCloseable {
        private final TestCluster cluster;
        private final Map<Integer, TestClient> open = new ConcurrentHashMap<>();
        private final AtomicInteger retries;
        private int node;

        Sender(TestCluster cluster, int thread, AtomicInteger retries) {
            this.cluster = cluster;
            this.node = thread % cluster.size();
            this.retries = retries;
        }

        Result.Tx send(Request request) {
            for (int attempt = 0; attempt < 200; attempt++) {
                if (attempt > 0) {
                    retries.incrementAndGet();
                }
                int target = node;
                try {
                    TestClient client = open.get(target);
                    if (client == null) {
                        if (!cluster.running(target)) {
                            throw new IOException("node n" + (target + 1) + " is down");
                        }
                        client = TestClient.connect(cluster.port(target));
                        client.login("Alice", TestServer.PASSWORD);
                        open.put(target, client);
                    }
                    Reply reply = client.call(request);
                    if (reply.ok()) {
                        return reply.resultAs(Result.Tx.class);
                    }
                    ErrorCode code = reply.error().code();
                    if (code != ErrorCode.CLUSTER_UNAVAILABLE && code != ErrorCode.SHUTTING_DOWN) {
                        throw new IllegalStateException("transfer refused: " + reply.error());
                    }
                } catch (IOException | AssertionError e) {
                    // A lost connection, or a login the node could not answer (TestClient asserts): the next node.
                    TestClient broken = open.remove(target);
                    if (broken != null) {
                        try {
                            broken.close();
                        } catch (IOException ignored) {
                            // already broken
                        }
                    }
                }
                node = (node + 1) % cluster.size();
            }
            throw new AssertionError("no node acknowledged " + request + " in 200 attempts");
        }

        @Override
        public void close() throws IOException {
            for (TestClient client : open.values()) {
                client.close();
            }
        }
    }
}
