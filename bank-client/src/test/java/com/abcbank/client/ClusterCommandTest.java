package com.abcbank.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abcbank.ledger.ErrorCode;
import com.abcbank.protocol.Request;
import com.abcbank.protocol.Result;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code cluster}, and {@code verify} on a cluster: the tables, and the exit codes of the bad news in them. */
@Timeout(20)
class ClusterCommandTest {
    private static final String HEAD = "3fa2c1d0e9b7" + "a".repeat(52);
    private static final String OTHER_HEAD = "77aa00000000" + "b".repeat(52);

    @TempDir
    Path home;

    private static Result.Replica node(String name, String role, long applied, String head) {
        return new Result.Replica(
                name, "127.0.0.1:987" + name.charAt(1), true, role, 3, applied, applied - 44, head, null);
    }

    private static Result.Replica down(String name) {
        return new Result.Replica(
                name, "127.0.0.1:987" + name.charAt(1), false, null, 0, 0, 0, null, "connection refused");
    }

    /** Runs {@code args} as the auditor against a fake node that answers the one request with {@code result}. */
    private CliRunner.Run audit(Object result, String... args) throws Exception {
        try (FakeBankServer server = new FakeBankServer(FakeBankServer.answering(request ->
                request instanceof Request.Login login ? new Result.User(login.user(), "AUDITOR") : result))) {
            return CliRunner.run(
                    Map.of("BANK_PORT", Integer.toString(server.port()), "BANK_PASSWORD", "pw"), home, args);
        }
    }

    @Test
    void aHealthyClusterPrintsAnAlignedTableAndExits0() throws Exception {
        Result.Cluster cluster = new Result.Cluster(
                "n2",
                "n1",
                List.of(
                        node("n1", "LEADER", 1042, HEAD),
                        node("n2", "FOLLOWER", 1042, HEAD),
                        node("n3", "FOLLOWER", 998, OTHER_HEAD))); // behind: a head at another index says nothing
        CliRunner.Run run = audit(cluster, "Audit", "cluster");
        assertEquals(ExitCodes.OK, run.exitCode(), run.err());
        assertEquals("""
                Leader: n1 (as n2 sees it)
                NODE  ADDRESS         ROLE      TERM  APPLIED  SEQ  HEAD          PROBLEM
                n1    127.0.0.1:9871  LEADER       3     1042  998  3fa2c1d0e9b7
                n2    127.0.0.1:9872  FOLLOWER     3     1042  998  3fa2c1d0e9b7
                n3    127.0.0.1:9873  FOLLOWER     3      998  954  77aa00000000
                All 3 nodes reachable; chain heads agree at every shared applied index.
                """, run.out());
    }

    @Test
    void anUnreachableNodeExitsDegraded() throws Exception {
        Result.Cluster cluster = new Result.Cluster(
                "n1", "n1", List.of(node("n1", "LEADER", 1042, HEAD), node("n2", "FOLLOWER", 1042, HEAD), down("n3")));
        CliRunner.Run run = audit(cluster, "Audit", "cluster");
        assertEquals(ExitCodes.DEGRADED, run.exitCode(), run.err());
        assertTrue(
                run.out()
                        .lines()
                        .anyMatch(line -> line.matches("n3 +127\\.0\\.0\\.1:9873 +unreachable: connection refused")),
                run.out());
        assertTrue(run.out().contains("UNREACHABLE: n3\n"), run.out());
    }

    @Test
    void noLeaderExitsDegraded() throws Exception {
        Result.Cluster cluster = new Result.Cluster(
                "n1", null, List.of(node("n1", "CANDIDATE", 1042, HEAD), node("n2", "CANDIDATE", 1042, HEAD)));
        CliRunner.Run run = audit(cluster, "Audit", "cluster");
        assertEquals(ExitCodes.DEGRADED, run.exitCode(), run.err());
        assertTrue(run.out().startsWith("NO LEADER (as n1 sees it)\n"), run.out());
    }

