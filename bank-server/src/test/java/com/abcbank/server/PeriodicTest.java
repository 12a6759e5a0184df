package com.abcbank.server;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A periodic task that throws is logged and keeps its schedule; without the wrapper it would stop for good. */
class PeriodicTest {
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() throws InterruptedException {
        scheduler.shutdownNow();
        assertTrue(scheduler.awaitTermination(10, SECONDS));
    }

    @Test
    void aTaskThatThrowsRunsAgainAtItsNextTurn() {
        CountDownLatch runs = new CountDownLatch(3);
        ScheduledFuture<?> future = scheduler.scheduleWithFixedDelay(
                Periodic.logged("always fails", () -> {
                    runs.countDown();
                    throw new IllegalStateException("boom");
                }),
                1,
                1,
                MILLISECONDS);
        assertTrue(await(runs), "the task stopped after a failure");
        assertFalse(future.isDone(), "the schedule ended");
    }

    @Test
    void withoutTheWrapperOneFailureEndsTheScheduleSilently() {
        ScheduledFuture<?> future = scheduler.scheduleWithFixedDelay(
                () -> {
                    throw new IllegalStateException("boom");
                },
                1,
                1,
                MILLISECONDS);
        ExecutionException e = assertThrows(ExecutionException.class, () -> future.get(10, SECONDS));
        assertInstanceOf(IllegalStateException.class, e.getCause());
    }

    @Test
    void everyRunsTheTaskRepeatedlyThroughFailures() {
        CountDownLatch runs = new CountDownLatch(3);
        Periodic.every(scheduler, 1, MILLISECONDS, "fails every time", () -> {
            runs.countDown();
            throw new IllegalStateException("boom");
        });
        assertTrue(await(runs), "the task stopped after a failure");
    }

    private static boolean await(CountDownLatch latch) {
        try {
            return latch.await(10, SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
