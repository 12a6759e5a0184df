package com.abcbank.server;

import com.abcbank.journal.Durability;
import com.abcbank.journal.Journal;
import com.abcbank.journal.JournalArchive;
import com.abcbank.journal.JournalCorruptedException;
import com.abcbank.journal.SnapshotStore;
import com.abcbank.ledger.Ledger;
import com.abcbank.ledger.LedgerState;
import com.abcbank.server.auth.Users;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bank's state as opened from its data directory, before anyone is served: the users, the ledger rebuilt
 * from the newest snapshot (if any) and the journal after it, and the journal opened for appending.
 *
 * <p>This is the only server code that knows the concrete local {@link Journal} and its recovery; everything
 * that serves requests sees it as a {@link com.abcbank.journal.DurableLog}.
 *
 * @param ledger    the rebuilt ledger, committing into {@code journal}
 * @param users     the bank's users
 * @param journal   the journal, recovered and open for appending
 * @param snapshots where snapshots are kept
 */
record BankState(Ledger ledger, Users users, Journal journal, SnapshotStore snapshots) {
    private static final Logger log = LoggerFactory.getLogger(BankState.class);

    /**
     * Opens the state of {@code config}'s data directory. On failure nothing stays open.
     *
     * @param clock    the clock of the ledger (timestamps, key ages) and of the login throttle
     * @param announce where the auditor's first password is printed, on first start only
     * @throws IOException if the data directory cannot be read or the journal is damaged (the message says how)
     */
    static BankState open(ServerConfig config, Clock clock, PrintStream announce) throws IOException {
        Users users = Users.open(
                config.dataDir(),
                config.pbkdf2Iterations(),
                clock,
                announce,
                config.limits().auditorFrom());
        Journal journal = new Journal(
                config.journalDir(), config.durability(), config.batchWindowMs(), Journal.DEFAULT_SEGMENT_BYTES);
        Ledger ledger = new Ledger(config.ledger(), clock, journal);
        SnapshotStore snapshots = new SnapshotStore(config.snapshotDir());
        try {
            recover(config, ledger, journal, snapshots);
        } catch (IOException | JournalCorruptedException | RuntimeException e) {
            journal.close();
            throw e instanceof JournalCorruptedException corrupted
                    ? new IOException(corrupted.getMessage(), corrupted)
                    : e instanceof IOException io
                            ? io
                            : new IOException("cannot recover the journal: " + e.getMessage(), e);
        }
        return new BankState(ledger, users, journal, snapshots);
    }

    /** Loads the newest snapshot, if there is one (never with durability none), then replays the journal after it. */
    private static void recover(ServerConfig config, Ledger ledger, Journal journal, SnapshotStore snapshots)
            throws IOException, JournalCorruptedException {
        LedgerState state = config.durability() == Durability.NONE ? null : snapshots.loadLatest();
        if (state == null) {
            journal.recover(config.repairJournal(), ledger::replay);
            return;
        }
        long started = System.nanoTime();
        ledger.restore(state, new JournalArchive(config.journalDir(), state.lastSeq()));
        log.info(
                "snapshot: {} accounts as of tx {} loaded in {} ms",
                state.accounts().size(),
                state.lastSeq(),
                (System.nanoTime() - started) / 1_000_000);
        journal.recover(state.lastSeq(), config.repairJournal(), ledger::replay);
    }
}
