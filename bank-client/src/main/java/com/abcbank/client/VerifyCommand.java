package com.abcbank.client;

import com.abcbank.protocol.Request;
import com.abcbank.protocol.Result;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;

/**
 * The auditor's proof of the books: the server re-reads its journal from the first record and recounts every
 * balance against the live books. Books that do not verify are an answer, not a failure to get one, so they
 * print like any result and exit with their own code, {@link ExitCodes#UNVERIFIED}, which a script can tell
 * from a refusal (3) and from a server it could not reach (75).
 *
 * <p>On a cluster the answer also has the chain head at {@code asOf} and each node's head at one common log index
 * ({@code replicas}); nodes whose heads differ there fail the verify too, as books that do not match each other.
 */
@Command(
        name = "verify",
        description = {
            "Auditor: prove the books: the server re-reads its journal (checksums, hash"
                    + " chain, sequence, postings summing to 0) and recounts every balance against the live books.",
            "Exits " + ExitCodes.UNVERIFIED + " if they do not verify, listing each problem, or if the nodes of a"
                    + " cluster hold different chain heads at the same log index."
        })
final class VerifyCommand extends OperationCommand<Result.Verify> {
    /**
     * Verify reads every record of the journal: some 30 s per 10,000,000 transactions on a quiet two-core machine
     * (docs/performance.md), so it gets far more than the usual per-reply bound.
     */
    static final int REPLY_TIMEOUT_MS = 15 * 60 * 1000;

    VerifyCommand() {
        super(Result.Verify.class);
    }

    @Override
    public int replyTimeoutMs(int usualMs) {
        return Math.max(usualMs, REPLY_TIMEOUT_MS);
    }

    @Override
    public Request request() {
        return new Request.Verify();
    }

    @Override
    public void print(PrintWriter out, List<Result.Verify> results) {
        Result.Verify verify = results.get(0);
        printBooks(out, verify);
        // A single server's verify stays one line (its chain head is in --json); a cluster's shows the head its
        // replicas are compared by.
        if (verify.replicas() != null) {
            if (verify.head() != null) {
                out.println("Chain head at tx " + verify.asOf() + ": " + Replicas.shortHead(verify.head()));
            }
            printReplicas(out, verify.replicas());
        }
    }

    /**
     * A cluster's nodes at one common log index, and whether their chain heads agree there: two heads at the same
     * index mean the copies diverged ({@link Replicas}), which fails the verify whatever the answering node found.
     */
    private static void printReplicas(PrintWriter out, List<Result.Replica> replicas) {
        out.println();
        Replicas.print(out, replicas);
        List<String> divergences = Replicas.divergences(replicas);
        List<String> unreachable = Replicas.unreachable(replicas);
        if (!divergences.isEmpty()) {
            out.println("REPLICAS DISAGREE (the copies of the books diverged):");
            divergences.forEach(line -> out.println("  " + line));
        } else {
            long compared = replicas.stream()
                    .filter(r -> r.reachable() && r.head() != null)
                    .count();
            out.println("Replicas agree: " + count(compared, "chain head") + " compared, none differ");
        }
        if (!unreachable.isEmpty()) {
            out.println("Not compared (unreachable): " + String.join(", ", unreachable));
        }
    }

    private static void printBooks(PrintWriter out, Result.Verify verify) {
        if (verify.ok()) {
            out.println("Books verified: " + count(verify.transactions(), "transaction") + " re-read from the journal"
                    + " (checksums, hash chain, sequence, postings summing to 0), "
                    + count(verify.accounts(), "account")
                    + " recounted: all equal to the live balances, as of tx " + verify.asOf() + ", in "
                    + verify.millis() + " ms; " + count(verify.events(), "security event")
                    + " checked in the chain");
            return;
        }
        out.println("BOOKS DO NOT VERIFY:");
        List<String> problems = verify.problems() == null ? List.of() : verify.problems();
        if (problems.isEmpty()) {
            out.println("  (the server named no problem)");
        }
        problems.forEach(problem -> out.println("  " + problem));
        out.println("(as of tx " + verify.asOf() + ": " + count(verify.transactions(), "transaction") + " re-read, "
                + count(verify.accounts(), "account") + " recounted, in " + verify.millis() + " ms)");
    }

    @Override
    public int exitCode(List<Result.Verify> results) {
        Result.Verify verify = results.get(0);
        boolean diverged = verify.replicas() != null
                && !Replicas.divergences(verify.replicas()).isEmpty();
        return verify.ok() && !diverged ? ExitCodes.OK : ExitCodes.UNVERIFIED;
    }

    /** {@code 8,389 transactions}, {@code 1 account}. */
    private static String count(long n, String noun) {
        return String.format(Locale.ROOT, "%,d", n) + " " + noun + (n == 1 ? "" : "s");
    }
}
