package com.abcbank.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abcbank.ledger.Caller;
import com.abcbank.ledger.ErrorCode;
import com.abcbank.ledger.Outcome;
import com.abcbank.protocol.Request;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The console's live feed as a data structure: who sees what, sampling under load, and nothing without watchers. */
class ActivityFeedTest {
    private static final Caller AUDITOR = Caller.auditor("Audit");
    private static final Caller ALICE = Caller.customer("Alice");
    private static final Caller BOB = Caller.customer("Bob");

    private static void deposit(ActivityFeed feed, Caller caller, int n) {
        var unused = feed.started('t', 1, n, caller, new Request.Deposit("1001", n));
    }

    @Test
    void withNobodyWatchingNothingIsRecorded() {
        ActivityFeed feed = new ActivityFeed(null);
        long head = feed.head();
        deposit(feed, ALICE, 1);
        feed.done("t1.1", ALICE, new Request.Deposit("1001", 1), Outcome.fail(ErrorCode.UNKNOWN_ACCOUNT, "no"), 5);
        assertFalse(feed.watched());
        assertEquals(head, feed.head(), "not even a number was taken");
    }

    @Test
    void aWatcherSeesWhatHappensAfterItCameInOrderWithBothSteps() {
        ActivityFeed feed = new ActivityFeed(null);
        deposit(feed, ALICE, 1); // before anyone watched
        try (ActivityFeed.Watcher watcher = feed.watch(AUDITOR)) {
            deposit(feed, ALICE, 2);
            feed.done(
                    "t1.2",
                    ALICE,
                    new Request.Deposit("1001", 2),
                    Outcome.fail(ErrorCode.UNKNOWN_ACCOUNT, "no"),
                    2_000);
            ActivityFeed.Batch batch = watcher.poll();
            assertEquals(0, batch.skipped());
            assertEquals(2, batch.events().size());
            ActivityFeed.Started started = (ActivityFeed.Started) batch.events().get(0);
            assertEquals("t1.2", started.req());
            assertEquals(2L, started.amount());
            ActivityFeed.Done done = (ActivityFeed.Done) batch.events().get(1);
            assertEquals("UNKNOWN_ACCOUNT", done.code());
            assertEquals(2, done.latencyUs());
            assertTrue(feed.json(done, AUDITOR).contains("\"phase\":\"done\""), feed.json(done, AUDITOR));
            assertEquals(0, watcher.poll().events().size(), "each event once");
        }
        assertFalse(feed.watched(), "the last watcher left");
    }

    @Test
    void aCustomerSeesOnlyTheirOwnAndNothingOfOthersCountsAsSkipped() {
        ActivityFeed feed = new ActivityFeed(null);
        try (ActivityFeed.Watcher alice = feed.watch(ALICE)) {
            for (int i = 0; i < ActivityFeed.BUDGET_PER_TICK; i++) { // within the budget: all recorded
                deposit(feed, i % 2 == 0 ? ALICE : BOB, i);
            }
            ActivityFeed.Batch batch = alice.poll();
            assertEquals(ActivityFeed.BUDGET_PER_TICK / 2, batch.events().size(), "all of hers");
            assertEquals(0, batch.skipped(), "Bob's are not hers to count");
            assertTrue(batch.events().stream()
                    .allMatch(e -> ((ActivityFeed.Started) e).user().equals("Alice")));
        }
    }

    @Test
    void underAFloodOnlyTheBudgetIsRecordedAndTheWatcherIsToldHowManyItMissed() {
        ActivityFeed feed = new ActivityFeed(null);
        try (ActivityFeed.Watcher watcher = feed.watch(AUDITOR)) {
            long head = feed.head();
            int published = 3 * ActivityFeed.SLOTS;
            for (int i = 0; i < published; i++) {
                deposit(feed, ALICE, i);
            }
            assertEquals(
                    head + ActivityFeed.BUDGET_PER_TICK,
                    feed.head(),
                    "past the tick's budget a step is counted, not recorded: the flood cost a counter each");
            ActivityFeed.Batch batch = watcher.poll();
            assertEquals(ActivityFeed.MAX_PER_TICK, batch.events().size());
            assertEquals(published, batch.events().size() + batch.skipped(), "every step is sent or counted");
            long previous = -1;
            for (ActivityFeed.Event event : batch.events()) {
                assertTrue(event.number() > previous, "in the order they were recorded");
                previous = event.number();
            }
        }
    }

