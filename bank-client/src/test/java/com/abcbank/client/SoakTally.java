package com.abcbank.client;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;

/**
 * What the soak's workers did, counted from every thread at once and taken a minute at a time; and the table and
 * verdict made of the minutes. Replies are counted as ops (ok, or refused by code); faults injected are counted by
 * kind, and so are connections the server closed or broke, which a fault expects and a customer does not.
 */
final class SoakTally {
    /** The codes that must never come back, whatever a client sends: the server's own failures. */
    static final List<String> NEVER = List.of("INTERNAL_ERROR", "STORAGE_FAILED");

    /** Heap growth tolerated from the baseline minute to the last: 20%, or 16 MiB on a small heap. */
    static final double HEAP_GROWTH = 0.20;

    static final long HEAP_SLACK_BYTES = 16L << 20;

    private final LongAdder ok = new LongAdder();
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> faults = new ConcurrentHashMap<>();
    private final AtomicBoolean throttled = new AtomicBoolean();
    private final Map<String, LongAdder> never = new ConcurrentHashMap<>();

    /** One reply: {@code null} for ok, else its error code. */
    void reply(String code) {
        if (code == null) {
            ok.increment();
            return;
        }
        errors.computeIfAbsent(code, c -> new LongAdder()).increment();
        if (code.equals("THROTTLED")) {
            throttled.set(true);
        }
        if (NEVER.contains(code)) {
            never.computeIfAbsent(code, c -> new LongAdder()).increment();
        }
    }

    /** One fault injected, or one thing that happened to a connection ({@code closed by server}, say). */
    void fault(String kind) {
        faults.computeIfAbsent(kind, k -> new LongAdder()).increment();
    }

    boolean throttledEver() {
        return throttled.get();
    }

    /** The counts since the last take, and zero from now on. */
    Counts take() {
        return new Counts(ok.sumThenReset(), drain(errors), drain(faults), drain(never));
    }

    private static Map<String, Long> drain(Map<String, LongAdder> counters) {
        Map<String, Long> taken = new TreeMap<>();
        counters.forEach((name, count) -> {
            long n = count.sumThenReset();
            if (n > 0) {
                taken.put(name, n);
            }
        });
        return taken;
    }

    record Counts(long ok, Map<String, Long> errors, Map<String, Long> faults, Map<String, Long> never) {
        long ops() {
            return ok + errors.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /** One row of the table. {@code heapBytes}: after a full GC, -1 if unknown. */
    record Minute(int minute, Counts counts, long heapBytes, String verify, String books) {
        boolean verified() {
            return verify.startsWith("ok");
        }

        boolean balanced() {
            return books.equals("sum 0");
        }

        String line() {
            return String.format(
                    Locale.ROOT,
                    "minute %d: %d ops, heap after GC %s, verify %s, books %s",
                    minute,
                    counts.ops(),
                    mib(heapBytes),
                    verify,
                    books);
        }
    }

    static String mib(long bytes) {
        return bytes < 0 ? "?" : String.format(Locale.ROOT, "%.1f", bytes / 1048576.0);
    }

    private static String counts(Map<String, Long> counts) {
        return counts.isEmpty()
                ? "-"
                : counts.entrySet().stream()
                        .map(e -> e.getKey() + " " + e.getValue())
                        .collect(Collectors.joining(", "));
    }

    /** Prints the table and the verdict; returns the exit code (0: every check held). */
    static int report(List<Minute> rows, boolean serverAlive, boolean throttledEver, PrintStream out) {
        out.println(
                "| minute | ops | ok | errors by code | faults and closes | heap after GC (MiB) | verify | books |");
        out.println("|---:|---:|---:|---|---|---:|---|---|");
        for (Minute row : rows) {
            out.printf(
                    Locale.ROOT,
                    "| %d | %d | %d | %s | %s | %s | %s | %s |%n",
                    row.minute(),
                    row.counts().ops(),
                    row.counts().ok(),
                    counts(row.counts().errors()),
                    counts(row.counts().faults()),
                    mib(row.heapBytes()),
                    row.verify(),
                    row.books());
        }
        out.println();
        boolean verified = !rows.isEmpty() && rows.stream().allMatch(Minute::verified);
        boolean balanced = !rows.isEmpty() && rows.stream().allMatch(Minute::balanced);
        long never = rows.stream()
                .flatMap(row -> row.counts().never().values().stream())
                .mapToLong(Long::longValue)
                .sum();
        String heap = heapVerdict(rows);
        out.println("verdict:");
        out.println("- server alive at the end: " + (serverAlive ? "yes" : "NO"));
        out.println("- verify passed every minute: " + (verified ? "yes" : "NO"));
        out.println("- books balanced (sum 0) every minute: " + (balanced ? "yes" : "NO"));
        out.println("- login flood throttled: " + (throttledEver ? "yes (THROTTLED seen)" : "NO (never THROTTLED)"));
        out.println("- internal or storage errors: " + (never == 0 ? "none" : never + " (" + NEVER + ")"));
        out.println("- heap: " + heap);
        boolean pass = serverAlive && verified && balanced && throttledEver && never == 0;
        out.println("=> " + (pass ? "PASS" : "FAIL"));
        return pass ? 0 : 1;
    }

    /**
     * Whether the heap after GC stayed flat: the last minute's against minute 2's (minute 1 holds the start-up and
     * the set-up; with fewer than 3 minutes, minute 1's), within {@link #HEAP_GROWTH} or {@link #HEAP_SLACK_BYTES}.
     * Reported, not a failure by itself: the bank's state grows legitimately (idempotency keys are kept a day).
     */
    static String heapVerdict(List<Minute> rows) {
        if (rows.size() < 2) {
            return "one sample only: run at least 2 minutes to compare";
        }
        Minute base = rows.size() >= 3 ? rows.get(1) : rows.get(0);
        Minute last = rows.get(rows.size() - 1);
        if (base.heapBytes() < 0 || last.heapBytes() < 0) {
            return "unknown (jcmd gave no figure)";
        }
        long allowed = Math.max((long) (base.heapBytes() * (1 + HEAP_GROWTH)), base.heapBytes() + HEAP_SLACK_BYTES);
        boolean flat = last.heapBytes() <= allowed;
        return String.format(
                Locale.ROOT,
                "%s: minute %d %s MiB -> minute %d %s MiB (%+.1f%%; allowed up to %s MiB)",
                flat ? "flat" : "GREW",
                base.minute(),
                mib(base.heapBytes()),
                last.minute(),
                mib(last.heapBytes()),
                100.0 * (last.heapBytes() - base.heapBytes()) / base.heapBytes(),
                mib(allowed));
    }
}
