package com.abcbank.server;

import java.time.Duration;

/** Lets the benchmarks (another package) read the server's package-private counters and settings. */
public final class BenchAccess {
    private BenchAccess() {}

    public static long forces(BankServer server) {
        return server.journal().forces();
    }

    /** How long the server remembers idempotency keys: the window of the keys a snapshot carries. */
    public static Duration keyWindow() {
        return SnapshotSchedule.KEY_WINDOW;
    }
}
