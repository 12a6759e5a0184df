package com.abcbank.server;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's periodic housekeeping (snapshots, forgetting old keys, reaping stuck writers), run so that one
 * failure is neither silent nor final.
 *
 * <p>Why: {@link ScheduledExecutorService#scheduleWithFixedDelay} reports a task's exception only through the
 * future it returns, and never runs that task again. Nobody waits on those futures, so a task that threw once
 * would stop for good without a word: no more snapshots, stuck writers never reaped, keys never forgotten. Here a
 * {@link RuntimeException} is logged (with the task's name, exception last) and the task runs again at its next
 * turn. An {@link Error} is logged and rethrown: the JVM is in trouble, and retrying every second would only
 * repeat it.
 *
 * <p>The futures are not kept: {@code shutdownNow()} of the scheduler, at close, cancels every periodic task.
 */
final class Periodic {
    private static final Logger log = LoggerFactory.getLogger(Periodic.class);

    private Periodic() {}

    /** Runs {@code task} every {@code delay} (after the previous run ends), first after one {@code delay}. */
    static void every(ScheduledExecutorService scheduler, long delay, TimeUnit unit, String name, Runnable task) {
        ScheduledFuture<?> unused = scheduler.scheduleWithFixedDelay(logged(name, task), delay, delay, unit);
    }

    /** {@code task}, made to log an exception instead of ending its schedule. Package-private for the tests. */
    static Runnable logged(String name, Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                log.error("periodic task '{}' failed; it runs again at its next turn", name, e);
            } catch (Error e) {
                log.error("periodic task '{}' failed with an error; it stops", name, e);
                throw e;
            }
        };
    }
}
