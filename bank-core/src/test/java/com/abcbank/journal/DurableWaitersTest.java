package com.abcbank.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Each waiter returns once the progress covers its own sequence number, not before, and never waits for ever. */
class DurableWaitersTest {
    private static final long LONG_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final DurableWaiters waiters = new DurableWaiters();
    private final AtomicLong progress = new AtomicLong();
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        threads.shutdownNow();
    }

    private CompletableFuture<DurableWaiters.Ended> waitFor(long seq, long timeoutNanos) {
        return CompletableFuture.supplyAsync(
                () -> waiters.await(progress::get, seq, stopped::get, timeoutNanos), threads);
    }

    @Test
    void aReleaseReturnsExactlyTheWaitersItCovers() throws Exception {
        List<CompletableFuture<DurableWaiters.Ended>> waiting = new ArrayList<>();
        for (long seq = 1; seq <= 6; seq++) {
            waiting.add(waitFor(seq, LONG_NANOS));
        }
        progress.set(3);
        waiters.release(3);
        for (int i = 0; i < 3; i++) {
            assertEquals(DurableWaiters.Ended.REACHED, waiting.get(i).get(10, TimeUnit.SECONDS));
        }
        // The others still wait: each gets a bounded chance to return, and must not.
        for (int i = 3; i < 6; i++) {
            assertFalse(waiting.get(i).isDone(), "waiter " + (i + 1) + " returned before its transaction was kept");
        }
        progress.set(6);
        waiters.release(6);
        for (int i = 3; i < 6; i++) {
            assertEquals(DurableWaiters.Ended.REACHED, waiting.get(i).get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void progressPublishedBeforeTheWaiterArrivesIsSeenWithoutARelease() throws Exception {
        progress.set(5);
        assertEquals(DurableWaiters.Ended.REACHED, waitFor(5, LONG_NANOS).get(10, TimeUnit.SECONDS));
    }

    @Test
    void aStopReleasesEveryoneAndATimeoutEndsTheWait() throws Exception {
        CompletableFuture<DurableWaiters.Ended> stuck = waitFor(10, LONG_NANOS);
        assertEquals(
                DurableWaiters.Ended.TIMED_OUT,
                waitFor(10, TimeUnit.MILLISECONDS.toNanos(50)).get(10, TimeUnit.SECONDS));
        stopped.set(true);
        waiters.releaseAll();
        assertEquals(DurableWaiters.Ended.STOPPED, stuck.get(10, TimeUnit.SECONDS));
    }

    @Test
    void manyWaitersAndAReleaserRacingNeverLoseAWakeUp() throws Exception {
        List<CompletableFuture<DurableWaiters.Ended>> waiting = new ArrayList<>();
        for (long seq = 1; seq <= 2_000; seq++) {
            waiting.add(waitFor(seq % 200 + 1, LONG_NANOS));
        }
        for (long seq = 1; seq <= 200; seq++) {
            progress.set(seq);
            waiters.release(seq);
        }
        for (CompletableFuture<DurableWaiters.Ended> waiter : waiting) {
            assertEquals(DurableWaiters.Ended.REACHED, waiter.get(10, TimeUnit.SECONDS));
        }
    }
}
