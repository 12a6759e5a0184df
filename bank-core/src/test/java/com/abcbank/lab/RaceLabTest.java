package com.abcbank.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Timeout(60)
class RaceLabTest {
    /**
     * The property: with per-account locks in one global order, money is conserved whatever the seed, the window
     * or the contention (two accounts and eight workers contend hardest).
     */
    @ParameterizedTest
    @CsvSource({"1, 8, 3, 0", "2, 8, 2, 0", "3, 4, 5, 0", "4, 8, 3, 20", "5, 16, 2, 0", "6, 2, 3, 50"})
    void safeLedgerConservesMoney(long seed, int threads, int accounts, int windowMicros) throws InterruptedException {
        RaceLab.Run safe = RaceLab.run(new RaceLab.Settings(threads, accounts, 300, windowMicros, seed))
                .safe();
        assertTrue(safe.finished());
        assertEquals(threads * 300L, safe.operations());
        assertEquals(safe.expectedCents(), safe.actualCents(), "the safe ledger lost or created money");
        assertTrue(safe.conserved());
    }

    /**
     * lostUpdate: without locks, a widened window loses or creates money. Reliable by design, not by luck: a
     * 200 µs pause between every read and its write, with eight workers on three accounts, means nearly every
     * operation overlaps another on the same account (parkNanos gives the core away, so this holds on one core
     * too), and each overlap overwrites a write computed from a stale balance. Amounts are random to the cent, so
     * the gains and losses of hundreds of lost updates summing to exactly zero is not a practical outcome.
     */
    @Test
    void unsafeLedgerLosesOrCreatesMoneyWithAWideWindow() throws InterruptedException {
        RaceLab.Report report = RaceLab.run(new RaceLab.Settings(8, 3, 200, 200, 42));
        RaceLab.Run unsafe = report.unsafe();
        assertTrue(unsafe.finished());
        assertNotEquals(unsafe.expectedCents(), unsafe.actualCents(), "no lost update in 1600 racing operations");
        assertEquals(unsafe.actualCents() - unsafe.expectedCents(), unsafe.differenceCents());
        assertEquals(report.safe().expectedCents(), report.safe().actualCents());
    }

    @Test
    void expectedTotalCountsOnlyAppliedDepositsAndWithdrawals() throws InterruptedException {
        // One worker cannot race itself: the unsafe ledger is then exact, which checks the bookkeeping of both.
        RaceLab.Report report = RaceLab.run(new RaceLab.Settings(1, 3, 2_000, 0, 7));
        assertEquals(report.unsafe().expectedCents(), report.unsafe().actualCents());
        assertEquals(report.unsafe().actualCents(), report.safe().actualCents(), "same workload, same result");
        assertEquals(report.unsafe().refused(), report.safe().refused());
        assertEquals(300_000, report.unsafe().initialCents());
    }

    @Test
    void settingsOutOfBoundsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new RaceLab.Settings(0, 3, 10, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new RaceLab.Settings(8, 1, 10, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new RaceLab.Settings(8, 3, 0, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new RaceLab.Settings(8, 3, 10, -1, 1));
        assertThrows(IllegalArgumentException.class, () -> new RaceLab.Settings(8, 3, 10, 10_001, 1));
    }
}