    @Test
    void headsThatDifferAtTheSameAppliedIndexExitUnverified() throws Exception {
        Result.Cluster cluster = new Result.Cluster(
                "n1",
                "n1",
                List.of(node("n1", "LEADER", 1042, HEAD), node("n2", "FOLLOWER", 1042, OTHER_HEAD), down("n3")));
        CliRunner.Run run = audit(cluster, "Audit", "cluster");
        assertEquals(ExitCodes.UNVERIFIED, run.exitCode(), run.err()); // divergence outranks a node down
        assertTrue(
                run.out()
                        .contains("CHAIN HEADS DIFFER (the copies of the books diverged):\n"
                                + "  at applied 1042: n1 3fa2c1d0e9b7, n2 77aa00000000\n"),
                run.out());
    }

    @Test
    void jsonPrintsTheResultAsSentAndKeepsTheExitCode() throws Exception {
        Result.Cluster cluster = new Result.Cluster("n1", "n1", List.of(node("n1", "LEADER", 5, HEAD), down("n2")));
        CliRunner.Run run = audit(cluster, "--json", "Audit", "cluster");
        assertEquals(ExitCodes.DEGRADED, run.exitCode(), run.err());
        assertTrue(run.out().contains("\"answered_by\" : \"n1\""), run.out());
        assertTrue(run.out().contains("\"head\" : \"" + HEAD + "\""), run.out()); // the whole head, not shortened
        assertFalse(run.out().contains("NODE"), run.out());
    }

    @Test
    void aSingleServerRefusesClusterAndTheClientSaysSo() throws Exception {
        CliRunner.Run run = audit(
                FakeBankServer.refuse(ErrorCode.INVALID_ARGUMENT, "this server runs alone, not in a cluster"),
                "Audit",
                "cluster");
        assertEquals(ExitCodes.REFUSED, run.exitCode(), run.err());
        assertEquals("error: INVALID_ARGUMENT: this server runs alone, not in a cluster\n", run.err());
    }

    @Test
    void verifyShowsTheChainHeadAndTheReplicasThatAgree() throws Exception {
        Result.Verify verify = new Result.Verify(
                true,
                4,
                4,
                3,
                List.of(),
                12,
                1,
                HEAD,
                List.of(node("n1", "LEADER", 48, HEAD), node("n2", "FOLLOWER", 48, HEAD), down("n3")));
        CliRunner.Run run = audit(verify, "Audit", "verify");
        assertEquals(ExitCodes.OK, run.exitCode(), run.err());
        assertTrue(run.out().contains("\nChain head at tx 4: 3fa2c1d0e9b7\n"), run.out());
        assertTrue(
                run.out().contains("\nn2    127.0.0.1:9872  FOLLOWER     3       48    4  3fa2c1d0e9b7\n"), run.out());
        assertTrue(run.out().contains("Replicas agree: 2 chain heads compared, none differ\n"), run.out());
        assertTrue(run.out().contains("Not compared (unreachable): n3\n"), run.out());
    }

    @Test
    void verifyOfReplicasThatDisagreeExitsUnverifiedEvenIfTheBooksAddUp() throws Exception {
        Result.Verify verify = new Result.Verify(
                true,
                4,
                4,
                3,
                List.of(),
                12,
                1,
                HEAD,
                List.of(node("n1", "LEADER", 9, HEAD), node("n2", "FOLLOWER", 9, OTHER_HEAD)));
        CliRunner.Run run = audit(verify, "Audit", "verify");
        assertEquals(ExitCodes.UNVERIFIED, run.exitCode(), run.err());
        assertTrue(
                run.out()
                        .contains("REPLICAS DISAGREE (the copies of the books diverged):\n"
                                + "  at applied 9: n1 3fa2c1d0e9b7, n2 77aa00000000\n"),
                run.out());
    }

    @Test
    void verifyOfASingleServerPrintsAsBefore() throws Exception {
        CliRunner.Run run = audit(new Result.Verify(true, 4, 4, 3, List.of(), 12, 1), "Audit", "verify");
        assertEquals(ExitCodes.OK, run.exitCode(), run.err());
        assertEquals(1, run.out().lines().count(), run.out());
        assertTrue(run.out().startsWith("Books verified: 4 transactions"), run.out());
    }
}
