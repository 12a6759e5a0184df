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
 */
@Command(name = "batch", description = {"Run commands from FILE, one per line, as USER, over one connection.",
        "A line is COMMAND [ARGS] as on the command line after USER, e.g. 'deposit 1001 200'; blank lines and lines"
                + " starting with # are skipped. Every line is checked first: one bad line (exit 2) and nothing is sent.",
        "Prints one result per command, in order (with --json: one JSON reply per line, its id the line number);"
                + " refusals go to standard error as 'line N: error: CODE: message'; a summary line ends the run.",
        "Exits 0 if every command succeeded, 3 if any was refused, 75 if the connection was lost."})
final class BatchCommand implements Callable<Integer> {
    /** Requests in flight at most: enough to hide the round trip, small enough for any socket buffer. */
    static final int WINDOW = 64;

    @ParentCommand
    BankCli cli;
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "FILE", description = "The commands; '-' or none: standard input.")
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
        try (BankConnection bank = cli.connect(spec, mayEnrol)) {
            bank.pipeline(requests, WINDOW, (index, reply) -> tally.record(steps.get(index), reply, out, err));
        } catch (ClientException e) {
            if (tally.answered == 0 && e.exitCode == ExitCodes.AUTH) {
                throw e; // could not log in: nothing ran, no summary to give
            }
            err.println("error: " + e.getMessage());
            err.println(tally.summary(steps.size() - tally.answered, startNanos));
            return e.exitCode;
        }
        err.println(tally.summary(0, startNanos));
        return tally.exitCode;
    }

    private List<BatchScript.Step> read() {
        BatchScript script = new BatchScript(spec.parent().subcommands());
        boolean stdin = file == null || file.equals("-");
        try (Reader in = stdin ? new InputStreamReader(cli.stdin(), StandardCharsets.UTF_8)
                : Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8)) {
            return script.parse(stdin ? new BufferedReader(in) : in);
        } catch (IOException e) {
            throw new ParameterException(spec.commandLine(), "cannot read " + (stdin ? "standard input" : file) + ": "
                    + ClientException.describe(e));
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
                if (cli.json()) {
                    out.println(Json.write(Reply.success(Json.tree(step.line()), reply.result())));
                } else {
                    step.operation().print(out, List.of(reply.result()));
                }
                return;
            }
            refused.merge(reply.error().code(), 1, Integer::sum);
            exitCode = Math.max(exitCode, ExitCodes.of(reply.error().code())); // codes grow with severity
            err.println("line " + step.line() + ": error: " + ClientException.describe(reply.error()));
            if (cli.json()) {
                out.println(Json.write(Reply.failure(Json.tree(step.line()), reply.error())));
            }
        }

        String summary(int unanswered, long startNanos) {
            int refusedCount = refused.values().stream().mapToInt(Integer::intValue).sum();
            String codes = refused.isEmpty() ? "" : refused.entrySet().stream()
                    .map(e -> e.getKey() + " x " + e.getValue()).collect(Collectors.joining(", ", " (", ")"));
            String lost = unanswered == 0 ? "" : ", " + unanswered + " unanswered";
            long elapsedMs = (System.nanoTime() - startNanos) / 1_000_000;
            return "batch: " + ok + " ok, " + refusedCount + " refused" + codes + lost + " in " + elapsedMs + " ms";
        }
    }
}
