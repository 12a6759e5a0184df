package com.abcbank.client;

import com.abcbank.ledger.ErrorCode;
import com.abcbank.protocol.Json;
import com.abcbank.protocol.Reply;
import com.abcbank.protocol.Request;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * Runs many commands over one connection and one login, pipelined: up to {@link #WINDOW} requests are on
 * the wire before the first reply is read, which removes a round trip per command. Replies come back in
 * request order, so results print in file order.
 *
 * <p>Every money line has its own idempotency key, made when the file is read. If the connection breaks, the
 * batch connects and logs in again, once, and sends every request that has no answer yet, with the same
 * keys: those the server had already run answer with their first result and move nothing more, the others
 * run now. Replies still arrive in file order, since the first unanswered line is the first one sent again.
 * A second break ends the batch (exit 75), naming the key of each money line that was sent but not answered.
 */
@Command(
        name = "batch",
        description = {
            "Run commands from FILE, one per line, as USER, over one connection.",
            "A line is COMMAND [ARGS] as on the command line after USER, e.g. 'deposit 1001 200'; blank lines and lines"
                    + " starting with # are skipped. Every line is checked first: one bad line (exit 2) and nothing is sent.",
            "Prints one result per command, in order (with --json: one JSON reply per line, its id the line number);"
                    + " refusals go to standard error as 'line N: error: CODE: message'; a summary line ends the run.",
            "Each money line has its own idempotency key. If the connection breaks, the batch reconnects once and sends"
                    + " every unanswered line again with the same key, so nothing happens twice.",
            "Exits 0 if every command succeeded, 3 if any was refused, 5 if a verify failed, 75 if the server could not"
                    + " be reached or the connection broke a second time."
        })
final class BatchCommand implements Callable<Integer> {
    /** Requests in flight at most: enough to hide the round trip, small enough for any socket buffer. */
    static final int WINDOW = 64;

    @ParentCommand
    BankCli cli;

    @Spec
    CommandSpec spec;

    @Parameters(
            index = "0",
            arity = "0..1",
            paramLabel = "FILE",
            description = "The commands; '-' or none: standard input.")
    String file;

    @Override
    public Integer call() {
        cli.user(spec); // a missing USER is a usage error before anything is read
        List<BatchScript.Step> steps = read();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Tally tally = new Tally();
        long startNanos = System.nanoTime();
        if (steps.isEmpty()) {
            err.println(tally.summary(0, startNanos));
            return ExitCodes.OK;
        }
        List<Request> requests = steps.stream().map(BatchScript.Step::request).toList();
        boolean mayEnrol = steps.stream().anyMatch(step -> step.operation().enrols());
        BankConnection bank;
        try {
            bank = cli.connect(spec, mayEnrol);
        } catch (ClientException e) {
            if (e.exitCode == ExitCodes.AUTH) {
                throw e; // could not log in: nothing ran, no summary to give
            }
            err.println("error: " + e.getMessage());
            err.println(tally.summary(steps.size(), startNanos));
            return e.exitCode;
        }
        // Steps before this went out on some connection; those of them without an answer may have run.
        int sentBefore = 0;
        boolean reconnected = false;
        try {
            while (true) {
                int first = tally.answered; // the first step with no answer: where this connection starts
                try {
                    bank.pipeline(
                            requests.subList(first, requests.size()),
                            WINDOW,
                            (index, reply) -> tally.record(steps.get(first + index), reply, out, err));
                    break;
                } catch (BankConnection.Lost lost) {
                    sentBefore = Math.max(sentBefore, tally.answered + (int) bank.inFlight());
                    bank.close();
                    if (reconnected) {
                        return gaveUp(lost.reason, steps, sentBefore, tally, startNanos);
                    }
                    reconnected = true;
                    int left = steps.size() - tally.answered;
                    err.println("note: " + lost.reason + " with line "
                            + steps.get(tally.answered).line()
                            + " unanswered; connecting again to send the " + left
                            + (left == 1 ? " request" : " requests")
                            + " without an answer once more, with the same keys");
                }
                try {
                    bank = cli.connect(spec, false); // logs in: if the first connection enrolled, the password is saved
                } catch (ClientException e) {
                    return gaveUp(e.getMessage(), steps, sentBefore, tally, startNanos);
                }
            }
        } catch (ClientException e) {
            err.println("error: " + e.getMessage());
            err.println(tally.summary(steps.size() - tally.answered, startNanos));
            return e.exitCode;
        } finally {
            bank.close();
        }
        err.println(tally.summary(0, startNanos));
        return tally.exitCode;
    }

    /**
     * The second break: stop, and name every money line whose outcome is unknown (sent, not answered) by its
     * key, which finishes it at most once ({@code --key}). Lines never sent did not run.
     */
    private int gaveUp(String reason, List<BatchScript.Step> steps, int sentBefore, Tally tally, long startNanos) {
        PrintWriter err = spec.commandLine().getErr();
        err.println("error: " + reason + "; the connection broke a second time, so the batch stops here");
        for (BatchScript.Step step : steps.subList(tally.answered, Math.max(tally.answered, sentBefore))) {
            String key = IdempotencyKeys.of(step.request());
            if (key != null) {
                err.println("line " + step.line() + ": outcome unknown: may or may not have taken effect; its key is "
                        + key + " (run it again with --key " + key + " to finish it at most once)");
            }
        }
        err.println(tally.summary(steps.size() - tally.answered, startNanos));
        return ExitCodes.UNAVAILABLE;
    }

    private List<BatchScript.Step> read() {
        BatchScript script = new BatchScript(spec.parent().subcommands());
        boolean stdin = file == null || file.equals("-");
        try (Reader in = stdin
                ? new InputStreamReader(cli.stdin(), StandardCharsets.UTF_8)
                : Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8)) {
            return script.parse(stdin ? new BufferedReader(in) : in);
        } catch (IOException e) {
            throw new ParameterException(
                    spec.commandLine(),
                    "cannot read " + (stdin ? "standard input" : file) + ": " + ClientException.describe(e));
        } catch (BatchScript.InvalidLine e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /** What came back so far, and how to exit. */
    private final class Tally {
        int answered;
        int ok;
        final Map<ErrorCode, Integer> refused = new LinkedHashMap<>();
        int exitCode = ExitCodes.OK;

        void record(BatchScript.Step step, Reply reply, PrintWriter out, PrintWriter err) {
            answered++;
            if (reply.ok()) {
                ok++;
                exitCode =
                        Math.max(exitCode, show(step.operation(), reply.withId(step.line()), out)); // a failed verify
                return;
            }
            refused.merge(reply.error().code(), 1, Integer::sum);
            exitCode = Math.max(exitCode, ExitCodes.of(reply.error().code())); // codes grow with severity
            String key = IdempotencyKeys.of(step.request());
            err.println("line " + step.line() + ": error: " + ClientException.describe(reply.error())
                    + (key != null && ExitCodes.indefinite(reply.error().code())
                            ? " (outcome unknown; its key is " + key + ")"
                            : ""));
            if (cli.json()) {
                out.println(Json.write(reply.withId(step.line())));
            }
        }

        /**
         * A result as the operation prints it, or with --json as one reply line whose id is the batch line number;
         * returns the operation's exit code for it (a failed verify is 5 either way).
         */
        private <R> int show(Operation<R> operation, Reply renumbered, PrintWriter out) {
            if (cli.json()) {
                out.println(Json.write(renumbered));
            }
            List<R> results = List.of(operation.result(renumbered));
            if (!cli.json()) {
                operation.print(out, results);
            }
            return operation.exitCode(results);
        }

        String summary(int unanswered, long startNanos) {
            int refusedCount =
                    refused.values().stream().mapToInt(Integer::intValue).sum();
            String codes = refused.isEmpty()
                    ? ""
                    : refused.entrySet().stream()
                            .map(e -> e.getKey() + " x " + e.getValue())
                            .collect(Collectors.joining(", ", " (", ")"));
            String lost = unanswered == 0 ? "" : ", " + unanswered + " unanswered";
            long elapsedMs = (System.nanoTime() - startNanos) / 1_000_000;
            return "batch: " + ok + " ok, " + refusedCount + " refused" + codes + lost + " in " + elapsedMs + " ms";
        }
    }
}
