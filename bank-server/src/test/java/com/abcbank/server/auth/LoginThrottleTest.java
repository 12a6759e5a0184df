package com.abcbank.server.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The login budget keeps its count whatever the interleaving: attempts that begin, wait for a place and give it back
 * at the same moment never leave a place lost, a negative count or a place taken in a state the table has dropped.
 */
class LoginThrottleTest {
    private static final InetAddress HOME = InetAddress.getLoopbackAddress();

    @Test
    void manyAttemptsTakingAndGivingBackPlacesAtOnceLeaveTheBudgetWhole() throws Exception {
        LoginThrottle throttle = new LoginThrottle(Clock.systemUTC());
        int threads = 16;
        int rounds = 300;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<Integer>> runs = new ArrayList<>();
        try {
            for (int t = 0; t < threads; t++) {
                runs.add(CompletableFuture.supplyAsync(
                        () -> {
                            try {
                                go.await();
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                                return 0;
                            }
                            int admitted = 0;
                            for (int r = 0; r < rounds; r++) {
                                LoginThrottle.Attempt attempt = throttle.begin("victim", HOME, false);
                                if (attempt.refusedFor().isZero()) {
                                    admitted++;
                                    throttle.abandon(attempt); // a login that never sent its proof: no failure
                                }
                            }
                            return admitted;
                        },
                        pool));
            }
            go.countDown();
            int admitted = 0;
            for (CompletableFuture<Integer> run : runs) {
                admitted += run.get(60, TimeUnit.SECONDS);
            }
            assertEquals(threads * rounds, admitted, "abandoned attempts are no failures: every one finds a place");
        } finally {
            pool.shutdownNow();
        }
        // The budget is whole: exactly five failures are checked, the sixth attempt is refused.
        for (int i = 1; i <= LoginThrottle.PAIR_FREE_FAILURES; i++) {
            LoginThrottle.Attempt attempt = throttle.begin("victim", HOME, false);
            assertTrue(attempt.refusedFor().isZero(), "failure " + i + " is checked");
            throttle.end(attempt, false);
        }
        Duration refused = throttle.begin("victim", HOME, false).refusedFor();
        assertFalse(refused.isZero(), "the sixth is refused: no place was lost or made up by the race");
    }

    /**
     * The console's sign-ins run on a shared pool: one that finds its budget taken by attempts in flight is refused at
     * once instead of parking the thread; a connection's own thread waits and gets the place an ended attempt frees.
     */
    @Test
    void withoutWaitingAFullBudgetIsRefusedAtOnceWithWaitingAFreedPlaceIsTaken() throws Exception {
        LoginThrottle throttle = new LoginThrottle(Clock.systemUTC());
        List<LoginThrottle.Attempt> inFlight = new java.util.ArrayList<>();
        for (int i = 0; i < LoginThrottle.PAIR_FREE_FAILURES; i++) {
            inFlight.add(throttle.begin("victim", HOME, false));
        }
        assertFalse(throttle.begin("victim", HOME, false, 0).refusedFor().isZero(), "no place, no wait");

        CompletableFuture<LoginThrottle.Attempt> waiter =
                CompletableFuture.supplyAsync(() -> throttle.begin("victim", HOME, false));
        throttle.abandon(inFlight.get(0)); // frees a place: the waiting attempt takes it
        assertTrue(waiter.get(30, TimeUnit.SECONDS).refusedFor().isZero());
    }

    @Test
    void failuresAreForgivenAfterAQuietQuarterOfAnHour() {
        Instant start = Instant.parse("2026-12-02T10:00:00Z");
        AtomicReference<Instant> now = new AtomicReference<>(start);
        Clock clock = new Clock() {
            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now.get();
            }
        };
        LoginThrottle throttle = new LoginThrottle(clock);
        for (int i = 1; i < LoginThrottle.PAIR_FREE_FAILURES; i++) {
            throttle.end(throttle.begin("victim", HOME, false), false);
        }
        now.set(start.plus(LoginThrottle.FORGET_AFTER).minusSeconds(1));
        throttle.end(throttle.begin("victim", HOME, false), false); // the fifth in a row: blocked now
        assertFalse(throttle.begin("victim", HOME, false).refusedFor().isZero(), "five failures within the window");

        now.set(now.get().plus(LoginThrottle.FORGET_AFTER));
        for (int i = 1; i <= LoginThrottle.PAIR_FREE_FAILURES; i++) {
            LoginThrottle.Attempt attempt = throttle.begin("victim", HOME, false);
            assertTrue(attempt.refusedFor().isZero(), "after a quiet quarter of an hour, failure " + i + " is checked");
            throttle.end(attempt, false);
        }
        assertFalse(throttle.begin("victim", HOME, false).refusedFor().isZero(), "and the budget is five again");
    }
}
