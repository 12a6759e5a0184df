package com.abcbank.client;

import com.abcbank.lab.ContentionLab;
import com.abcbank.protocol.Json;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code client demo contention}: one lock wanted by every worker, then one lock each, as a timeline. */
@Command(
        name = "contention",
        sortOptions = false,
        description = {
            "Runs the same work twice on laboratory accounts: every worker on one shared account, then each worker"
                    + " on an account of its own. Each operation takes its account's lock (a ReentrantLock, as in"
                    + " the ledger), holds it --hold-us microseconds, deposits 1.00 and lets go. Prints each run's"
                    + " time and a timeline, a row per worker: '#' holding the lock, '.' waiting for it.",
            "--json prints one JSON object: settings (threads, operations, hold_micros) and runs (name, accounts,"
                    + " elapsed_micros, intervals: thread, account, requested_micros, acquired_micros,"
                    + " released_micros; micros from the run's start)."
        })
final class DemoContentionCommand implements Callable<Integer> {
    /** Timeline columns for the longest run; the other is drawn on the same scale. */
    static final int WIDTH = 60;

    @ParentCommand
    DemoCommand demo;

    @Spec
    CommandSpec spec;

    @Option(
            names = "--threads",
            paramLabel = "N",
            defaultValue = "4",
            description = "Workers (1 to " + ContentionLab.MAX_THREADS + ", default ${DEFAULT-VALUE}).")
    int threads;

    @Option(
            names = "--operations",
            paramLabel = "N",
            defaultValue = "5",
            description =
                    "Operations per worker (1 to " + ContentionLab.MAX_OPERATIONS + ", default ${DEFAULT-VALUE}).")
    int operations;

    @Option(
            names = "--hold-us",
            paramLabel = "N",
            defaultValue = "5000",
            description = "How long each operation holds its lock, in microseconds (0 to "
                    + ContentionLab.MAX_HOLD_MICROS + ", default ${DEFAULT-VALUE}); threads x operations x hold at"
                    + " most " + ContentionLab.MAX_TOTAL_HOLD_MICROS + " us.")
    int holdMicros;

    @Override
    public Integer call() throws InterruptedException {
        demo.refuseUser(spec);
        ContentionLab.Settings settings;
        try {
            settings = new ContentionLab.Settings(threads, operations, holdMicros);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), optionNames(e.getMessage()));
        }
        ContentionLab.Report report = ContentionLab.run(settings);
        PrintWriter out = spec.commandLine().getOut();
        if (demo.json()) {
            out.println(Json.tree(report));
        } else {
            printText(out, report);
        }
        return ExitCodes.OK;
    }

    /** The laboratory's words for its settings, before "must be", as this command's options. */
    static String optionNames(String message) {
        int end = message.indexOf(" must be ");
        if (end < 0) {
            return message;
        }
        String names = message.substring(0, end)
                .replace("threads", "--threads")
                .replace("operations", "--operations")
                .replace("hold", "--hold-us");
        return names + message.substring(end);
    }

    static void printText(PrintWriter out, ContentionLab.Report report) {
        ContentionLab.Settings s = report.settings();
        out.println("contention: " + s.threads() + " threads, " + s.operations() + " operations per thread, each"
                + " holding its account's lock " + s.holdMicros() + " us and depositing 1.00");
        long longest = 1;
        for (ContentionLab.Run run : report.runs()) {
            longest = Math.max(longest, run.elapsedMicros());
        }
        long microsPerColumn = Math.max(1, (longest + WIDTH - 1) / WIDTH); // ceiling: the longest run fits
        for (ContentionLab.Run run : report.runs()) {
            long waitedMicros = 0;
            for (ContentionLab.Interval i : run.intervals()) {
                waitedMicros += i.acquiredMicros() - i.requestedMicros();
            }
            out.println();
            out.println(run.name() + " (" + String.join(", ", run.accounts()) + "): " + ms(run.elapsedMicros())
                    + " ms, " + ms(waitedMicros) + " ms waiting in all"
                    + finished(run, (long) s.threads() * s.operations()));
            Map<String, char[]> rows = timeline(run, microsPerColumn);
            int labelWidth =
                    rows.keySet().stream().mapToInt(String::length).max().orElse(0);
            for (Map.Entry<String, char[]> row : rows.entrySet()) {
                out.println("  " + pad(row.getKey(), labelWidth) + " |" + new String(row.getValue()) + "|");
            }
        }
        out.println();
        out.println("legend: # holding the lock, . waiting for it, blank: not asking; one column = " + microsPerColumn
                + " us");
        out.println("On one account every worker queues for the same lock, so the holds run one after another (the"
                + " lock is not fair: a worker that lets go and asks again may win it back first); on separate"
                + " accounts nobody waits for anybody and the holds run side by side.");
    }

    /**
     * A row per thread, in the order the run lists them, {@link #WIDTH} columns of {@code microsPerColumn} each:
     * waits painted first, holds over them. An interval covers the columns from its start's to its last
     * microsecond's, so even a hold shorter than a column shows.
     */
    static Map<String, char[]> timeline(ContentionLab.Run run, long microsPerColumn) {
        Map<String, char[]> rows = new LinkedHashMap<>();
        for (ContentionLab.Interval i : run.intervals()) {
            rows.computeIfAbsent(i.thread(), t -> blank());
        }
        for (ContentionLab.Interval i : run.intervals()) {
            if (i.acquiredMicros() > i.requestedMicros()) {
                paint(rows.get(i.thread()), i.requestedMicros(), i.acquiredMicros(), microsPerColumn, '.');
            }
        }
        for (ContentionLab.Interval i : run.intervals()) {
            paint(rows.get(i.thread()), i.acquiredMicros(), i.releasedMicros(), microsPerColumn, '#');
        }
        return rows;
    }

    private static char[] blank() {
        char[] row = new char[WIDTH];
        Arrays.fill(row, ' ');
        return row;
    }

    private static void paint(char[] row, long fromMicros, long toMicros, long microsPerColumn, char mark) {
        int first = column(fromMicros, microsPerColumn);
        int last = column(Math.max(fromMicros, toMicros - 1), microsPerColumn);
        Arrays.fill(row, first, last + 1, mark);
    }

    private static int column(long micros, long microsPerColumn) {
        return (int) Math.min(WIDTH - 1, micros / microsPerColumn);
    }

    private static String finished(ContentionLab.Run run, long asked) {
        List<ContentionLab.Interval> intervals = run.intervals();
        return intervals.size() == asked
                ? ""
                : " (stopped at " + ContentionLab.MAX_RUN_MS / 1000 + " s after " + intervals.size() + " of " + asked
                        + " operations)";
    }

    /** Milliseconds with one decimal, from whole microseconds: no floating point near the bank's numbers. */
    private static String ms(long micros) {
        return micros / 1000 + "." + (micros % 1000) / 100;
    }

    private static String pad(String text, int width) {
        return text + " ".repeat(Math.max(0, width - text.length()));
    }
}
