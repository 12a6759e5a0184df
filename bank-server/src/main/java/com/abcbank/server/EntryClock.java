package com.abcbank.server;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A cluster node's ledger clock: it tells the time of the log entry being applied, set by the apply thread before
 * each command, so that a transaction's time is the leader's stamp on its entry on every node, never the node's
 * own clock. Only the apply thread commits on a cluster node, so only it reads this clock for a transaction.
 */
final class EntryClock extends Clock {
    private volatile Instant now = Instant.EPOCH;

    void set(Instant entryTime) {
        now = entryTime;
    }

    @Override
    public Instant instant() {
        return now;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("the entry clock is UTC only");
    }
}
