package com.abcbank.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abcbank.ledger.ErrorCode;
import com.abcbank.protocol.Reply;
import com.abcbank.protocol.Request;
import com.abcbank.protocol.Result;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 against a cluster of three {@code bank-server} JVMs under keyed transfers with failover, in seeded rounds:
 * the leader (five rounds), a follower, a node in the middle of writing a snapshot, and all three at once. After each
 * round, once the three nodes have applied the same log index, every node must hold exactly the acknowledged
 * transfers: its balances equal a replay of them, its last transaction is the openings plus one per acknowledged
 * transfer (nothing lost, nothing applied twice), its books sum to 0, its verify passes with the three replicas
 * compared and agreeing, and the three chain heads are equal.
 *
 * <p>The base seed is printed; {@code -Dcluster.seed=N} replays its choices (the order of the rounds, when each kill
 * comes, the transfers). Timing is not replayed: the same seed can meet a different interleaving.
 *
 * <p>Failover time, per leader kill: from the kill to the first acknowledgement of a request sent after it. It is
 * printed (with the median), not asserted, except that writes must resume within {@link #RESUME_WITHIN}.
 *
 * <p>Two kinds of unavailability right after a round are waited out (bounded, each occurrence printed), not failed:
 * verify showing a replica unreachable (a 2 s status probe that timed out: nothing compared, nothing wrong) and a
 * node answering {@code CLUSTER_UNAVAILABLE} for a few seconds after a restart (see {@link
 * #checkNodeWhenAvailable}). Books that differ fail at once.
 *
 * <p>When it fails, the nodes' logs are copied to {@code target/cluster-kill-logs/seed-N/} and their tails printed.
 */
class ClusterKillTest {
    private static final int THREADS = 4;
    private static final int ACCOUNTS = 4;
    private static final long OPENING_CENTS = 1_000_000;
    /** Small, so that snapshots come every few seconds under the load and a round can kill a node writing one. */
    private static final long SNAPSHOT_EVERY = 150;

    private static final Duration RESUME_WITHIN = Duration.ofSeconds(30);
    private static final Duration ROUND_STEP = Duration.ofSeconds(60);
    private static final String CUSTOMER = "Alice";

    private enum Kill {
        LEADER,
        FOLLOWER,
        DURING_SNAPSHOT,
        ALL
    }

    @TempDir
    Path dir;

    private ProcessCluster cluster;
    private ClusterLoad load;

    private final List<String> accounts = new ArrayList<>();
    private final List<ClusterLoad.Ack> acknowledged = new ArrayList<>();
    private final List<Long> failoverMs = new ArrayList<>();
    private String auditPassword;

    @AfterEach
    void killEverything() {
        if (load != null) {
            load.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Timeout(value = 360, unit = TimeUnit.SECONDS)
    void killNineLosesNoAcknowledgedTransferAndAppliesNoneTwice() throws Exception {
        long started = System.nanoTime();
        long seed = Long.getLong("cluster.seed", new Random().nextLong());
        System.out.printf("cluster kill test: base seed %d (replay with -Dcluster.seed=%d)%n", seed, seed);
        SplittableRandom seeds = new SplittableRandom(seed);
        List<Kill> rounds = new ArrayList<>(List.of(
                Kill.LEADER,
                Kill.LEADER,
                Kill.LEADER,
                Kill.LEADER,
                Kill.LEADER,
                Kill.FOLLOWER,
                Kill.DURING_SNAPSHOT,
                Kill.ALL));
        Collections.shuffle(rounds, new Random(seeds.nextLong()));

        cluster = ProcessCluster.start(dir, 3, SNAPSHOT_EVERY);
        try {
            auditPassword = cluster.auditPassword();
            openAccounts();
            for (int round = 0; round < rounds.size(); round++) {
                round(round, rounds.get(round), seeds.nextLong());
            }
        } catch (Throwable e) {
            Path saved = Path.of("target", "cluster-kill-logs", "seed-" + seed).toAbsolutePath();
            try {
                cluster.saveLogs(saved);
            } catch (IOException copy) {
                e.addSuppressed(copy);
            }
            System.out.printf(
                    "cluster kill test failed, base seed %d; the nodes' logs are in %s, their tails:%n%s%n",
                    seed, saved, cluster.tails());
            throw e;
        }
        // Every node has been killed and restarted, the auditor still exists once: on one node's disk.
        assertEquals(1, cluster.auditPasswordFiles(), "nodes holding DATA/audit-password");
        List<Long> sorted = failoverMs.stream().sorted().toList();
        System.out.printf(
                "cluster kill test: seed %d, %d rounds, %d transfers acknowledged; leader failover ms %s, median %d;"
                        + " %d s in all%n",
                seed,
                rounds.size(),
                acknowledged.size(),
                failoverMs,
                sorted.get(sorted.size() / 2),
                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
    }

    /** Registers the customer and opens its accounts, through the same failover as the load. */
    private void openAccounts() throws IOException {
        AtomicInteger retries = new AtomicInteger();
        try (ClusterLoad.Sender anonymous = new ClusterLoad.Sender(cluster, null, 0, retries)) {
            Reply registered = anonymous
                    .send(TestClient.registration(CUSTOMER, TestServer.PASSWORD), () -> false)
                    .reply();
            // USER_EXISTS only if an attempt whose answer was lost had registered it already.
            assertTrue(
                    registered.ok() || (retries.get() > 0 && registered.error().code() == ErrorCode.USER_EXISTS),
                    () -> "register: " + registered.error());
        }
        try (ClusterLoad.Sender customer = new ClusterLoad.Sender(cluster, CUSTOMER, 0, retries)) {
            for (int a = 0; a < ACCOUNTS; a++) {
                String number = "30" + (10 + a);
                Reply opened = customer.send(
                                new Request.CreateAccount(number, OPENING_CENTS, "open-" + number), () -> false)
                        .reply();
                assertTrue(opened.ok(), () -> "open " + number + ": " + opened.error());
                accounts.add(number);
            }
        }
    }

    private void round(int round, Kill kill, long roundSeed) throws Exception {
        Random random = new Random(roundSeed);
        int killAfter = 30 + random.nextInt(90); // acknowledgements in this round before the kill
        int whileDown = 20 + random.nextInt(40); // ... and after it, before the victim comes back
        int afterBack = 10 + random.nextInt(20); // ... and after that, before the load stops
        System.out.printf(
                "round %d: kill %s, seed %d (kill after %d acknowledgements, restart after %d more)%n",
                round, kill, roundSeed, killAfter, whileDown);
        long roundStarted = System.nanoTime();
        load = ClusterLoad.start(cluster, "r" + round, roundSeed, THREADS, accounts, CUSTOMER);
        load.awaitAcknowledged(killAfter, ROUND_STEP);

        if (kill == Kill.ALL) {
            killAllAndRestart(round, whileDown);
        } else {
            killOneAndRestart(round, kill, random, whileDown);
        }
        load.awaitAcknowledged(load.acknowledged() + afterBack, ROUND_STEP); // with the victim back in the cluster
        List<ClusterLoad.Ack> roundAcks = load.stop(ROUND_STEP);
        System.out.printf("round %d: %d transfers acknowledged, %d retries%n", round, roundAcks.size(), load.retries());
        load = null;
        acknowledged.addAll(roundAcks);
        checkCluster(round);
        System.out.printf("round %d: checked, %d ms%n", round, millis(System.nanoTime() - roundStarted));
    }

    /** Kills the leader, a follower or a node writing a snapshot; writes must resume without it; then restarts it. */
    private void killOneAndRestart(int round, Kill kill, Random random, int whileDown) throws Exception {
        int leader = leader();
        int victim = switch (kill) {
            case LEADER -> leader;
            case FOLLOWER -> (leader + 1 + random.nextInt(2)) % 3;
            default -> random.nextInt(3);
        };
        long killedNanos;
        if (kill == Kill.DURING_SNAPSHOT) {
            killedNanos = killDuringSnapshot(round, victim);
        } else {
            killedNanos = System.nanoTime();
            cluster.kill(victim);
        }
        System.out.printf(
                "round %d: killed %s (%s; the leader was %s)%n", round, cluster.id(victim), kill, cluster.id(leader));
        // Writes go on with two of three; a leader's loss costs an election first.
        ClusterLoad.Ack first = load.awaitFirstSentAfter(killedNanos, RESUME_WITHIN);
        long resumedMs = millis(first.ackedNanos() - killedNanos);
        System.out.printf("round %d: writes resumed %d ms after the kill%n", round, resumedMs);
        if (kill == Kill.LEADER) {
            failoverMs.add(resumedMs);
        }
        load.awaitAcknowledged(load.acknowledged() + whileDown, ROUND_STEP);
        restart(List.of(victim));
    }

    /** Kills all three at once, checks that nothing is acknowledged while none runs, restarts all three. */
    private void killAllAndRestart(int round, int whileDown) throws Exception {
        List<Integer> all = List.of(0, 1, 2);
        long killedNanos = System.nanoTime();
        cluster.kill(all);
        long allDeadNanos = System.nanoTime();
        // While none runs, the senders go round the three dead nodes (and back off); once each has been round a few
        // times, still no transfer may have been acknowledged since they all died.
        int retriesAtKill = load.retries();
        Awaitility.await("the senders retrying while no node runs")
                .atMost(RESUME_WITHIN)
                .pollInterval(Duration.ofMillis(10))
                .until(() -> load.retries() >= retriesAtKill + THREADS * 3 * 3);
        assertEquals(
                List.of(), load.acknowledgedBetween(allDeadNanos, System.nanoTime()), "acknowledged while no node ran");
        System.out.printf("round %d: killed all three%n", round);
        restart(all);
        ClusterLoad.Ack first = load.awaitFirstSentAfter(killedNanos, RESUME_WITHIN);
        System.out.printf(
                "round %d: writes resumed %d ms after the kill (restarts included)%n",
                round, millis(first.ackedNanos() - killedNanos));
        load.awaitAcknowledged(load.acknowledged() + whileDown, ROUND_STEP);
    }

    private void restart(List<Integer> nodes) throws IOException {
        long started = System.nanoTime();
        for (int node : nodes) {
            cluster.launch(node);
        }
        for (int node : nodes) {
            cluster.awaitListening(node);
        }
        System.out.printf(
                "restarted %s: listening after %d ms%n",
                nodes.stream().map(cluster::id).toList(), millis(System.nanoTime() - started));
    }

    private static long millis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    /**
     * Kills {@code victim} while it writes a snapshot, or as near as this can get. With {@code --raft-snapshot-every
     * 150} and the load running, Ratis asks each node for a snapshot every 150 log entries; the node writes
     * {@code snapshot-<seq>.snap.tmp}, forces and renames it, then does the same with its {@code raft-<index>.meta}
     * sidecar. A {@link WatchService} on the node's snapshot directory (inotify on Linux) reports the
     * creation of either temporary file, and the node is SIGKILLed at once: usually between the two files' writes or
     * while one is written, at worst just after the sidecar's rename (then the round is a kill right after a
     * snapshot). Polling the directory instead would see the short-lived temporary files far less often. Whether a
     * temporary file was left behind is printed: that is the "killed mid-write" evidence.
     */
    private long killDuringSnapshot(int round, int victim) throws IOException, InterruptedException {
        Path snapshots = cluster.snapshotDir(victim);
        Files.createDirectories(snapshots);
        try (WatchService watcher = FileSystems.getDefault().newWatchService()) {
            snapshots.register(watcher, StandardWatchEventKinds.ENTRY_CREATE);
            long deadline = System.nanoTime() + ROUND_STEP.toNanos();
            while (System.nanoTime() - deadline < 0) {
                WatchKey key = watcher.poll(100, TimeUnit.MILLISECONDS);
                if (key == null) {
                    continue;
                }
                for (WatchEvent<?> event : key.pollEvents()) {
                    if (event.context() instanceof Path created
                            && created.getFileName().toString().endsWith(".tmp")) {
                        long killedNanos = System.nanoTime();
                        cluster.kill(victim);
                        System.out.printf(
                                "round %d: %s killed on the creation of %s; left in its snapshot directory: %s%n",
                                round, cluster.id(victim), created, listing(snapshots));
                        return killedNanos;
                    }
                }
                key.reset();
            }
        } catch (ClosedWatchServiceException e) {
            throw new AssertionError("the snapshot watcher closed", e);
        }
        throw new AssertionError(
                "no snapshot began on " + cluster.id(victim) + " within " + ROUND_STEP + ": " + listing(snapshots));
    }

    private static String listing(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(p -> p.getFileName().toString()).sorted().collect(Collectors.joining(", "));
        }
    }

    /** The node the cluster calls its leader, asked (as the auditor) of any running node until one says. */
    private int leader() {
        String id = Awaitility.await("a leader")
                .atMost(RESUME_WITHIN)
                .pollInterval(Duration.ofMillis(100))
                .ignoreExceptions()
                .until(
                        () -> status().nodes().stream()
                                .filter(n -> n.reachable() && "LEADER".equals(n.role()))
                                .map(Result.Replica::node)
                                .findFirst(),
                        Optional::isPresent)
                .orElseThrow();
        return Integer.parseInt(id.substring(1)) - 1;
    }

    /** {@code cluster} as the auditor, from the first node that answers. */
    private Result.Cluster status() throws IOException {
        IOException last = new IOException("no node is up");
        for (int node = 0; node < cluster.size(); node++) {
            if (cluster.port(node) == 0) {
                continue;
            }
            try (TestClient audit = TestClient.connect(cluster.port(node))) {
                audit.login("Audit", auditPassword);
                return audit.ok(new Request.Cluster(), Result.Cluster.class);
            } catch (IOException e) {
                last = e;
            }
        }
        throw last;
    }

    /**
     * Waits until all three nodes are reachable and have applied the same log index, then checks every node's books
     * against the acknowledged transfers, and their chain heads against each other.
     */
    private void checkCluster(int round) throws IOException {
        Result.Cluster settled;
        try {
            settled = Awaitility.await("the three nodes at one applied index")
                    .atMost(ROUND_STEP)
                    .pollInterval(Duration.ofMillis(200))
                    .ignoreExceptions()
                    .until(
                            this::status,
                            s -> s.nodes().size() == 3
                                    && s.nodes().stream().allMatch(Result.Replica::reachable)
                                    && s.nodes().stream()
                                                    .map(Result.Replica::applied)
                                                    .distinct()
                                                    .count()
                                            == 1);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(
                    "round " + round + ": the nodes did not converge; last status " + statusOrProblem()
                            + "\nwhere each node's apply, log and submit threads are:\n" + stuckThreads(),
                    e);
        }
        System.out.printf(
                "round %d: all at log index %d: %s%n",
                round,
                settled.nodes().get(0).applied(),
                settled.nodes().stream()
                        .map(n -> n.node() + " " + n.role() + " term " + n.term())
                        .collect(Collectors.joining(", ")));

        Map<String, Long> expected = replay();
        long lastSeq = (long) ACCOUNTS + acknowledged.size(); // the openings, then each transfer exactly once
        Set<Long> txs = new HashSet<>();
        for (ClusterLoad.Ack ack : acknowledged) {
            assertTrue(txs.add(ack.tx()), () -> "two acknowledged transfers share transaction " + ack.tx());
        }
        List<String> heads = new ArrayList<>();
        for (int node = 0; node < cluster.size(); node++) {
            heads.add(checkNodeWhenAvailable(round, node, expected, lastSeq));
        }
        assertEquals(1, new HashSet<>(heads).size(), () -> "round " + round + ": the chain heads " + heads);
    }

    /** Each running node's threads that apply, write the log, append to followers and submit, for a failure. */
    private String stuckThreads() {
        StringBuilder text = new StringBuilder();
        for (int node = 0; node < cluster.size(); node++) {
            text.append("===== ")
                    .append(cluster.id(node))
                    .append('\n')
                    .append(cluster.threads(
                            node, "StateMachineUpdater", "RaftLogWorker", "LogAppender", "raft-submit"));
        }
        return text.toString();
    }

    private String statusOrProblem() {
        try {
            return status().toString();
        } catch (IOException | RuntimeException | AssertionError e) {
            return "(cannot ask: " + e + ")";
        }
    }

    /** The balances after the openings and every acknowledged transfer, once each. */
    private Map<String, Long> replay() {
        Map<String, Long> balances = new HashMap<>();
        accounts.forEach(a -> balances.put(a, OPENING_CENTS));
        for (ClusterLoad.Ack ack : acknowledged) {
            balances.merge(ack.from(), -ack.amountCents(), Long::sum);
            balances.merge(ack.to(), ack.amountCents(), Long::sum);
        }
        return balances;
    }

    /**
     * {@link #checkNode}, asked again (for up to {@link #RESUME_WITHIN}) while the node answers {@code
     * CLUSTER_UNAVAILABLE} or not at all: the protocol's "retry, here or elsewhere", and the check must be made
     * here. A node that has applied everything can still say it for a few seconds after a restart: its leader's log
     * appender backs off (Ratis's default {@code raft.server.log.appender.retry.policy}, up to 5 s after 30 failed
     * sends to the dead node) longer than the election timeout, so the node forgets its leader and its reads cannot
     * get a read index. Each repeat is printed. Wrong books fail at once, never repeated.
     */
    private String checkNodeWhenAvailable(int round, int node, Map<String, Long> expected, long lastSeq) {
        return Awaitility.await("round " + round + ", node " + cluster.id(node) + " available to check")
                .atMost(RESUME_WITHIN)
                .pollInterval(Duration.ofMillis(500))
                .ignoreExceptionsMatching(e -> {
                    boolean unavailable = e instanceof java.net.SocketTimeoutException
                            || (e instanceof AssertionError
                                    && String.valueOf(e.getMessage()).contains(ErrorCode.CLUSTER_UNAVAILABLE.name()));
                    if (unavailable) {
                        System.out.printf(
                                "round %d, node %s: unavailable (%s); asking again%n",
                                round, cluster.id(node), e.getMessage());
                    }
                    return unavailable;
                })
                .until(() -> checkNode(round, node, expected, lastSeq), Objects::nonNull);
    }

    /** One node's books as its own clients see them, its report and its verify; returns its chain head. */
    private String checkNode(int round, int node, Map<String, Long> expected, long lastSeq) throws IOException {
        String where = "round " + round + ", node " + cluster.id(node);
        try (TestClient customer = TestClient.connect(cluster.port(node));
                TestClient audit = TestClient.connect(cluster.port(node))) {
            customer.login(CUSTOMER, TestServer.PASSWORD);
            for (String account : accounts) {
                assertEquals(
                        expected.get(account).longValue(),
                        customer.balance(account).balance(),
                        where + ", account " + account + ": the replay of the acknowledged transfers");
            }
            audit.login("Audit", auditPassword);
            Result.Report report = audit.report();
            assertEquals(0, report.sum(), where + ": the books sum to 0");
            assertTrue(report.balanced(), where + ": the books balance");
            Result.Verify verify = verifyComparingAll(audit, where);
            assertTrue(verify.ok(), () -> where + ": verify: " + verify.problems());
            assertEquals(lastSeq, verify.asOf(), where + ": openings + each acknowledged transfer once, none lost");
            assertNotNull(verify.head(), where + ": verify's chain head");
            assertNotNull(verify.replicas(), where + ": a cluster's verify compares the replicas");
            assertEquals(3, verify.replicas().size(), where + ": replicas " + verify.replicas());
            for (Result.Replica replica : verify.replicas()) {
                assertTrue(replica.reachable(), () -> where + ": replica unreachable: " + replica);
                assertNull(replica.problem(), () -> where + ": replica " + replica);
                assertNotNull(replica.head(), () -> where + ": replica " + replica);
            }
            assertEquals(
                    1,
                    verify.replicas().stream()
                            .map(Result.Replica::head)
                            .distinct()
                            .count(),
                    () -> where + ": the replicas' chain heads " + verify.replicas());
            return verify.head();
        }
    }

    /**
     * Verify, asked again (for up to {@link #RESUME_WITHIN}) while it shows a replica unreachable: after a restart a
     * node's status probe to its peers can time out (2 s) although all three answer the cluster's clients, and an
     * unreachable replica is not compared at all. Anything else (a problem, heads that differ) is the answer. Each
     * repeat is printed, so a run shows how often it happens.
     */
    private static Result.Verify verifyComparingAll(TestClient audit, String where) {
        AtomicReference<Result.Verify> last = new AtomicReference<>();
        try {
            Awaitility.await(where + ": verify comparing all three replicas")
                    .atMost(RESUME_WITHIN)
                    .pollInterval(Duration.ofMillis(500))
                    .until(
                            () -> {
                                Result.Verify verify = audit.ok(new Request.Verify(), Result.Verify.class);
                                last.set(verify);
                                if (verify.replicas() != null
                                        && verify.replicas().stream().anyMatch(r -> !r.reachable())) {
                                    System.out.printf(
                                            "%s: verify saw a replica unreachable, asking again: %s%n",
                                            where, verify.replicas());
                                    return false;
                                }
                                return true;
                            },
                            ok -> ok);
        } catch (ConditionTimeoutException e) {
            // Still unreachable: the checks that follow fail on it, with the replicas in the message.
        }
        return last.get();
    }
}
