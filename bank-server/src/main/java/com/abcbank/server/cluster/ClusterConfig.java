package com.abcbank.server.cluster;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A node's place in a replicated bank: who it is, who its peers are, and the Raft timings.
 *
 * <p>The timings are for a loaded machine, not Ratis's defaults (election after 150 to 300 ms without a heartbeat):
 * three JVMs on two cores, each collecting garbage and fsyncing, miss heartbeats for that long often enough to hold
 * needless elections, and every election stops writes. Apache Ozone raised theirs to seconds for the same reason. A
 * leader's death costs at most {@link #electionMaxMs} to notice, plus an election: well under the 3 s the bank aims
 * for.
 *
 * @param nodeId          this node's id, one of {@code peers}
 * @param peers           every node of the cluster, this one included, in a fixed order (the same on every node)
 * @param raftDir         where Ratis keeps its log, its metadata and the bank's snapshots for it
 * @param electionMinMs   a follower waits at least this long without a heartbeat before standing for election
 * @param electionMaxMs   and at most this long (a random time between the two, so that two rarely stand at once)
 * @param requestTimeoutMs how long a node waits for the cluster to take a request before answering
 *                        {@code CLUSTER_UNAVAILABLE}
 * @param snapshotEvery   a snapshot once this many log entries were applied after the last one (Raft purges the log
 *                        up to it, keeping this many entries before it)
 * @param logSegmentBytes the Raft log rolls to a new file past this size; only whole closed files are purged
 */
public record ClusterConfig(
        String nodeId,
        List<Peer> peers,
        Path raftDir,
        int electionMinMs,
        int electionMaxMs,
        int requestTimeoutMs,
        long snapshotEvery,
        long logSegmentBytes) {
    public static final int DEFAULT_ELECTION_MIN_MS = 1_000;
    public static final int DEFAULT_ELECTION_MAX_MS = 2_000;
    public static final int DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
    public static final long DEFAULT_SNAPSHOT_EVERY = 20_000;
    public static final long DEFAULT_LOG_SEGMENT_BYTES = 32L << 20;

    private static final Pattern ID = Pattern.compile("[A-Za-z][A-Za-z0-9_-]{0,31}");
    private static final Pattern PEER = Pattern.compile("([^=]+)=(\\[[^\\]]+\\]|[^:]+):(\\d{1,5})");

    /** One node: its id and the address its Raft server listens on. */
    public record Peer(String id, String host, int raftPort) {
        public Peer {
            if (!ID.matcher(id).matches()) {
                throw new IllegalArgumentException(
                        "a node id is a letter then up to 31 letters, digits, '_' or '-', not '" + id + "'");
            }
            if (raftPort < 1 || raftPort > 65_535) {
                throw new IllegalArgumentException("node " + id + ": a Raft port is 1 to 65535, not " + raftPort);
            }
        }

        /** {@code host:port} ({@code [v6]:port}), as Ratis takes it. */
        public String address() {
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + raftPort;
        }
    }

    public ClusterConfig {
        peers = List.copyOf(peers);
        Set<String> ids = new HashSet<>();
        for (Peer peer : peers) {
            if (!ids.add(peer.id())) {
                throw new IllegalArgumentException("node " + peer.id() + " is named twice in the peers");
            }
        }
        if (!ids.contains(nodeId)) {
            throw new IllegalArgumentException("this node, " + nodeId + ", is not among the peers " + ids);
        }
        if (electionMinMs < 100 || electionMaxMs <= electionMinMs) {
            throw new IllegalArgumentException("the election timeout is a range of at least 100 ms, min below max");
        }
        if (requestTimeoutMs < electionMaxMs) {
            throw new IllegalArgumentException("the request timeout must outlast an election (" + electionMaxMs
                    + " ms), not " + requestTimeoutMs + " ms");
        }
        if (snapshotEvery < 1) {
            throw new IllegalArgumentException("snapshots come every 1 or more log entries");
        }
        if (logSegmentBytes < 16 * 1024) {
            throw new IllegalArgumentException("a Raft log segment is at least 16 KiB");
        }
    }

    /** A node with the default timings. */
    public static ClusterConfig of(String nodeId, List<Peer> peers, Path raftDir) {
        return new ClusterConfig(
                nodeId,
                peers,
                raftDir,
                DEFAULT_ELECTION_MIN_MS,
                DEFAULT_ELECTION_MAX_MS,
                DEFAULT_REQUEST_TIMEOUT_MS,
                DEFAULT_SNAPSHOT_EVERY,
                DEFAULT_LOG_SEGMENT_BYTES);
    }

    /** This configuration with other snapshot spacing: tests that want the log purged soon. */
    public ClusterConfig withSnapshotEvery(long entries) {
        return new ClusterConfig(
                nodeId, peers, raftDir, electionMinMs, electionMaxMs, requestTimeoutMs, entries, logSegmentBytes);
    }

    /** This configuration with smaller (or larger) Raft log files: tests that want the log purged soon. */
    public ClusterConfig withLogSegmentBytes(long bytes) {
        return new ClusterConfig(
                nodeId, peers, raftDir, electionMinMs, electionMaxMs, requestTimeoutMs, snapshotEvery, bytes);
    }

    /** This configuration with other election timings. */
    public ClusterConfig withElection(int minMs, int maxMs) {
        return new ClusterConfig(
                nodeId,
                peers,
                raftDir,
                minMs,
                maxMs,
                Math.max(requestTimeoutMs, maxMs),
                snapshotEvery,
                logSegmentBytes);
    }

    /** This node's own entry in {@link #peers}. */
    public Peer self() {
        return peers.stream().filter(p -> p.id().equals(nodeId)).findFirst().orElseThrow();
    }

    public Duration requestTimeout() {
        return Duration.ofMillis(requestTimeoutMs);
    }

    /**
     * The peers as {@code --peers} gives them: {@code n1=host:port,n2=host:port,...}, a host being a name, an IPv4
     * address or an IPv6 one in brackets.
     */
    public static List<Peer> parsePeers(String text) {
        List<Peer> peers = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            Matcher m = PEER.matcher(part.strip());
            if (!m.matches()) {
                throw new IllegalArgumentException(
                        "a peer is ID=HOST:RAFT_PORT (n1=127.0.0.1:9871), not '" + part.strip() + "'");
            }
            String host = m.group(2);
            if (host.startsWith("[")) {
                host = host.substring(1, host.length() - 1);
            }
            peers.add(new Peer(m.group(1), host, Integer.parseInt(m.group(3))));
        }
        if (peers.size() < 3) {
            throw new IllegalArgumentException(
                    "a cluster needs at least 3 nodes to survive the loss of one; got " + peers.size());
        }
        return peers;
    }
}
