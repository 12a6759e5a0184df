package com.abcbank.client;

import com.abcbank.lab.RaceLab;
import com.abcbank.ledger.Money;
import com.abcbank.protocol.Json;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code client demo race}: one seeded workload, against a ledger without locks and one with ordered locks. */
@Command(
        name = "race",
        sortOptions = false,
        description = {
            "Runs the same seeded mix of deposits, withdrawals and transfers (40/30/30, 0.01 to 50.00, accounts"
                    + " starting at 1,000.00) on a few shared laboratory accounts twice: without locks (read,"
                    + " pause, write) and with one lock per account taken in ascending id. Prints, as measured,"
                    + " the expected total (initial + applied deposits - applied withdrawals), the actual total"
                    + " and the money lost (-) or created (+).",
            "--json prints one JSON object: threads, accounts, operations, window_us, seed, unsafe, safe (each with"
                    + " operations, refused, initial_cents, expected_cents, actual_cents, difference_cents, ms,"
                    + " finished, conserved)."
        })
final class DemoRaceCommand implements Callable<Integer> {
    @ParentCommand
    DemoCommand demo;

    @Spec
    CommandSpec spec;

    @Option(
            names = "--threads",
            paramLabel = "N",
            defaultValue = "8",
            description = "Workers (1 to " + RaceLab.MAX_THREADS + ", default ${DEFAULT-VALUE}).")
    int threads;

    @Option(
            names = "--accounts",
            paramLabel = "N",
            defaultValue = "3",
            description = "Shared accounts (2 to " + RaceLab.MAX_ACCOUNTS + ", default ${DEFAULT-VALUE}).")
    int accounts;

    @Option(
            names = "--operations",
            paramLabel = "N",
            defaultValue = "1000",
            description = "Operations per worker (1 to " + RaceLab.MAX_OPERATIONS + ", default ${DEFAULT-VALUE}); each"
                    + " run stops after " + RaceLab.MAX_RUN_MS / 1000 + " s whatever is left.")
    int operations;

    @Option(
            names = "--window-us",
            paramLabel = "N",
            defaultValue = "0",
            description = "Pause between each read and its write, in microseconds (0 to " + RaceLab.MAX_WINDOW_MICROS
                    + ", default ${DEFAULT-VALUE}): widens the race window, so the loss shows even on one core.")
    int windowMicros;

    @Option(
            names = "--seed",
            paramLabel = "N",
            defaultValue = "1",
            description = "Seed of the workload (default ${DEFAULT-VALUE}); the same seed, the same operations.")
    long seed;

    @Override
    public Integer call() throws InterruptedException {
        demo.refuseUser(spec);
        RaceLab.Settings settings;
        try {
            settings = new RaceLab.Settings(threads, accounts, operations, windowMicros, seed);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--" + e.getMessage());
        }
        RaceLab.Report report = RaceLab.run(settings);
        PrintWriter out = spec.commandLine().getOut();
        if (demo.json()) {
            out.println(json(report));
        } else {
            printText(out, report);
        }
        if (!report.safe().conserved()) {
            spec.commandLine()
                    .getErr()
                    .println("error: the safe ledger did not conserve money: a bug in the laboratory");
            return 1;
        }
        return ExitCodes.OK;
    }

    static void printText(PrintWriter out, RaceLab.Report report) {
        RaceLab.Settings s = report.settings();
        out.println("race: " + s.threads() + " threads, " + s.accounts() + " accounts, " + s.operations()
                + " operations per thread, window " + s.windowMicros() + " us, seed " + s.seed());
        RaceLab.Run unsafe = report.unsafe();
        RaceLab.Run safe = report.safe();
        TablePrinter table = new TablePrinter(
                TablePrinter.left(""),
                TablePrinter.right("unsafe (no locks)"),
                TablePrinter.right("safe (ordered locks)"));
        table.row("operations", Long.toString(unsafe.operations()), Long.toString(safe.operations()));
        table.row("refused (no funds)", Long.toString(unsafe.refused()), Long.toString(safe.refused()));
        table.row("initial total", Money.format(unsafe.initialCents()), Money.format(safe.initialCents()));
        table.row("expected total", Money.format(unsafe.expectedCents()), Money.format(safe.expectedCents()));
        table.row("actual total", Money.format(unsafe.actualCents()), Money.format(safe.actualCents()));
        table.row("lost (-) / created (+)", signed(unsafe.differenceCents()), signed(safe.differenceCents()));
        table.row("time ms", Long.toString(ms(unsafe)), Long.toString(ms(safe)));
        table.print(out);
        out.println("unsafe: " + verdict(unsafe));
        out.println("safe: " + verdict(safe));
    }

    private static String verdict(RaceLab.Run run) {
        String stopped = run.finished() ? "" : " (stopped at " + RaceLab.MAX_RUN_MS / 1000 + " s, not finished)";
        if (run.conserved()) {
            return "expected and actual totals match" + stopped;
        }
        return (run.differenceCents() < 0 ? "lost " : "created ") + Money.format(Math.abs(run.differenceCents()))
                + ": updates overwritten by workers that read the same balance" + stopped;
    }

    private static String signed(long cents) {
        return cents > 0 ? "+" + Money.format(cents) : Money.format(cents);
    }

    private static long ms(RaceLab.Run run) {
        return TimeUnit.NANOSECONDS.toMillis(run.elapsedNanos());
    }

    static String json(RaceLab.Report report) {
        RaceLab.Settings s = report.settings();
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("threads", s.threads());
        figures.put("accounts", s.accounts());
        figures.put("operations", s.operations());
        figures.put("window_us", s.windowMicros());
        figures.put("seed", s.seed());
        figures.put("unsafe", run(report.unsafe()));
        figures.put("safe", run(report.safe()));
        return Json.tree(figures).toString();
    }

    private static Map<String, Object> run(RaceLab.Run run) {
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("operations", run.operations());
        figures.put("refused", run.refused());
        figures.put("initial_cents", run.initialCents());
        figures.put("expected_cents", run.expectedCents());
        figures.put("actual_cents", run.actualCents());
        figures.put("difference_cents", run.differenceCents());
        figures.put("ms", ms(run));
        figures.put("finished", run.finished());
        figures.put("conserved", run.conserved());
        return figures;
    }
}
