package com.abcbank.lab;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Timeout(60)
class ContentionLabTest {
    /**
     * mutualExclusion: on one account no two intervals overlap, whatever the hold (0 included, where the workers
     * race hardest for the lock); every wait ends after it began and every hold lasts at least the hold asked for;
     * so the run lasts at least threads × operations × hold.
     */
    @ParameterizedTest
    @CsvSource({"1, 5, 0", "8, 50, 0", "16, 20, 0", "4, 5, 2000", "8, 3, 500"})
    void oneAccountHoldsAreSerialised(int threads, int operations, int holdMicros) throws InterruptedException {
        ContentionLab.Settings settings = new ContentionLab.Settings(threads, operations, holdMicros);
        ContentionLab.Run one = ContentionLab.run(settings).runs().get(0);

        assertEquals(ContentionLab.ONE_ACCOUNT, one.name());
        assertEquals(List.of("A"), one.accounts());
        List<ContentionLab.Interval> intervals = one.intervals();
        assertEquals(threads * operations, intervals.size());
        for (ContentionLab.Interval i : intervals) {
            assertEquals("A", i.account());
            assertTrue(i.requestedMicros() >= 0, i.toString());
            assertTrue(i.acquiredMicros() >= i.requestedMicros(), "acquired before requested: " + i);
            assertTrue(i.releasedMicros() - i.acquiredMicros() >= holdMicros, "held too briefly: " + i);
            assertTrue(i.releasedMicros() <= one.elapsedMicros(), i + " after the run's end " + one.elapsedMicros());
        }
        for (int a = 0; a < intervals.size(); a++) {
            for (int b = a + 1; b < intervals.size(); b++) {
                ContentionLab.Interval x = intervals.get(a);
                ContentionLab.Interval y = intervals.get(b);
                if (x.releasedMicros() > y.acquiredMicros() && y.releasedMicros() > x.acquiredMicros()) {
                    fail("two holders of one lock at once: " + x + " and " + y);
                }
            }
        }
        assertTrue(one.elapsedMicros() >= (long) threads * operations * holdMicros, one.elapsedMicros() + " us");
    }

    /**
     * Side by side: on separate accounts, with a 20 ms hold, at least two holds overlap in time. Reliable by design,
     * not by luck: four workers each hold three times 20 ms from one start gate, so for no two to overlap each
     * would have to wait out the others' 60 ms; parked threads need no CPU, so this holds on one or two cores.
     */
    @Test
    void separateAccountsHoldSideBySide() throws InterruptedException {
        ContentionLab.Report report = ContentionLab.run(new ContentionLab.Settings(4, 3, 20_000));
        ContentionLab.Run separate = report.runs().get(1);

        assertEquals(ContentionLab.SEPARATE_ACCOUNTS, separate.name());
        assertEquals(List.of("A", "B", "C", "D"), separate.accounts());
        assertEquals(12, separate.intervals().size());
        Map<String, String> accountOf = separate.intervals().stream()
                .collect(Collectors.toMap(ContentionLab.Interval::thread, ContentionLab.Interval::account, (x, y) -> {
                    assertEquals(x, y, "a worker changed accounts");
                    return x;
                }));
        assertEquals(Map.of("worker-1", "A", "worker-2", "B", "worker-3", "C", "worker-4", "D"), accountOf);
        int overlaps = 0;
        List<ContentionLab.Interval> intervals = separate.intervals();
        for (int a = 0; a < intervals.size(); a++) {
            for (int b = a + 1; b < intervals.size(); b++) {
                ContentionLab.Interval x = intervals.get(a);
                ContentionLab.Interval y = intervals.get(b);
                if (x.acquiredMicros() < y.releasedMicros() && y.acquiredMicros() < x.releasedMicros()) {
                    overlaps++;
                }
            }
        }
        assertTrue(overlaps >= 1, "no two holds overlapped on separate accounts: " + intervals);
        for (ContentionLab.Interval i : intervals) {
            assertTrue(i.acquiredMicros() >= i.requestedMicros(), i.toString());
            assertTrue(i.releasedMicros() - i.acquiredMicros() >= 20_000, i.toString());
        }
    }

    @Test
    void bothRunsDoTheSameWorkWithTheSameWorkers() throws InterruptedException {
        ContentionLab.Report report = ContentionLab.run(new ContentionLab.Settings(3, 4, 100));
        assertEquals(
                List.of(ContentionLab.ONE_ACCOUNT, ContentionLab.SEPARATE_ACCOUNTS),
                report.runs().stream().map(ContentionLab.Run::name).toList());
        for (ContentionLab.Run run : report.runs()) {
            assertEquals(12, run.intervals().size(), run.name());
            Map<String, Long> perThread = run.intervals().stream()
                    .collect(Collectors.groupingBy(ContentionLab.Interval::thread, Collectors.counting()));
            assertEquals(Map.of("worker-1", 4L, "worker-2", 4L, "worker-3", 4L), perThread, run.name());
        }
    }

    /** Money conserved: each account ends with what it had plus one deposit per operation on it, no more, no less. */
    @ParameterizedTest
    @CsvSource({"1, 1", "1, 5", "5, 1", "5, 5"})
    void depositsAreAllThereAfterARun(int accountCount, int threads) throws InterruptedException {
        List<LabAccount> accounts = ContentionLab.accounts(accountCount);
        for (LabAccount account : accounts) {
            account.balanceCents = 1_000L * account.id; // not zero: the deposits add to what was there
        }
        ContentionLab.Settings settings = new ContentionLab.Settings(threads, 30, 0);
        ContentionLab.Run run = ContentionLab.run(settings, "test", accounts);

        assertEquals(threads * 30, run.intervals().size());
        long total = 0;
        for (LabAccount account : accounts) {
            long operations = run.intervals().stream()
                    .filter(i -> i.account().equals(ContentionLab.name(account)))
                    .count();
            assertEquals(1_000L * account.id + operations * ContentionLab.DEPOSIT_CENTS, account.balanceCents);
            total += account.balanceCents - 1_000L * account.id;
        }
        assertEquals(threads * 30L * ContentionLab.DEPOSIT_CENTS, total);
    }

    @Test
    void settingsOutOfBoundsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new ContentionLab.Settings(0, 5, 0));
        assertThrows(IllegalArgumentException.class, () -> new ContentionLab.Settings(17, 5, 0));
        assertThrows(IllegalArgumentException.class, () -> new ContentionLab.Settings(4, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new ContentionLab.Settings(4, 51, 0));
        assertThrows(IllegalArgumentException.class, () -> new ContentionLab.Settings(4, 5, -1));
        assertThrows(IllegalArgumentException.class, () -> new ContentionLab.Settings(4, 5, 100_001));
        // Each within its bound, together beyond the 5 s of holding.
        IllegalArgumentException total =
                assertThrows(IllegalArgumentException.class, () -> new ContentionLab.Settings(16, 50, 100_000));
        assertEquals(
                "threads * operations * hold must be at most 5000000 us (5 s: the one-account run holds its lock"
                        + " that long): 16 * 50 * 100000 = 80000000 us",
                total.getMessage());
        assertDoesNotThrow(() -> new ContentionLab.Settings(10, 50, 10_000)); // exactly at the limit
        assertDoesNotThrow(() -> new ContentionLab.Settings(16, 50, 0));
    }
}
