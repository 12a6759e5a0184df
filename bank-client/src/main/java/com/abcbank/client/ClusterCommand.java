package com.abcbank.client;

import com.abcbank.protocol.Request;
import com.abcbank.protocol.Result;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Command;

/**
 * The auditor's view of a replicated bank: each node with its role, term, last applied log index, transaction
 * number and chain head, as the node that answered sees them, and which is the leader. Like {@code verify}, bad news
 * is an answer, not a failure to get one: it prints like any result and sets the exit code. Copies that diverged
 * ({@link Replicas#divergences}) exit {@link ExitCodes#UNVERIFIED}: the books are in doubt. A node unreachable, or no
 * leader, exits {@link ExitCodes#DEGRADED}: the bank still answers, with less to spare. A single server answers
 * {@code INVALID_ARGUMENT} (it is no cluster), which is reported like any refusal.
 */
@Command(
        name = "cluster",
        description = {
            "Auditor: the nodes of a replicated bank: role, term, last applied log index, transaction number and"
                    + " chain head of each, and the leader.",
            "Exits " + ExitCodes.UNVERIFIED + " if nodes at the same applied index hold different chain heads, "
                    + ExitCodes.DEGRADED + " if a node is unreachable or no leader is known."
        })
final class ClusterCommand extends OperationCommand<Result.Cluster> {
    ClusterCommand() {
        super(Result.Cluster.class);
    }

    @Override
    public Request request() {
        return new Request.Cluster();
    }

    @Override
    public void print(PrintWriter out, List<Result.Cluster> results) {
        Result.Cluster cluster = results.get(0);
        List<Result.Replica> nodes = nodes(cluster);
        out.println((cluster.leader() == null ? "NO LEADER" : "Leader: " + cluster.leader()) + " (as "
                + cluster.answeredBy() + " sees it)");
        Replicas.print(out, nodes);
        List<String> divergences = Replicas.divergences(nodes);
        List<String> unreachable = Replicas.unreachable(nodes);
        if (!divergences.isEmpty()) {
            out.println("CHAIN HEADS DIFFER (the copies of the books diverged):");
            divergences.forEach(line -> out.println("  " + line));
        }
        if (!unreachable.isEmpty()) {
            out.println("UNREACHABLE: " + String.join(", ", unreachable));
        }
        if (divergences.isEmpty() && unreachable.isEmpty()) {
            out.println("All " + nodes.size() + " nodes reachable; chain heads agree at every shared applied index.");
        }
    }

    @Override
    public int exitCode(List<Result.Cluster> results) {
        Result.Cluster cluster = results.get(0);
        List<Result.Replica> nodes = nodes(cluster);
        if (!Replicas.divergences(nodes).isEmpty()) {
            return ExitCodes.UNVERIFIED;
        }
        if (!Replicas.unreachable(nodes).isEmpty() || cluster.leader() == null) {
            return ExitCodes.DEGRADED;
        }
        return ExitCodes.OK;
    }

    private static List<Result.Replica> nodes(Result.Cluster cluster) {
        return cluster.nodes() == null ? List.of() : cluster.nodes();
    }
}
