package com.abcbank.client;

import static com.abcbank.client.TablePrinter.left;
import static com.abcbank.client.TablePrinter.right;

import com.abcbank.protocol.Result;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the nodes of a cluster say about their copies of the log ({@link Result.Replica}), for {@code cluster} and a
 * cluster's {@code verify}: a table of them, and the two kinds of bad news in them.
 *
 * <p>The invariant checked: nodes that applied the same log index hold the same chain head there, since each applied
 * the same entries in the same order to the same ledger. Two different heads at one index mean the copies diverged,
 * which no failure of a node or the network explains: the books are in doubt. Heads at different indexes say nothing
 * about each other (one node is behind), and an unreachable node says nothing at all; that is the other kind of bad
 * news, a node down, which {@link #unreachable} names.
 */
final class Replicas {
    /** Hex characters of a chain head shown in a table: 48 bits, plenty to tell heads apart by eye. */
    static final int HEAD_CHARS = 12;

    private Replicas() {}

    /** The first {@value #HEAD_CHARS} characters of {@code head}; empty for none. */
    static String shortHead(String head) {
        return head == null ? "" : head.substring(0, Math.min(HEAD_CHARS, head.length()));
    }

    /** The node names of those that did not answer, in order. */
    static List<String> unreachable(List<Result.Replica> replicas) {
        return replicas.stream()
                .filter(r -> !r.reachable())
                .map(Result.Replica::node)
                .toList();
    }

    /**
     * Each applied index at which reachable nodes report more than one head, with one line per such index:
     * {@code at applied 1042: n1 3fa2c1d0e9b7, n2 77aa00000000}. Empty when the heads agree.
     */
    static List<String> divergences(List<Result.Replica> replicas) {
        Map<Long, List<Result.Replica>> byApplied = new TreeMap<>();
        for (Result.Replica replica : replicas) {
            if (replica.reachable() && replica.head() != null) {
                byApplied
                        .computeIfAbsent(replica.applied(), applied -> new ArrayList<>())
                        .add(replica);
            }
        }
        List<String> divergences = new ArrayList<>();
        byApplied.forEach((applied, group) -> {
            Set<String> heads = new LinkedHashSet<>();
            group.forEach(replica -> heads.add(replica.head()));
            if (heads.size() > 1) {
                List<String> named = group.stream()
                        .map(replica -> replica.node() + " " + shortHead(replica.head()))
                        .toList();
                divergences.add("at applied " + applied + ": " + String.join(", ", named));
            }
        });
        return divergences;
    }

    /**
     * One row per node: NODE, ADDRESS, ROLE, TERM, APPLIED, SEQ, HEAD (shortened), PROBLEM. An unreachable node's
     * numbers are 0 on the wire and blank here, so that a 0 is never read as a position in the log.
     */
    static void print(PrintWriter out, List<Result.Replica> replicas) {
        TablePrinter table = new TablePrinter(
                left("NODE"),
                left("ADDRESS"),
                left("ROLE"),
                right("TERM"),
                right("APPLIED"),
                right("SEQ"),
                left("HEAD"),
                left("PROBLEM"));
        for (Result.Replica r : replicas) {
            boolean up = r.reachable();
            table.row(
                    r.node(),
                    r.address(),
                    up ? r.role() : "",
                    up ? Long.toString(r.term()) : "",
                    up ? Long.toString(r.applied()) : "",
                    up ? Long.toString(r.seq()) : "",
                    up ? shortHead(r.head()) : "",
                    up ? r.problem() : "unreachable" + (r.problem() == null ? "" : ": " + r.problem()));
        }
        table.print(out);
    }
}
