package com.abcbank.client;

import com.abcbank.protocol.Json;
import com.abcbank.protocol.Result;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.HdrHistogram.Histogram;

/**
 * What {@code client bench} prints: the progress line each second, and at the end either text for a person or
 * (with {@code --json}) one JSON object on one line for a script.
 *
 * <p>The JSON keys are an interface ({@code scripts/bench_compare.sh} reads them): {@code connections, pipeline,
 * mix, hot, accounts, seconds, ops, ops_per_sec, p50_ms, p90_ms, p99_ms, p999_ms, max_ms, errors} (code to count),
 * {@code books} ({@code ok}, {@code unbalanced} or {@code skipped}) and {@code transactions} (the bank's count at the
 * end; absent when the books were not checked) and {@code threads} (the load generator's event loops).
 * Add keys; never rename one. Times are counted in {@code long} nanoseconds and shown as {@link BigDecimal}
 * milliseconds with three places, so no rounding of binary fractions shows in a figure.
 */
final class BenchReport {
    /** The run's settings, as given. */
    record Settings(int connections, int pipeline, String mix, int hot, int accounts, int threads) {}

    /** How the books check ended. */
    enum Books {
        OK,
        UNBALANCED,
        SKIPPED;

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final Settings settings;
    private final BenchRunner.Outcome outcome;
    private final Books books;
    /** The auditor's report, or null when the check was skipped. */
    private final Result.Report report;

    BenchReport(Settings settings, BenchRunner.Outcome outcome, Books books, Result.Report report) {
        this.settings = settings;
        this.outcome = outcome;
        this.books = books;
        this.report = report;
    }

    /** {@code progress: 3 s, 10234 ops/s, p50 1.234 ms, p99 4.567 ms} (p50 and p99 of the whole run so far). */
    static String progress(long elapsedNanos, long opsThisSecond, Histogram soFar) {
        return "progress: " + BigDecimal.valueOf(elapsedNanos / 1_000_000, 3).setScale(1, RoundingMode.HALF_UP)
                + " s, " + opsThisSecond + " ops/s, p50 " + ms(soFar.getValueAtPercentile(50)) + " ms, p99 "
                + ms(soFar.getValueAtPercentile(99)) + " ms";
    }

    void printText(PrintWriter out) {
        Histogram latencies = outcome.latencies();
        out.println("bench: " + settings.mix() + ", " + settings.connections() + " connections, pipeline "
                + settings.pipeline() + ", hot " + settings.hot() + "%, " + settings.accounts() + " accounts, "
                + settings.threads() + (settings.threads() == 1 ? " thread" : " threads"));
        out.println("ops: " + latencies.getTotalCount() + " in " + seconds() + " s: " + opsPerSecond() + " ops/s");
        out.println("latency ms: p50 " + ms(latencies.getValueAtPercentile(50)) + ", p90 "
                + ms(latencies.getValueAtPercentile(90)) + ", p99 " + ms(latencies.getValueAtPercentile(99))
                + ", p99.9 " + ms(latencies.getValueAtPercentile(99.9)) + ", max " + ms(latencies.getMaxValue()));
        out.println("errors: "
                + (outcome.errors().isEmpty()
                        ? "none"
                        : outcome.errors().entrySet().stream()
                                .map(e -> e.getKey() + " " + e.getValue())
                                .collect(Collectors.joining(", "))));
        out.println("books: " + booksText());
    }

    private String booksText() {
        if (report == null) {
            return "skipped (no auditor password: --audit-password-file, or --no-setup)";
        }
        return (books == Books.OK ? "ok" : "UNBALANCED") + ": all balances sum to " + Formats.money(report.sum())
                + (report.balanced() ? ", balanced" : ", not balanced") + ", " + report.transactions()
                + " transactions";
    }

    /** One JSON object, one line. */
    String json() {
        Histogram latencies = outcome.latencies();
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("connections", settings.connections());
        figures.put("pipeline", settings.pipeline());
        figures.put("mix", settings.mix());
        figures.put("hot", settings.hot());
        figures.put("accounts", settings.accounts());
        figures.put("seconds", seconds());
        figures.put("ops", latencies.getTotalCount());
        figures.put("ops_per_sec", opsPerSecond());
        figures.put("p50_ms", ms(latencies.getValueAtPercentile(50)));
        figures.put("p90_ms", ms(latencies.getValueAtPercentile(90)));
        figures.put("p99_ms", ms(latencies.getValueAtPercentile(99)));
        figures.put("p999_ms", ms(latencies.getValueAtPercentile(99.9)));
        figures.put("max_ms", ms(latencies.getMaxValue()));
        figures.put("errors", outcome.errors());
        figures.put("books", books.label());
        figures.put("transactions", report == null ? null : report.transactions());
        figures.put("threads", settings.threads());
        return Json.tree(figures).toString(); // Jackson's JsonNode.toString is compact, valid JSON
    }

    private BigDecimal seconds() {
        return BigDecimal.valueOf(outcome.elapsedNanos() / 1_000_000, 3);
    }

    private BigDecimal opsPerSecond() {
        return BigDecimal.valueOf(outcome.latencies().getTotalCount())
                .multiply(BigDecimal.valueOf(1_000_000_000L))
                .divide(BigDecimal.valueOf(outcome.elapsedNanos()), 1, RoundingMode.HALF_UP);
    }

    /** Nanoseconds as milliseconds with three places: {@code 1234567} is {@code 1.235}. */
    static BigDecimal ms(long nanos) {
        return BigDecimal.valueOf(nanos, 6).setScale(3, RoundingMode.HALF_UP);
    }
}
