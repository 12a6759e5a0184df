package com.abcbank.client;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Runs the bench's event loops, one thread each, prints a progress line every second to standard error (like
 * {@code pgbench -P 1}), and gathers what they measured once they have all stopped.
 *
 * <p>The calling thread is the progress thread: each second it takes every loop's interval histogram
 * ({@link BenchTally#interval}) and adds it to the running total, so the line shows the ops of that second and
 * the p50 and p99 of the measured phase so far. Waiting is bounded: the loops stop by themselves at the end of
 * the schedule, and each ends a connection that waits longer than the read timeout; should one still be running
 * {@code graceMs} after the schedule's end, it is halted ({@link BenchLoop#halt}), which ends it at once.
 */
final class BenchRunner {
    /** What the loops measured together. {@code errors}: code to count, sorted by code. */
    record Outcome(Histogram latencies, long elapsedNanos, Map<String, Long> errors, String failure) {}

    private static final long TICK_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final List<BenchLoop> loops;
    private final BenchSchedule schedule;
    private final PrintWriter err;
    /** The progress thread's: the last second of every loop together. */
    private final Histogram second = BenchTally.newHistogram();

    BenchRunner(List<BenchLoop> loops, BenchSchedule schedule, PrintWriter err) {
        this.loops = loops;
        this.schedule = schedule;
        this.err = err;
    }

    /** Runs every loop to its end, or until {@code deadlineNanos} ({@link System#nanoTime}) plus the grace. */
    Outcome run(long deadlineNanos, long graceMs) throws InterruptedException {
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < loops.size(); i++) {
            Thread thread = new Thread(loops.get(i), "bench-loop-" + i);
            thread.setDaemon(true); // a stuck loop must not keep the client alive
            threads.add(thread);
        }
        threads.forEach(Thread::start);
        Histogram total = BenchTally.newHistogram();
        long nextTick = schedule.measureFromNanos() + TICK_NANOS;
        long hardStop = deadlineNanos + TimeUnit.MILLISECONDS.toNanos(graceMs);
        for (Thread thread : threads) {
            while (thread.isAlive()) {
                long now = System.nanoTime();
                if (now - hardStop >= 0) {
                    loops.forEach(BenchLoop::halt); // bounded, not polite: unanswered requests count as lost
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
        for (BenchLoop loop : loops) {
            total.add(loop.tally().interval());
        }
        Map<String, Long> errors = new TreeMap<>();
        String failure = null;
        for (BenchLoop loop : loops) {
            loop.tally().errors().forEach((code, count) -> errors.merge(code, count, Long::sum));
            failure = failure != null ? failure : loop.tally().failure();
        }
        return new Outcome(total, Math.max(elapsedNanos, 1), errors, failure);
    }

    /** Adds the last second to the total and prints one progress line. */
    private void tick(Histogram total, long tickNanos) {
        second.reset();
        for (BenchLoop loop : loops) {
            second.add(loop.tally().interval());
        }
        total.add(second);
        err.println(BenchReport.progress(tickNanos - schedule.measureFromNanos(), second.getTotalCount(), total));
        err.flush();
    }
}
