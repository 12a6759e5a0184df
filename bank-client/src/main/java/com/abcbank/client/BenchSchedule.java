package com.abcbank.client;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * When bench workers may send, and whether what they send counts. Shared by every worker; thread-safe.
 *
 * <p>Three phases, by {@link System#nanoTime}: the warm-up (requests sent then are answered but not counted),
 * the measured phase, and the end, after which nothing new is sent and each worker only reads the replies it is
 * still owed. A request counts when it was <em>sent</em> in the measured phase, however late its reply comes, so
 * in-flight requests at the boundaries are neither lost nor counted twice.
 *
 * <p>With {@code --requests N} the measured phase ends when N tickets are drawn (an {@link AtomicLong} counting
 * down: exactly N requests count, whichever workers send them), or at the time cap, whichever comes first; with
 * {@code --duration} it ends at a time.
 */
final class BenchSchedule {
    /** What {@link #next} allows. */
    enum Ticket {
        WARMUP,
        MEASURED,
        STOP
    }

    private final long measureFromNanos;
    private final long stopAtNanos;
    /** Tickets left with {@code --requests}; null with {@code --duration}. */
    private final AtomicLong requestsLeft;

    private BenchSchedule(long measureFromNanos, long stopAtNanos, AtomicLong requestsLeft) {
        this.measureFromNanos = measureFromNanos;
        this.stopAtNanos = stopAtNanos;
        this.requestsLeft = requestsLeft;
    }

    /** Starting now: warm up, then measure for {@code seconds}. */
    static BenchSchedule forDuration(int warmupSeconds, int seconds) {
        long start = System.nanoTime() + TimeUnit.SECONDS.toNanos(warmupSeconds);
        return new BenchSchedule(start, start + TimeUnit.SECONDS.toNanos(seconds), null);
    }

    /** Starting now: warm up, then measure exactly {@code requests} requests, unless {@code capSeconds} pass first. */
    static BenchSchedule forRequests(int warmupSeconds, long requests, int capSeconds) {
        long start = System.nanoTime() + TimeUnit.SECONDS.toNanos(warmupSeconds);
        return new BenchSchedule(start, start + TimeUnit.SECONDS.toNanos(capSeconds), new AtomicLong(requests));
    }

    /** May the caller send one more request now, and does it count? {@link Ticket#STOP} is for good. */
    Ticket next() {
        long now = System.nanoTime();
        if (now - measureFromNanos < 0) {
            return Ticket.WARMUP;
        }
        if (now - stopAtNanos >= 0) {
            return Ticket.STOP;
        }
        if (requestsLeft == null) {
            return Ticket.MEASURED;
        }
        // Drawn below zero by a late caller: harmless, it only stops; the count of MEASURED stays exactly N.
        return requestsLeft.getAndDecrement() > 0 ? Ticket.MEASURED : Ticket.STOP;
    }

    long measureFromNanos() {
        return measureFromNanos;
    }

    /** Whether the measured phase has begun. */
    boolean measuring() {
        return System.nanoTime() - measureFromNanos >= 0;
    }
}
