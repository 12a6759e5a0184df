package com.abcbank.server.cluster;

import com.abcbank.ledger.ErrorCode;
import com.abcbank.ledger.Outcome;
import com.abcbank.protocol.Json;
import com.abcbank.protocol.Result;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node of a replicated bank: its Ratis server (which holds the {@link BankStateMachine}), the Ratis client it
 * sends its clients' writes through ({@link Submitter}) and its linearizable reads ({@link ReadBarrier}).
 *
 * <p>Every node serves clients. A write goes into the log wherever it arrives: the node's client sends it to the
 * leader, which stamps it, replicates it, and answers once a majority has it on disk (Ratis forces its log before
 * it acknowledges) and the leader applied it. A read is answered from this node's own books, after a ReadIndex round
 * proved they hold every entry committed before the read began.
 */
public final class ClusterNode implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ClusterNode.class);
    /** One Raft group for the whole bank; its id is fixed, so every node names the same group without configuration. */
    static final RaftGroupId GROUP_ID =
            RaftGroupId.valueOf(UUID.nameUUIDFromBytes("abc-bank".getBytes(StandardCharsets.US_ASCII)));
    /** The directory Ratis keeps the bank's group in, under the Raft directory. */
    public static String groupDir() {
        return GROUP_ID.getUuid().toString();
    }

    /** How long {@code cluster} waits for a node to say where it is. */
    private static final long STATUS_TIMEOUT_MS = 2_000;
    /** The pause between a write's attempts that failed at once (a dead node, an election under way). */
    private static final int RETRY_MS = 50;
    /** Answers of a leader's submitter that say nothing happened: a forwarded batch with one goes the other way. */
    private static final Set<ErrorCode> NOTHING_HAPPENED = EnumSet.of(ErrorCode.SHUTTING_DOWN, ErrorCode.SERVER_BUSY);

    private final ClusterConfig config;
    private final RaftGroup group;
    private final BankStateMachine stateMachine;
    private final RaftServer server;
    /**
     * Reads and questions to one node (read index, status, chain heads): a client of their own, because an ordered
     * client numbers every request in one sequence, and the leader would wait for numbers sent elsewhere.
     */
    private final RaftClient queries;
    /**
     * Questions to one node each (status, chain heads, transactions for a node installing a snapshot): a client per
     * node, without retries, so that a node that is down fails its own questions at once and holds up no other's (an
     * ordered client sends in one sequence, and a request it cannot deliver would hold back the ones after it).
     */
    private final ConcurrentHashMap<RaftPeerId, RaftClient> perPeer;
    /**
     * Batches forwarded to the leader ({@link LeaderForwarding}): a client per node, as {@link #perPeer}, but apart
     * from it, so that a batch waiting for the leader's entry holds up no question to that node.
     */
    private final ConcurrentHashMap<RaftPeerId, RaftClient> forwarders = new ConcurrentHashMap<>();

    private final LeaderForwarding.Counts forwards = new LeaderForwarding.Counts();

    private final Submitter submitter;
    private final ReadBarrier barrier;
    private volatile boolean closed;

    private ClusterNode(
            ClusterConfig config,
            RaftGroup group,
            BankStateMachine stateMachine,
            RaftServer server,
            RaftClient queries,
            ConcurrentHashMap<RaftPeerId, RaftClient> perPeer) {
        this.config = config;
        this.group = group;
        this.stateMachine = stateMachine;
        this.server = server;
        this.queries = queries;
        this.perPeer = perPeer;
        // Writes: an ordered client (a connection's pipelined requests enter the log in order), to the leader.
        this.submitter = new Submitter(
                () -> new LeaderForwarding(
                        this::forwardTarget, this::forward, appender(newClient(config, group)), forwards),
                config.requestTimeoutMs());
        stateMachine.forwarding(this::takeForwarded);
        this.barrier = new ReadBarrier(queries, RaftPeerId.valueOf(config.nodeId()));
        stateMachine.source(this::fetch);
    }

    /**
     * Starts this node's Raft server on the bank (already opened from its snapshot, if any) and its client. The
     * cluster elects a leader once a majority of nodes runs; until then writes wait (up to the request timeout).
     */
    public static ClusterNode start(ClusterConfig config, ReplicatedBank bank, Clock clock) throws IOException {
        List<RaftPeer> peers = new ArrayList<>();
        for (ClusterConfig.Peer peer : config.peers()) {
            peers.add(RaftPeer.newBuilder()
                    .setId(peer.id())
                    .setAddress(peer.address())
                    .build());
        }
        RaftGroup group = RaftGroup.valueOf(GROUP_ID, peers);
        RaftProperties properties = raftProperties(config);
        BankStateMachine stateMachine =
                new BankStateMachine(bank, clock, config.self().address());
        boolean formatted =
                Files.isDirectory(config.raftDir().resolve(GROUP_ID.getUuid().toString()));
        RaftServer server = RaftServer.newBuilder()
                .setGroup(group)
                .setProperties(properties)
                .setServerId(RaftPeerId.valueOf(config.nodeId()))
                .setStateMachine(stateMachine)
                .setOption(formatted ? RaftStorage.StartupOption.RECOVER : RaftStorage.StartupOption.FORMAT)
                .build();
        server.start();
        RaftClient queries;
        ConcurrentHashMap<RaftPeerId, RaftClient> perPeer = new ConcurrentHashMap<>();
        try {
            queries = newClient(config, group);
            for (RaftPeer peer : peers) {
                perPeer.put(peer.getId(), newPeerClient(group));
            }
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        log.info(
                "cluster node {} started: Raft on {}, peers {}, election timeout {}-{} ms",
                config.nodeId(),
                config.self().address(),
                config.peers().stream().map(p -> p.id() + "=" + p.address()).toList(),
                config.electionMinMs(),
                config.electionMaxMs());
        return new ClusterNode(config, group, stateMachine, server, queries, perPeer);
    }

    private static RaftClient newPeerClient(RaftGroup group) {
        return RaftClient.newBuilder()
                .setProperties(clientProperties())
                .setRaftGroup(group)
                .setRetryPolicy(RetryPolicies.noRetry())
                .build();
    }

    /**
     * Asks {@code peer} a question of {@link BankStateMachine#query} (a stale read: answered from that node's own
     * state, whatever it has applied), failing after {@code timeoutMs}. A question that fails leaves that node's
     * client unusable (Ratis closes its sliding window), so the client is replaced for the next question.
     */
    private CompletableFuture<RaftClientReply> ask(RaftPeerId peer, String question, long timeoutMs) {
        // A client that failed before (the node was down) fails its next question at once: that one is asked again
        // of the new client. A question that timed out is not: the node is slow or gone, and waiting twice helps no
        // one.
        return askOnce(peer, question, timeoutMs).exceptionallyCompose(e -> {
            Throwable why = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            return why instanceof TimeoutException
                    ? CompletableFuture.failedFuture(why)
                    : askOnce(peer, question, timeoutMs);
        });
    }

    private CompletableFuture<RaftClientReply> askOnce(RaftPeerId peer, String question, long timeoutMs) {
        RaftClient asking = perPeer.get(peer);
        CompletableFuture<RaftClientReply> asked;
        try {
            asked = asking.async().sendStaleRead(Message.valueOf(question), 0, peer);
        } catch (RuntimeException e) {
            renew(perPeer, peer, asking, () -> newPeerClient(group));
            return CompletableFuture.failedFuture(e);
        }
        return asked.orTimeout(timeoutMs, TimeUnit.MILLISECONDS).whenComplete((reply, error) -> {
            if (error != null || !reply.isSuccess()) {
                renew(perPeer, peer, asking, () -> newPeerClient(group));
            }
        });
    }

    /**
     * Replaces {@code broken}, the client of {@code clients} for {@code peer}, which failed a request (Ratis then
     * closes its sliding window, and it would fail every later one), unless another thread replaced it already.
     */
    private void renew(
            ConcurrentHashMap<RaftPeerId, RaftClient> clients,
            RaftPeerId peer,
            RaftClient broken,
            Supplier<RaftClient> fresh) {
        if (closed) {
            return;
        }
        RaftClient replacement = fresh.get();
        closeQuietly(clients.replace(peer, broken, replacement) ? broken : replacement);
    }

    private static void closeQuietly(RaftClient client) {
        try {
            client.close();
        } catch (IOException e) {
            log.debug("closing a Raft client: {}", e.toString());
        }
    }

    private static RaftClient newClient(ClusterConfig config, RaftGroup group) {
        return RaftClient.newBuilder()
                .setProperties(clientProperties())
                .setRaftGroup(group)
                // Attempts that fail at once (a dead node, no leader yet) go on for about the request timeout,
                // RETRY_MS apart: long enough for an election, and short enough that a new leader is found soon after
                // it is elected (it counts against the failover). Ones that time out are bounded by the count too.
                .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(
                        Math.max(10, config.requestTimeoutMs() / RETRY_MS),
                        TimeDuration.valueOf(RETRY_MS, TimeUnit.MILLISECONDS)))
                .build();
    }

    /**
     * The Ratis settings of a node (timings, log, snapshots, appenders): public for scripts/RaftFloor.java, which runs
     * Ratis alone with them to measure what Raft costs here before the bank does anything.
     */
    public static RaftProperties raftProperties(ClusterConfig config) {
        RaftProperties properties = new RaftProperties();
        RaftServerConfigKeys.setStorageDir(properties, List.of(config.raftDir().toFile()));
        GrpcConfigKeys.Server.setHost(properties, config.self().host());
        GrpcConfigKeys.Server.setPort(properties, config.self().raftPort());
        RaftServerConfigKeys.Rpc.setTimeoutMin(
                properties, TimeDuration.valueOf(config.electionMinMs(), TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setTimeoutMax(
                properties, TimeDuration.valueOf(config.electionMaxMs(), TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setRequestTimeout(
                properties, TimeDuration.valueOf(Math.max(3_000, config.electionMaxMs()), TimeUnit.MILLISECONDS));
        // Reads on any node, never older than an acknowledged write: ReadIndex (Raft thesis, 6.4).
        RaftServerConfigKeys.Read.setOption(properties, RaftServerConfigKeys.Read.Option.LINEARIZABLE);
        RaftServerConfigKeys.Read.setTimeout(
                properties, TimeDuration.valueOf(config.requestTimeoutMs(), TimeUnit.MILLISECONDS));
        // The leader tries a follower that does not answer again every 500 ms at most, for as long as it takes: Ratis's
        // default backs off to 5 s (longer than an election timeout, so a node restarted after a long outage stands
        // for election in vain and answers nothing until the leader tries it again) and stops after some 40 minutes.
        RaftServerConfigKeys.Log.Appender.setRetryPolicy(properties, "1ms,10, 100ms,100, 500ms,100000000");
        // Heartbeats on the same stream as the entries, in order: with Ratis's separate heartbeat stream, a heartbeat's
        // INCONSISTENCY reply raced with a catching-up follower's entries, and the leader stopped sending it the last
        // entries (ClusterKillTest, seed 5507906297074473123: "received INCONSISTENCY reply with nextIndex 8883"
        // forever, the follower two entries behind).
        GrpcConfigKeys.Server.setHeartbeatChannel(properties, false);
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(properties, true);
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(properties, config.snapshotEvery());
        RaftServerConfigKeys.Log.setSegmentSizeMax(properties, SizeInBytes.valueOf(config.logSegmentBytes()));
        // Log entries kept in memory: Ratis's default is up to 200 MB, which on a small node competes with the books
        // and the keys for the heap (a 256 MB node ran out after some 400,000 transfers). Two segments: the one being
        // written and the one before, for a follower a little behind; a follower further behind is sent entries read
        // back from disk.
        RaftServerConfigKeys.Log.setSegmentCacheNumMax(properties, 2);
        RaftServerConfigKeys.Log.setSegmentCacheSizeMax(
                properties, SizeInBytes.valueOf(Math.min(64L << 20, 2 * config.logSegmentBytes())));
        RaftServerConfigKeys.Log.setPreallocatedSize(
                properties, SizeInBytes.valueOf(Math.min(4L << 20, config.logSegmentBytes())));
        // The log is purged up to the snapshot (less one interval kept for a follower that is only briefly behind):
        // its size stays bounded, and a node that was down longer catches up by installing the snapshot.
        RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(properties, true);
        RaftServerConfigKeys.Log.setPurgePreservationLogNum(properties, config.snapshotEvery());
        RaftServerConfigKeys.Log.setPurgeGap(properties, (int) Math.min(1_024, config.snapshotEvery()));
        return properties;
    }

    /**
     * How long a follower waits for the leader to answer a forwarded batch: past the commands' own deadline, which
     * the leader's submitter answers by (unconfirmed, if nothing else), so that a slow leader is waited for rather
     * than given up on while it may still apply the batch.
     */
    private static long forwardTimeoutMs(ClusterConfig config) {
        return config.requestTimeoutMs() + 1_000L;
    }

    /** A client for forwards to one node: no retries (see {@link LeaderForwarding}), a timeout past the deadline. */
    private static RaftClient newForwardClient(ClusterConfig config, RaftGroup group) {
        RaftProperties properties = clientProperties();
        RaftClientConfigKeys.Rpc.setRequestTimeout(
                properties, TimeDuration.valueOf(forwardTimeoutMs(config), TimeUnit.MILLISECONDS));
        return RaftClient.newBuilder()
                .setProperties(properties)
                .setRaftGroup(group)
                .setRetryPolicy(RetryPolicies.noRetry())
                .build();
    }

    /**
     * The client's attempts time out after 3 s (Ratis's default): a node that is not the leader answers at once with
     * the leader's name, and one that is gone refuses the connection at once, so the timeout only ends attempts that
     * reached a leader too busy to answer; a shorter one would send a loaded leader the same batch again and again
     * (its retry cache, same client and call id, keeps each from being appended twice, but not from being sent).
     */
    private static RaftProperties clientProperties() {
        RaftProperties properties = new RaftProperties();
        RaftClientConfigKeys.Rpc.setRequestTimeout(properties, TimeDuration.valueOf(3, TimeUnit.SECONDS));
        return properties;
    }

    /**
     * Completes once a write from this node has gone through the log: the cluster has a leader and this node's
     * client has found it (an empty batch, which applies as nothing). Until then the first writes may wait for
     * the client to try the peers in turn.
     */
    public CompletableFuture<Void> ready() {
        return submitter.ready();
    }

    /** The leader, when it is another node; {@code null} when this node leads or knows no leader. */
    private RaftPeerId forwardTarget() {
        RaftPeerId leader = stateMachine.leader();
        return leader == null || leader.toString().equals(config.nodeId()) ? null : leader;
    }

    /** Sends a batch to {@code leader}'s {@link #takeForwarded}; a client that failed is replaced for the next. */
    private CompletableFuture<byte[]> forward(RaftPeerId leader, byte[] message) {
        RaftClient using = forwarders.computeIfAbsent(leader, peer -> newForwardClient(config, group));
        CompletableFuture<RaftClientReply> sent;
        try {
            sent = using.async().sendStaleRead(Message.valueOf(ByteString.copyFrom(message)), 0, leader);
        } catch (RuntimeException e) {
            renew(forwarders, leader, using, () -> newForwardClient(config, group));
            return CompletableFuture.failedFuture(e);
        }
        return sent.orTimeout(forwardTimeoutMs(config), TimeUnit.MILLISECONDS).handle((reply, error) -> {
            if (error == null && reply.isSuccess()) {
                byte[] replies = reply.getMessage().getContent().toByteArray();
                Optional<String> why;
                try {
                    why = Entries.whyNotTaken(replies);
                } catch (IOException e) {
                    throw new CompletionException(e);
                }
                if (why.isPresent()) {
                    throw new CompletionException(new IOException("not taken: " + why.get()));
                }
                return replies;
            }
            renew(forwarders, leader, using, () -> newForwardClient(config, group));
            Throwable cause = error == null
                    ? reply.getException()
                    : error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            throw new CompletionException(cause);
        });
    }

    /**
     * On the leader: a follower's batch joins this node's next entry; answered with the replies once applied, or
     * with {@link Entries#notTaken} (and the follower sends the batch through its own client) when this node is not
     * the leader, or when a command was answered that nothing happened here (this node is stopping, or too busy).
     */
    private CompletableFuture<Message> takeForwarded(byte[] message) {
        if (!isLeader()) {
            return notTaken(config.nodeId() + " is not the leader");
        }
        List<Command> commands;
        try {
            commands = Entries.readMessage(message);
        } catch (IOException e) {
            return notTaken("not a batch of commands: " + e.getMessage());
        }
        List<CompletableFuture<Outcome<?>>> replies = new ArrayList<>(commands.size());
        for (Command command : commands) {
            replies.add(submitter.submit(command, true));
        }
        return CompletableFuture.allOf(replies.toArray(CompletableFuture<?>[]::new))
                .thenApply(done -> {
                    List<Outcome<?>> answered = new ArrayList<>(replies.size());
                    for (CompletableFuture<Outcome<?>> reply : replies) {
                        Outcome<?> outcome = reply.join();
                        if (!outcome.isOk() && NOTHING_HAPPENED.contains(outcome.error())) {
                            // This one was never sent, the others were applied: the batch may go again, whole.
                            return Message.valueOf(ByteString.copyFrom(
                                    Entries.notTaken("the leader " + config.nodeId() + ": " + outcome.message())));
                        }
                        answered.add(outcome);
                    }
                    return Message.valueOf(ByteString.copyFrom(Entries.replies(answered)));
                });
    }

    private static CompletableFuture<Message> notTaken(String why) {
        return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(Entries.notTaken(why))));
    }

    /** Appends through {@code client}: a reply that carries an exception completes exceptionally. */
    private static Submitter.Appender appender(RaftClient client) {
        return new Submitter.Appender() {
            @Override
            public CompletableFuture<byte[]> append(byte[] message, boolean idempotent) {
                return client.async()
                        .send(Message.valueOf(ByteString.copyFrom(message)))
                        .thenApply(reply -> {
                            if (!reply.isSuccess()) {
                                throw new CompletionException(reply.getException());
                            }
                            return reply.getMessage().getContent().toByteArray();
                        });
            }

            @Override
            public void close() {
                closeQuietly(client);
            }
        };
    }

    public ClusterConfig config() {
        return config;
    }

    /**
     * Sends {@code command} through the log; completes with its reply once the leader applied it, or with
     * {@code CLUSTER_UNAVAILABLE} after the request timeout (when it may or may not have happened).
     */
    public CompletableFuture<Outcome<?>> submit(Command command) {
        return submitter.submit(command, false);
    }

    /**
     * As {@link #submit}, for a command that may be applied twice with the effect of once (a money request with an
     * idempotency key): on a follower, its batch may be forwarded into the leader's entry ({@link LeaderForwarding}).
     */
    public CompletableFuture<Outcome<?>> submitIdempotent(Command command) {
        return submitter.submit(command, true);
    }

    /** Batches this node forwarded and the leader answered ({@link LeaderForwarding}). */
    public long forwarded() {
        return forwards.forwarded();
    }

    /** Forwards that failed, whose batches then went through this node's own client. */
    public long forwardsFellBack() {
        return forwards.fellBack();
    }

    /** Forwards that timed out: answered unconfirmed, never sent again. */
    public long forwardsLost() {
        return forwards.lost();
    }

    /**
     * Returns once this node has applied every entry committed before the call (ReadIndex): a read of its books
     * after this is linearizable.
     *
     * @throws TimeoutException when the cluster could not confirm it within the request timeout (no leader)
     */
    public void awaitReadable() throws TimeoutException {
        barrier.await(config.requestTimeoutMs());
    }

    /** Every node's place in the log, asked of each (a node that does not answer in 2 s is shown unreachable). */
    public Result.Cluster status() {
        List<CompletableFuture<RaftClientReply>> asked = new ArrayList<>();
        for (RaftPeer peer : group.getPeers()) {
            asked.add(ask(peer.getId(), BankStateMachine.STATUS, STATUS_TIMEOUT_MS));
        }
        List<Result.Replica> nodes = new ArrayList<>();
        int i = 0;
        for (RaftPeer peer : group.getPeers()) {
            nodes.add(replica(peer, asked.get(i++)));
        }
        RaftPeerId leader = stateMachine.leader();
        return new Result.Cluster(config.nodeId(), leader == null ? null : leader.toString(), nodes);
    }

    private static Result.Replica replica(RaftPeer peer, CompletableFuture<RaftClientReply> asked) {
        try {
            RaftClientReply reply = asked.get(2 * STATUS_TIMEOUT_MS + 1_000, TimeUnit.MILLISECONDS);
            if (!reply.isSuccess()) {
                return unreachable(peer, String.valueOf(reply.getException()));
            }
            String json = reply.getMessage().getContent().toString(StandardCharsets.UTF_8);
            return Json.convert(Json.readTree(json), Result.Replica.class);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return unreachable(peer, "interrupted");
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            Throwable why = e instanceof ExecutionException ? e.getCause() : e;
            return unreachable(
                    peer,
                    why instanceof TimeoutException ? "no answer in " + STATUS_TIMEOUT_MS + " ms" : why.toString());
        }
    }

    private static Result.Replica unreachable(RaftPeer peer, String why) {
        return new Result.Replica(peer.getId().toString(), peer.getAddress(), false, "UNKNOWN", 0, 0, 0, null, why);
    }

    /**
     * Every node's chain head at one log index that all reachable nodes have applied (the lowest applied index
     * among them): equal books must show equal heads there. A node that cannot be compared is listed with why.
     */
    public List<Result.Replica> headsAtCommonIndex() {
        List<Result.Replica> nodes = status().nodes();
        long common = nodes.stream()
                .filter(Result.Replica::reachable)
                .mapToLong(Result.Replica::applied)
                .min()
                .orElse(0);
        List<Result.Replica> heads = new ArrayList<>();
        for (Result.Replica node : nodes) {
            if (!node.reachable()) {
                heads.add(node);
                continue;
            }
            heads.add(headAt(node, common));
        }
        return heads;
    }

    private Result.Replica headAt(Result.Replica node, long index) {
        try {
            RaftPeerId peer = RaftPeerId.valueOf(node.node());
            RaftClientReply reply = ask(peer, BankStateMachine.HEAD + index, STATUS_TIMEOUT_MS)
                    .get(2 * STATUS_TIMEOUT_MS + 1_000, TimeUnit.MILLISECONDS);
            String text = reply.isSuccess() ? reply.getMessage().getContent().toString(StandardCharsets.UTF_8) : "";
            Optional<String[]> parts = text.isEmpty() ? Optional.empty() : Optional.of(text.split(" ", 2));
            if (parts.isEmpty()) {
                return comparedAt(
                        node,
                        index,
                        0,
                        null,
                        "no longer remembers its chain head at log index " + index + " (it applied " + HeadRing.SIZE
                                + "+ entries since); ask again");
            }
            return comparedAt(node, index, Long.parseLong(parts.get()[0]), parts.get()[1], null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result.Replica(node.node(), node.address(), false, node.role(), 0, 0, 0, null, "interrupted");
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            return new Result.Replica(node.node(), node.address(), false, node.role(), 0, 0, 0, null, e.toString());
        }
    }

    /**
     * The committed transactions after {@code afterSeq} (up to {@code untilSeq}), from the leader if it is known and
     * has them, else from the other nodes in turn: what a node installing a snapshot fetches.
     */
    private List<com.abcbank.ledger.Transaction> fetch(long afterSeq, long untilSeq) throws IOException {
        List<RaftPeerId> order = new ArrayList<>();
        RaftPeerId leader = stateMachine.leader();
        if (leader != null && !leader.toString().equals(config.nodeId())) {
            order.add(leader);
        }
        for (RaftPeer peer : group.getPeers()) {
            if (!order.contains(peer.getId()) && !peer.getId().toString().equals(config.nodeId())) {
                order.add(peer.getId());
            }
        }
        IOException last = new IOException("no peer to fetch transactions from");
        for (RaftPeerId peer : order) {
            try {
                RaftClientReply reply = ask(
                                peer,
                                BankStateMachine.TRANSACTIONS + afterSeq + " " + untilSeq,
                                config.requestTimeoutMs())
                        .get(2L * config.requestTimeoutMs() + 1_000L, TimeUnit.MILLISECONDS);
                if (!reply.isSuccess()) {
                    last = new IOException("node " + peer + ": " + reply.getException());
                    continue;
                }
                List<com.abcbank.ledger.Transaction> txs =
                        BankStateMachine.decode(reply.getMessage().getContent().toByteArray());
                if (!txs.isEmpty()) {
                    return txs;
                }
                last = new IOException("node " + peer + " has no transactions after " + afterSeq);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted fetching transactions", e);
            } catch (ExecutionException | TimeoutException e) {
                last = new IOException("node " + peer + ": " + e, e);
            }
        }
        throw last;
    }

    /** {@code node} as compared at log index {@code index}: its transaction and chain head there, or why not. */
    private static Result.Replica comparedAt(Result.Replica node, long index, long seq, String head, String problem) {
        return new Result.Replica(
                node.node(), node.address(), true, node.role(), node.term(), index, seq, head, problem);
    }

    /** Whether this node is the leader now. */
    public boolean isLeader() {
        try {
            return server.getDivision(GROUP_ID).getInfo().isLeader();
        } catch (IOException e) {
            return false;
        }
    }

    /** The index of the last entry this node applied. */
    public long appliedIndex() {
        var applied = stateMachine.getLastAppliedTermIndex();
        return applied == null ? 0 : applied.getIndex();
    }

    /** Stops taking writes (those queued are answered {@code SHUTTING_DOWN}), then the client, then the server. */
    @Override
    public void close() {
        closed = true;
        submitter.close();
        List<RaftClient> clients = new ArrayList<>(List.of(queries));
        clients.addAll(perPeer.values());
        clients.addAll(forwarders.values());
        for (RaftClient c : clients) {
            try {
                c.close();
            } catch (IOException e) {
                log.warn("closing a Raft client: {}", e.toString());
            }
        }
        try {
            server.close();
        } catch (IOException e) {
            log.warn("closing the Raft server: {}", e.toString());
        }
        log.info("cluster node {} stopped", config.nodeId());
    }
}
