package com.abcbank.server;

/** Lets the benchmarks (another package) read the server's journal counters, which are package-private. */
public final class BenchAccess {
    private BenchAccess() {}

    public static long forces(BankServer server) {
        return server.journal().forces();
    }
}
