package com.abcbank.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abcbank.protocol.Request;
import com.abcbank.protocol.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Snapshots on a cluster: a follower kept down while the others write many snapshot intervals (so the log is purged
 * past it) catches up by installing the leader's snapshot, fetches the transactions it missed from a peer, and ends
 * with the same books, the same chain head and its whole history (verify re-reads its journal from the first
 * record). A node restarted after snapshots starts from its own newest one, with the journal rolled back to it.
 */
class ClusterSnapshotTest {
    private static final long SNAPSHOT_EVERY = 40;

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void aNodeBehindAPurgedLogCatchesUpBySnapshotInstallation(@TempDir Path dir) throws Exception {
        try (TestCluster cluster = TestCluster.start(dir, 3, SNAPSHOT_EVERY)) {
            String auditPassword = cluster.auditPassword();
            int leader = cluster.awaitLeader(Duration.ofSeconds(30));
            int down = (leader + 1) % 3;
            int other = (leader + 2) % 3;
            long expected1001;
            long expected1002;
            try (TestClient alice = TestClient.connect(cluster.port(leader))) {
                alice.register("Alice", TestServer.PASSWORD);
                alice.ok(new Request.CreateAccount("1001", 100_000L, "open-1001"), Result.Tx.class);
                alice.ok(new Request.CreateAccount("1002", 0L, "open-1002"), Result.Tx.class);
                for (int i = 0; i < 10; i++) {
                    alice.ok(new Request.Transfer("1001", "1002", 100L, "before-" + i), Result.Tx.class);
                }
                cluster.stopNode(down);
                // Each transfer is an entry of its own: many snapshot intervals while the node is down.
                for (int i = 0; i < 8 * SNAPSHOT_EVERY; i++) {
                    alice.ok(new Request.Transfer("1001", "1002", 1L, "during-" + i), Result.Tx.class);
                }
                expected1001 = 100_000L - 10 * 100L - 8 * SNAPSHOT_EVERY;
                expected1002 = 10 * 100L + 8 * SNAPSHOT_EVERY;
            }
            assertTrue(snapshots(cluster.dataDir(leader)) > 0, "the leader wrote snapshots");

            cluster.startNode(down);
            cluster.awaitReady(down);
            int now = cluster.awaitLeader(Duration.ofSeconds(30));
            Awaitility.await()
                    .atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> cluster.server(down).node().appliedIndex()
                            >= cluster.server(now).node().appliedIndex());
            assertTrue(
                    cluster.server(down).installedSnapshots() >= 1,
                    "the node caught up by installing a snapshot, not by replaying the purged log");

            long lastSeq = 2 + 10 + 8 * SNAPSHOT_EVERY;
            String head = null;
            for (int node : new int[] {down, leader, other}) {
                try (TestClient alice = TestClient.connect(cluster.port(node));
                        TestClient audit = TestClient.connect(cluster.port(node))) {
                    alice.login("Alice", TestServer.PASSWORD); // the users came with the snapshot
                    assertEquals(expected1001, alice.balance("1001").balance(), "n" + (node + 1));
                    assertEquals(expected1002, alice.balance("1002").balance(), "n" + (node + 1));
                    Result.History history = alice.ok(
                            new Request.History("1002", 0L, 5), Result.History.class); // from before the snapshot
                    assertEquals(5, history.entries().size());
                    audit.login("Audit", auditPassword);
                    Result.Verify verify = audit.ok(new Request.Verify(), Result.Verify.class);
                    assertTrue(verify.ok(), () -> "verify: " + verify.problems());
                    assertEquals(lastSeq, verify.asOf());
                    assertEquals(lastSeq, verify.transactions(), "its whole history, from the first record");
                    if (head == null) {
                        head = verify.head();
                    } else {
                        assertEquals(head, verify.head(), "chain heads of n" + (down + 1) + " and n" + (node + 1));
                    }
                }
            }

            // A restart of a node with snapshots of its own: it starts from the newest and re-applies the log.
            cluster.stopNode(other);
            cluster.startNode(other);
            cluster.awaitReady(other);
            try (TestClient audit = TestClient.connect(cluster.port(other))) {
                audit.login("Audit", auditPassword);
                Result.Verify verify = audit.ok(new Request.Verify(), Result.Verify.class);
                assertTrue(verify.ok(), () -> "verify after restart: " + verify.problems());
                assertEquals(lastSeq, verify.asOf());
                assertEquals(head, verify.head());
            }
        }
    }

    private static long snapshots(Path dataDir) throws Exception {
        Path sm = dataDir.resolve("raft")
                .resolve(com.abcbank.server.cluster.ClusterNode.groupDir())
                .resolve("sm");
        if (!Files.isDirectory(sm)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(sm)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".meta"))
                    .count();
        }
    }
}
