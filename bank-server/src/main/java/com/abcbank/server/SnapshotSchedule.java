package com.abcbank.server;

import com.abcbank.journal.Durability;
import com.abcbank.journal.Journal;
import com.abcbank.journal.SnapshotStore;
import com.abcbank.ledger.Ledger;
import com.abcbank.ledger.LedgerState;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When the bank writes snapshots and forgets old idempotency keys: both follow the same window
 * ({@link #KEY_WINDOW}), because a snapshot carries exactly the keys that are not yet forgotten, so that a retry
 * after a restart is recognised exactly as it would have been without one.
 *
 * <p>Threads: {@link #start} runs {@link #snapshotIfDue} every second and {@link #forgetOldKeys} every minute on
 * the server's scheduler (through {@link Periodic}, so one failure is logged and the next turn still runs); {@link #snapshotAtClose} runs on the closing thread after the scheduler stopped.
 * {@link #snapshot} is {@code synchronized}, so two never overlap. A snapshot never fails the server: it only
 * shortens the next start, and the journal alone still recovers everything.
 */
final class SnapshotSchedule {
    private static final Logger log = LoggerFactory.getLogger(SnapshotSchedule.class);
    /** How long idempotency keys are remembered: a retry later than this runs afresh. */
    static final Duration KEY_WINDOW = Duration.ofHours(24);

    private final ServerConfig config;
    private final Clock clock;
    private final Ledger ledger;
    private final Journal journal;
    private final SnapshotStore snapshots;
    /** The sequence number of the newest snapshot (or of the start). */
    private volatile long lastSnapshotSeq;

    SnapshotSchedule(ServerConfig config, Clock clock, BankState state) {
        this.config = config;
        this.clock = clock;
        this.ledger = state.ledger();
        this.journal = state.journal();
        this.snapshots = state.snapshots();
        this.lastSnapshotSeq = ledger.lastSeq();
    }

    /** Schedules key forgetting and, unless nothing is kept ({@link Durability#NONE}), snapshots. */
    void start(ScheduledExecutorService scheduler) {
        Periodic.every(scheduler, 1, TimeUnit.MINUTES, "forget old keys", this::forgetOldKeys);
        if (keepsSnapshots()) {
            Periodic.every(scheduler, 1, TimeUnit.SECONDS, "snapshot if due", this::snapshotIfDue);
        }
    }

    /** The oldest commit time whose key is still remembered. */
    Instant keyCutoff() {
        return clock.instant().minus(KEY_WINDOW);
    }

    /** Forgets the keys of transactions older than the window: a retry of one of them runs afresh. */
    void forgetOldKeys() {
        ledger.forgetKeysBefore(keyCutoff());
    }

    void snapshotIfDue() {
        if (ledger.lastSeq() - lastSnapshotSeq >= config.snapshotEvery()) {
            snapshot();
        }
    }

    /** At shutdown: a snapshot of whatever came after the last one, so the next start replays nothing. */
    void snapshotAtClose() {
        if (keepsSnapshots() && ledger.lastSeq() > lastSnapshotSeq) {
            snapshot();
        }
    }

    private boolean keepsSnapshots() {
        return config.durability() != Durability.NONE;
    }

    /**
     * Takes a snapshot: the state at one consistent point (money movement pauses while every account is copied),
     * then, once the journal has forced everything up to that point, the file.
     */
    private synchronized void snapshot() {
        if (journal.failure() != null) {
            return;
        }
        try {
            long started = System.nanoTime();
            LedgerState state = ledger.exportState(keyCutoff());
            journal.awaitForced(state.lastSeq()); // on disk, even in batch mode, before a snapshot may cover it
            Path file = snapshots.write(state);
            lastSnapshotSeq = state.lastSeq();
            log.info(
                    "snapshot {} written: {} accounts as of tx {} in {} ms",
                    file.getFileName(),
                    state.accounts().size(),
                    state.lastSeq(),
                    (System.nanoTime() - started) / 1_000_000);
        } catch (IOException | RuntimeException e) {
            log.error("snapshot failed; the journal alone still recovers everything", e);
        }
    }
}
