package com.abcbank.server;

import com.abcbank.journal.Durability;
import com.abcbank.journal.Journal;
import com.abcbank.journal.JournalArchive;
import com.abcbank.journal.JournalCorruptedException;
import com.abcbank.ledger.Ledger;
import com.abcbank.server.auth.Users;
import com.abcbank.server.cluster.ClusterConfig;
import com.abcbank.server.cluster.ClusterNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A cluster node's state as opened from its data directory, before its Raft server starts: the users, the ledger
 * as of this node's newest cluster snapshot, its journal cut back to that snapshot, and a separate journal for its
 * own security events.
 *
 * <p>Why cut the journal back: the snapshot and the Raft log are what this node knows to be agreed. Raft re-applies
 * every entry after the snapshot, and applying is deterministic, so the transactions after the snapshot come back
 * exactly as they were, same numbers, times and hashes; keeping the old ones as well would apply them twice. The
 * security events live in their own journal because they are each node's own (who logged in where): in the
 * replicated journal they would make the chains differ, and the cut would lose them.
 *
 * @param bank    the ledger, users and replicated journal; {@code bank.snapshots()} is unused on a node
 * @param events  this node's security events
 * @param applier what the state machine applies the log to
 */
record ClusterState(BankState bank, Journal events, ReplicaApplier applier) {
    private static final Logger log = LoggerFactory.getLogger(ClusterState.class);

    static ClusterState open(ServerConfig config, ClusterConfig cluster, Clock clock) throws IOException {
        if (config.durability() == Durability.NONE) {
            throw new IOException("a cluster node keeps a journal: durability none is for a single server only");
        }
        Users users = Users.openWithoutAuditor(
                config.dataDir(),
                config.pbkdf2Iterations(),
                clock,
                config.limits().auditorFrom());
        EntryClock entryClock = new EntryClock();
        Journal journal = new Journal(
                config.journalDir(), config.durability(), config.batchWindowMs(), Journal.DEFAULT_SEGMENT_BYTES);
        Journal events = new Journal(
                config.dataDir().resolve("events"),
                config.durability(),
                config.batchWindowMs(),
                Journal.DEFAULT_SEGMENT_BYTES);
        Ledger ledger = new Ledger(config.ledger(), entryClock, journal);
        ClusterSnapshots snapshots = new ClusterSnapshots(snapshotDir(cluster));
        Optional<ClusterSnapshots.Loaded> loaded;
        try {
            loaded = snapshots.loadLatest();
            recover(config, ledger, journal, loaded);
            events.recover(config.repairJournal(), tx -> {
                throw new IllegalStateException("a transaction in the security events' journal");
            });
        } catch (IOException | JournalCorruptedException | RuntimeException e) {
            journal.close();
            events.close();
            throw e instanceof JournalCorruptedException corrupted
                    ? new IOException(corrupted.getMessage(), corrupted)
                    : e instanceof IOException io ? io : new IOException("cannot recover: " + e.getMessage(), e);
        }
        ReplicaApplier applier = new ReplicaApplier(ledger, users, journal, entryClock, snapshots, loaded);
        return new ClusterState(new BankState(ledger, users, journal, null), events, applier);
    }

    /**
     * Where a node's snapshots are kept: Ratis's state machine directory of the bank's group, since they are Raft's
     * snapshots: Ratis sends its files to a node that must install one, and replaces that directory there.
     */
    static Path snapshotDir(ClusterConfig cluster) {
        return cluster.raftDir().resolve(ClusterNode.groupDir()).resolve("sm");
    }

    private static void recover(
            ServerConfig config, Ledger ledger, Journal journal, Optional<ClusterSnapshots.Loaded> loaded)
            throws IOException, JournalCorruptedException {
        if (loaded.isEmpty()) {
            Journal.Recovery recovery = journal.recover(
                    0, com.abcbank.journal.ChainHead.EMPTY.hashBytes(), 0, config.repairJournal(), ledger::replay);
            log.info(
                    "no cluster snapshot yet: the journal starts empty ({} later records set aside); Raft"
                            + " re-applies the log from its start",
                    recovery.rolledBackRecords());
            return;
        }
        ClusterSnapshots.Loaded snapshot = loaded.get();
        long seq = snapshot.meta().seq();
        ledger.restore(snapshot.state(), new JournalArchive(config.journalDir(), seq));
        Journal.Recovery recovery = journal.recover(
                seq,
                new com.abcbank.journal.ChainHead(seq, snapshot.meta().head()).hashBytes(),
                seq,
                config.repairJournal(),
                ledger::replay);
        if (recovery.lastSeq() < seq) {
            throw new IOException("the journal ends at transaction " + recovery.lastSeq() + ", before this node's"
                    + " snapshot at " + seq + ": restore the journal, or start this node from a copy of a peer's data");
        }
        log.info(
                "cluster snapshot at log index {} (tx {}) loaded; the journal after it set aside ({} records);"
                        + " Raft re-applies the log after it",
                snapshot.meta().index(),
                seq,
                recovery.rolledBackRecords());
    }
}