    @Test
    void aCustomerIsToldOnlyOfTheirOwnStepsThatWereNotRecorded() {
        ActivityFeed feed = new ActivityFeed(null);
        try (ActivityFeed.Watcher alice = feed.watch(ALICE);
                ActivityFeed.Watcher auditor = feed.watch(AUDITOR)) {
            for (int i = 0; i < ActivityFeed.BUDGET_PER_TICK; i++) {
                deposit(feed, BOB, i); // spends the budget
            }
            for (int i = 0; i < 7; i++) {
                deposit(feed, ALICE, i);
            }
            for (int i = 0; i < 5; i++) {
                deposit(feed, BOB, i);
            }
            ActivityFeed.Batch hers = alice.poll();
            assertEquals(0, hers.events().size());
            assertEquals(7, hers.skipped(), "her own seven, not Bob's");
            ActivityFeed.Batch all = auditor.poll();
            assertEquals(ActivityFeed.BUDGET_PER_TICK + 12, all.events().size() + all.skipped());
        }
    }

    /** Writers never wait for a reader: with a watcher that never polls, writers on many threads finish. */
    @Test
    void writersOnManyThreadsNeverWaitAndAReaderCountsEveryEventOnce() throws Exception {
        ActivityFeed feed = new ActivityFeed(null);
        try (ActivityFeed.Watcher watcher = feed.watch(AUDITOR)) {
            int threads = 4;
            int each = 20_000;
            CountDownLatch go = new CountDownLatch(1);
            List<CompletableFuture<Void>> writers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                writers.add(CompletableFuture.runAsync(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    for (int i = 0; i < each; i++) {
                        deposit(feed, ALICE, i);
                    }
                }));
            }
            go.countDown();
            long seen = 0;
            long skipped = 0;
            CompletableFuture<Void> all = CompletableFuture.allOf(writers.toArray(CompletableFuture[]::new));
            while (!all.isDone()) {
                ActivityFeed.Batch batch = watcher.poll();
                seen += batch.events().size();
                skipped += batch.skipped();
            }
            all.get(60, TimeUnit.SECONDS);
            ActivityFeed.Batch last = watcher.poll();
            seen += last.events().size();
            skipped += last.skipped();
            assertEquals((long) threads * each, seen + skipped, "each event sent or counted as skipped, once");
        }
    }

    /** A watcher stuck for ever (a browser's write blocked) while four threads write: they all finish. */
    @Test
    void aWatcherThatNeverReadsHoldsUpNoWriter() throws Exception {
        ActivityFeed feed = new ActivityFeed(null);
        CountDownLatch stuck = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        Thread watcherThread = new Thread(() -> {
            try (ActivityFeed.Watcher watcher = feed.watch(AUDITOR)) {
                watcher.poll();
                stuck.countDown();
                never.await(); // as a write to a browser that stopped reading
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        watcherThread.start();
        assertTrue(stuck.await(10, TimeUnit.SECONDS));
        List<CompletableFuture<Void>> writers = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            writers.add(CompletableFuture.runAsync(() -> {
                for (int i = 0; i < 50_000; i++) {
                    deposit(feed, ALICE, i);
                    feed.done("t1." + i, ALICE, new Request.Deposit("1001", i), Outcome.ok("done"), 1);
                }
            }));
        }
        CompletableFuture.allOf(writers.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        assertTrue(feed.watched(), "the stuck watcher is still there");
        assertEquals(Thread.State.WAITING, watcherThread.getState());
        never.countDown();
        watcherThread.join(10_000);
    }

    @Test
    void aCustomerHasAtMostTwoFeedsWhateverTheirSessions() {
        ActivityFeed feed = new ActivityFeed(null);
        ActivityFeed.Watcher first = feed.watch(ALICE);
        ActivityFeed.Watcher second = feed.watch(ALICE);
        assertNull(feed.watch(ALICE));
        ActivityFeed.Watcher bobs = feed.watch(BOB);
        assertTrue(bobs != null, "Bob's places are his own");
        first.close();
        ActivityFeed.Watcher again = feed.watch(ALICE);
        assertTrue(again != null, "one came free");
        List.of(second, bobs, again).forEach(ActivityFeed.Watcher::close);
    }

    @Test
    void noMoreThanTheLimitOfWatchers() {
        ActivityFeed feed = new ActivityFeed(null);
        List<ActivityFeed.Watcher> watchers = new ArrayList<>();
        for (int i = 0; i < ActivityFeed.MAX_WATCHERS; i++) {
            watchers.add(feed.watch(AUDITOR));
        }
        assertNull(feed.watch(AUDITOR));
        watchers.get(0).close();
        ActivityFeed.Watcher again = feed.watch(AUDITOR);
        assertTrue(again != null, "a place came free");
        again.close();
        watchers.forEach(ActivityFeed.Watcher::close);
        assertFalse(feed.watched());
    }
}
