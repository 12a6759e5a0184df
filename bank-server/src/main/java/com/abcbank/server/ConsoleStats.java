package com.abcbank.server;

import com.abcbank.journal.DurableLog;
import com.abcbank.ledger.ErrorCode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;
import org.HdrHistogram.Histogram;

/**
 * The console's charts: one {@link Point} a second, the last {@link #KEEP} of them (five minutes), made by
 * {@link #sample} on the HTTP side's scheduler from what {@link BankMetrics} and the journal count anyway. Nothing here
 * runs on a request thread; reading the points copies them under this object's monitor, which only the sampler
 * and readers take.
 */
final class ConsoleStats {
    /** Points kept: five minutes at one a second. */
    static final int KEEP = 300;

    /**
     * One second of the bank.
     *
     * @param t          the second's end, in epoch seconds
     * @param ops        requests answered in it
     * @param p50Us      their median latency, read to flush, in µs (0 when none)
     * @param p99Us      their 99th percentile
     * @param refusals   requests refused in it, by error code (only codes that occurred)
     * @param fsyncs     journal forces in it
     * @param txPerFsync transactions made durable in it per force (0 when no force)
     * @param connections TCP connections open at its end
     */
    record Point(
            long t,
            long ops,
            long p50Us,
            long p99Us,
            Map<String, Long> refusals,
            long fsyncs,
            double txPerFsync,
            int connections) {}

    private final BankMetrics metrics;
    private final DurableLog journal;
    private final IntSupplier connections;
    private final ArrayDeque<Point> points = new ArrayDeque<>(KEEP);
    private final Map<ErrorCode, Long> lastRefusals = new EnumMap<>(ErrorCode.class);
    private long lastForces;
    private long lastDurable;
    private Histogram recycle;
    private volatile Point latest;

    ConsoleStats(BankMetrics metrics, DurableLog journal, IntSupplier connections) {
        this.metrics = metrics;
        this.journal = journal;
        this.connections = connections;
        this.lastForces = journal.forces();
        this.lastDurable = journal.durableSeq();
        for (ErrorCode code : ErrorCode.values()) {
            lastRefusals.put(code, metrics.refusals(code));
        }
        recycle = metrics.intervalLatencies(null); // starts the first interval now
    }

    /** Closes the second that ends now: one new point. Called by one thread (the sampler). */
    void sample(long epochSeconds) {
        Histogram latencies = metrics.intervalLatencies(recycle);
        recycle = latencies;
        Map<String, Long> refusals = new LinkedHashMap<>();
        for (ErrorCode code : ErrorCode.values()) {
            long now = metrics.refusals(code);
            long delta = now - lastRefusals.put(code, now);
            if (delta > 0) {
                refusals.put(code.name(), delta);
            }
        }
        long forces = journal.forces();
        long durable = journal.durableSeq();
        long fsyncs = forces - lastForces;
        long transactions = durable - lastDurable;
        lastForces = forces;
        lastDurable = durable;
        long ops = latencies.getTotalCount();
        Point point = new Point(
                epochSeconds,
                ops,
                ops == 0 ? 0 : latencies.getValueAtPercentile(50),
                ops == 0 ? 0 : latencies.getValueAtPercentile(99),
                refusals,
                fsyncs,
                fsyncs == 0 ? 0 : Math.round(10.0 * transactions / fsyncs) / 10.0,
                connections.getAsInt());
        synchronized (this) {
            if (points.size() == KEEP) {
                points.removeFirst();
            }
            points.addLast(point);
        }
        latest = point;
    }

    /** The newest point, or {@code null} before the first second ends. */
    Point latest() {
        return latest;
    }

    /** The points kept, oldest first. */
    synchronized List<Point> points() {
        return new ArrayList<>(points);
    }
}
