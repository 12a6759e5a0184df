import com.abcbank.server.cluster.ClusterConfig;
import com.abcbank.server.cluster.ClusterNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.TimeDuration;

/**
 * Apache Ratis alone, as a floor under the cluster's figures: three nodes with the Ratis settings of a bank cluster
 * node ({@link ClusterNode#raftProperties}; no snapshots, there being no state) and a state machine that does nothing
 * but answer, driven the way {@code client bench} drives the bank. What the cluster costs beyond this is the bank's
 * (its batching, forwarding, rules, journal, JSON); what this costs is Raft's, on this machine, before the bank does
 * anything. Used by scripts/bench_compare.sh (system {@code raft}); it runs with the server jar on its class path:
 *
 * <pre>
 *   java -cp bank-server.jar scripts/RaftFloor.java node ID PEERS DIR
 *       one node (PEERS as --peers: n1=127.0.0.1:PORT,...), until killed; its log and state in DIR
 *   java -cp bank-server.jar scripts/RaftFloor.java drive PEERS WRITERS IN_FLIGHT WARMUP_S SECONDS
 *       WRITERS clients, each with IN_FLIGHT writes in flight (a write of 160 bytes, about one transfer in the
 *       bank's log; one log entry each: Ratis batches what is in flight into its appends and forced writes, as it
 *       does for the bank). Once every client has found the leader it says "bench: warming up for WARMUP_S s" on
 *       standard error, as client bench does (bench_compare measures the nodes' CPU from there, the same way for
 *       both); after WARMUP_S seconds it counts for SECONDS and prints one line:
 *       ops_per_sec=N p50_ms=N p99_ms=N mean_ms=N errors=N
 *       errors being counted over the whole run, warm-up included.
 * </pre>
 */
class RaftFloor {
    private static final RaftGroupId GROUP =
            RaftGroupId.valueOf(UUID.nameUUIDFromBytes("raft-floor".getBytes(StandardCharsets.US_ASCII)));
    private static final ByteString WRITE = ByteString.copyFrom(new byte[160]);
    /** About a transfer's reply, as the bank's state machine answers it. */
    private static final Message REPLY = Message.valueOf(ByteString.copyFrom(new byte[120]));

    public static void main(String[] args) throws Exception {
        if (args.length == 4 && args[0].equals("node")) {
            node(args[1], args[2], Path.of(args[3]));
        } else if (args.length == 6 && args[0].equals("drive")) {
            drive(
                    args[1],
                    Integer.parseInt(args[2]),
                    Integer.parseInt(args[3]),
                    Integer.parseInt(args[4]),
                    Integer.parseInt(args[5]));
        } else {
            System.err.println("usage: RaftFloor node ID PEERS DIR | drive PEERS WRITERS IN_FLIGHT WARMUP_S SECONDS");
            System.exit(2);
        }
    }

    /** Applies nothing: records the entry as applied and answers a reply of a transfer's size. */
    static final class Nothing extends BaseStateMachine {
        @Override
        public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
            LogEntryProto entry = trx.getLogEntry();
            updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
            return CompletableFuture.completedFuture(REPLY);
        }
    }

    private static RaftGroup group(List<ClusterConfig.Peer> peers) {
        List<RaftPeer> raftPeers = new ArrayList<>();
        for (ClusterConfig.Peer peer : peers) {
            raftPeers.add(RaftPeer.newBuilder().setId(peer.id()).setAddress(peer.address()).build());
        }
        return RaftGroup.valueOf(GROUP, raftPeers);
    }

    private static void node(String id, String peers, Path dir) throws IOException, InterruptedException {
        ClusterConfig config = ClusterConfig.of(id, ClusterConfig.parsePeers(peers), dir);
        Files.createDirectories(dir);
        RaftProperties properties = ClusterNode.raftProperties(config);
        // Nothing to snapshot: without this, every apply past the cluster's snapshot interval would ask for one.
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(properties, false);
        RaftServer server = RaftServer.newBuilder()
                .setGroup(group(config.peers()))
                .setProperties(properties)
                .setServerId(RaftPeerId.valueOf(id))
                .setStateMachine(new Nothing())
                .setOption(RaftStorage.StartupOption.FORMAT)
                .build();
        server.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.close();
            } catch (IOException e) {
                System.err.println("closing: " + e);
            }
        }));
        new CountDownLatch(1).await(); // until killed
    }

    private static void drive(String peers, int writers, int inFlight, int warmupS, int seconds)
            throws Exception {
        RaftGroup group = group(ClusterConfig.parsePeers(peers));
        List<RaftClient> clients = new ArrayList<>();
        for (int i = 0; i < writers; i++) {
            clients.add(RaftClient.newBuilder()
                    .setProperties(new RaftProperties())
                    .setRaftGroup(group)
                    .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(
                            600, TimeDuration.valueOf(50, TimeUnit.MILLISECONDS))) // the nodes may still be starting
                    .build());
        }
        // Until a leader is elected and every client has found it.
        for (RaftClient client : clients) {
            if (!client.io().send(Message.valueOf(WRITE)).isSuccess()) {
                throw new IllegalStateException("no leader");
            }
        }
        Recorder latencies = new Recorder(3);
        AtomicBoolean counting = new AtomicBoolean();
        AtomicBoolean stopping = new AtomicBoolean();
        AtomicLong acknowledged = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (RaftClient client : clients) {
            Semaphore places = new Semaphore(inFlight);
            Thread thread = new Thread(() -> {
                try {
                    while (!stopping.get()) {
                        places.acquire();
                        long start = System.nanoTime();
                        var unused = client.async().send(Message.valueOf(WRITE)).whenComplete((reply, error) -> {
                            places.release();
                            if (error != null || !reply.isSuccess()) {
                                errors.incrementAndGet();
                            } else if (counting.get()) {
                                latencies.recordValue(System.nanoTime() - start);
                                acknowledged.incrementAndGet();
                            }
                        });
                    }
                    places.acquire(inFlight); // the last ones answered
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            thread.start();
            threads.add(thread);
        }
        System.err.println("bench: warming up for " + warmupS + " s");
        Thread.sleep(TimeUnit.SECONDS.toMillis(warmupS)); // the warm-up: a timed phase, not a wait for anything
        latencies.reset();
        counting.set(true);
        long t0 = System.nanoTime();
        Thread.sleep(TimeUnit.SECONDS.toMillis(seconds)); // the counted window
        counting.set(false);
        long elapsed = System.nanoTime() - t0;
        long count = acknowledged.get();
        Histogram histogram = latencies.getIntervalHistogram();
        stopping.set(true);
        for (Thread thread : threads) {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        }
        for (RaftClient client : clients) {
            client.close();
        }
        System.out.printf(
                "ops_per_sec=%.1f p50_ms=%.3f p99_ms=%.3f mean_ms=%.3f errors=%d%n",
                count * 1e9 / elapsed,
                histogram.getValueAtPercentile(50) / 1e6,
                histogram.getValueAtPercentile(99) / 1e6,
                histogram.getMean() / 1e6,
                errors.get());
    }
}
