package com.abcbank.server;

import com.abcbank.server.cluster.ClusterConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.awaitility.Awaitility;

/**
 * Three (or more) cluster nodes in this JVM, each a whole {@link BankServer} with its own data directory, TCP port
 * and Raft port on 127.0.0.1. Nodes can be stopped ({@link BankServer#close}: the graceful path; the kill -9 path
 * is the process test's) and started again on the same directories and ports.
 */
final class TestCluster implements AutoCloseable {
    /** Elections quick enough for a test, slow enough for three nodes on two busy cores. */
    static final int ELECTION_MIN_MS = 700;

    static final int ELECTION_MAX_MS = 1_400;

    private final Path root;
    private final List<ClusterConfig.Peer> peers;
    private final BankServer[] servers;
    private final int[] ports;
    private final long snapshotEvery;
    private final ByteArrayOutputStream announced = new ByteArrayOutputStream();

    private TestCluster(Path root, List<ClusterConfig.Peer> peers, long snapshotEvery) {
        this.root = root;
        this.peers = peers;
        this.servers = new BankServer[peers.size()];
        this.ports = new int[peers.size()];
        this.snapshotEvery = snapshotEvery;
    }

    static TestCluster start(Path root, int nodes) throws IOException {
        return start(root, nodes, ClusterConfig.DEFAULT_SNAPSHOT_EVERY);
    }

    static TestCluster start(Path root, int nodes, long snapshotEvery) throws IOException {
        List<ClusterConfig.Peer> peers = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            peers.add(new ClusterConfig.Peer("n" + (i + 1), "127.0.0.1", RaftPorts.next()));
        }
        TestCluster cluster = new TestCluster(root, peers, snapshotEvery);
        try {
            for (int i = 0; i < nodes; i++) {
                cluster.startNode(i);
            }
            for (int i = 0; i < nodes; i++) {
                cluster.awaitReady(i);
            }
        } catch (IOException | RuntimeException e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    Path dataDir(int node) {
        return root.resolve(peers.get(node).id());
    }

    /** Starts node {@code node} (again) on its directory, its TCP port (once it had one) and its Raft port. */
    void startNode(int node) throws IOException {
        ServerConfig config = TestServer.config(dataDir(node));
        if (ports[node] != 0) {
            config = new ServerConfig(
                    config.bind(),
                    ports[node],
                    config.dataDir(),
                    config.maxConnections(),
                    config.maxLineBytes(),
                    config.idleTimeoutMs(),
                    config.shutdownGraceMs(),
                    config.pbkdf2Iterations(),
                    config.ledger(),
                    config.durability(),
                    config.batchWindowMs(),
                    config.repairJournal(),
                    config.snapshotEvery(),
                    config.limits(),
                    config.tls(),
                    config.http());
        }
        ClusterConfig cluster = ClusterConfig.of(
                        peers.get(node).id(), peers, dataDir(node).resolve("raft"))
                .withElection(ELECTION_MIN_MS, ELECTION_MAX_MS)
                .withSnapshotEvery(snapshotEvery)
                .withLogSegmentBytes(snapshotEvery < 1_000 ? 16 * 1024 : ClusterConfig.DEFAULT_LOG_SEGMENT_BYTES);
        servers[node] = BankServer.start(
                config, cluster, Clock.systemUTC(), new PrintStream(announced, true, StandardCharsets.UTF_8));
        ports[node] = servers[node].port();
    }

    /** Waits until node {@code node} has put a write through the log (it knows the leader). */
    void awaitReady(int node) {
        try {
            servers[node].node().ready().get(60, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("node n" + (node + 1) + " never got a write through the log", e);
        }
    }

    /** Stops node {@code node} the graceful way (its Raft server closes: the others see it gone). */
    void stopNode(int node) {
        BankServer server = servers[node];
        servers[node] = null;
        if (server != null) {
            server.close();
        }
    }

    boolean running(int node) {
        return servers[node] != null;
    }

    int size() {
        return servers.length;
    }

    int port(int node) {
        return ports[node];
    }

    BankServer server(int node) {
        return servers[node];
    }

    /** The node that is leader now, if a running one says so. */
    Optional<Integer> leader() {
        for (int i = 0; i < servers.length; i++) {
            if (servers[i] != null && servers[i].node().isLeader()) {
                return Optional.of(i);
            }
        }
        return Optional.empty();
    }

    int awaitLeader(Duration within) {
        return Awaitility.await()
                .atMost(within)
                .pollInterval(Duration.ofMillis(50))
                .until(this::leader, Optional::isPresent)
                .orElseThrow();
    }

    /** The auditor's password, from the data directory of the node whose proposal created it (waits for it). */
    String auditPassword() {
        return Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(50))
                .until(this::findAuditPassword, Optional::isPresent)
                .orElseThrow();
    }

    private Optional<String> findAuditPassword() throws IOException {
        for (int i = 0; i < servers.length; i++) {
            Path file = dataDir(i).resolve("audit-password");
            if (Files.exists(file)) {
                String text = Files.readString(file, StandardCharsets.UTF_8).strip();
                if (!text.isEmpty()) {
                    return Optional.of(text);
                }
            }
        }
        return Optional.empty();
    }

    String announced() {
        return announced.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        for (int i = 0; i < servers.length; i++) {
            stopNode(i);
        }
    }
}
