package com.abcbank.client;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Runs the bench's workers, one thread each, prints a progress line every second to standard error (like
 * {@code pgbench -P 1}), and gathers what they measured once they have all stopped.
 *
 * <p>The calling thread is the progress thread: each second it takes every worker's interval histogram
 * ({@link BenchWorker#interval}) and adds it to the running total, so the line shows the ops of that second and
 * the p50 and p99 of the measured phase so far. Waiting is bounded: the workers stop by themselves at the end of
 * the schedule and each of their reads has a timeout; should one still be running {@code graceMs} after the
 * schedule's end, its connection is closed under it, which ends its read at once.
 */
final class BenchRunner {
    /** What the workers measured together. {@code errors}: code to count, sorted by code. */
    record Outcome(Histogram latencies, long elapsedNanos, Map<String, Long> errors, String failure) {}

    private static final long TICK_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final List<BenchWorker> workers;
    private final List<BankConnection> connections;
    private final BenchSchedule schedule;
    private final PrintWriter err;
    /** The progress thread's: the last second of every worker together. */
    private final Histogram second = newHistogram();

    BenchRunner(List<BenchWorker> workers, List<BankConnection> connections, BenchSchedule schedule, PrintWriter err) {
        this.workers = workers;
        this.connections = connections;
        this.schedule = schedule;
        this.err = err;
    }

    /** Runs every worker to its end, or until {@code deadlineNanos} ({@link System#nanoTime}) plus the grace. */
    Outcome run(long deadlineNanos, long graceMs) throws InterruptedException {
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < workers.size(); i++) {
            Thread thread = new Thread(workers.get(i), "bench-" + i);
            thread.setDaemon(true); // a stuck worker must not keep the client alive
            threads.add(thread);
        }
        threads.forEach(Thread::start);
        Histogram total = newHistogram();
        long nextTick = schedule.measureFromNanos() + TICK_NANOS;
        long hardStop = deadlineNanos + TimeUnit.MILLISECONDS.toNanos(graceMs);
        for (Thread thread : threads) {
            while (thread.isAlive()) {
                long now = System.nanoTime();
                if (now - hardStop >= 0) {
                    connections.forEach(BankConnection::close); // ends every blocked read: bounded, not polite
                    thread.join(graceMs);
                    break;
                }
                long waitNanos = Math.min(nextTick, hardStop) - now;
                if (waitNanos > 0) {
                    TimeUnit.NANOSECONDS.timedJoin(thread, waitNanos);
                }
                if (System.nanoTime() - nextTick >= 0) {
                    tick(total, nextTick);
                    nextTick += TICK_NANOS;
                }
            }
        }
        long elapsedNanos = System.nanoTime() - schedule.measureFromNanos();
        for (BenchWorker worker : workers) {
            total.add(worker.interval());
        }
        Map<String, Long> errors = new TreeMap<>();
        String failure = null;
        for (BenchWorker worker : workers) {
            worker.errors().forEach((code, count) -> errors.merge(code, count, Long::sum));
            failure = failure != null ? failure : worker.failure();
        }
        return new Outcome(total, Math.max(elapsedNanos, 1), errors, failure);
    }

    /** Adds the last second to the total and prints one progress line. */
    private void tick(Histogram total, long tickNanos) {
        second.reset();
        for (BenchWorker worker : workers) {
            second.add(worker.interval());
        }
        total.add(second);
        err.println(BenchReport.progress(tickNanos - schedule.measureFromNanos(), second.getTotalCount(), total));
        err.flush();
    }

    static Histogram newHistogram() {
        return new Histogram(BenchWorker.LOWEST_NANOS, BenchWorker.HIGHEST_NANOS, BenchWorker.DIGITS);
    }
}
