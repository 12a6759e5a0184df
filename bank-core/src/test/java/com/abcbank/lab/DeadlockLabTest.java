package com.abcbank.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class DeadlockLabTest {
    @RepeatedTest(20) // each repetition deadlocks anew; the abandon must leave the balances alone every time
    void argumentOrderDeadlocksIsFoundAndTheOrderedProtocolFinishes() throws InterruptedException {
        DeadlockLab.Report report = DeadlockLab.run();

        assertTrue(report.detected(), "the JVM did not report the deadlock");
        assertTrue(
                report.detectedAfterMs() <= DeadlockLab.BOUND_MS + 500, "found too late: " + report.detectedAfterMs());
        Map<String, DeadlockLab.Stuck> byThread =
                report.stuck().stream().collect(Collectors.toMap(DeadlockLab.Stuck::thread, s -> s));
        assertEquals(2, byThread.size());
        DeadlockLab.Stuck forward = byThread.get("lab-transfer-1-to-2");
        DeadlockLab.Stuck backward = byThread.get("lab-transfer-2-to-1");
        assertEquals(List.of("account 1"), forward.holds());
        assertEquals("account 2", forward.waitsFor());
        assertEquals("lab-transfer-2-to-1", forward.owner());
        assertEquals(List.of("account 2"), backward.holds());
        assertEquals("account 1", backward.waitsFor());
        assertEquals("lab-transfer-1-to-2", backward.owner());
        assertTrue(forward.lockName().contains("ReentrantLock"), forward.lockName());

        assertTrue(report.abandoned(), "the stuck workers did not end after the interrupt");
        assertEquals(
                List.of(100_000L, 100_000L), report.balancesAfterAbandonCents(), "an abandoned worker moved money");
        assertTrue(report.orderedCompleted(), "the ordered protocol did not finish");
        assertEquals(report.totalBeforeCents(), report.totalAfterCents());
        // 1 -> 2: 100.00, 2 -> 1: 50.00, both applied once, by the ordered run only.
        assertEquals(List.of(95_000L, 105_000L), report.balancesCents());
    }
}
