package com.abcbank.server;

import com.abcbank.journal.ChainHead;
import com.abcbank.journal.Journal;
import com.abcbank.ledger.Caller;
import com.abcbank.ledger.ErrorCode;
import com.abcbank.ledger.Ledger;
import com.abcbank.ledger.LedgerState;
import com.abcbank.ledger.Outcome;
import com.abcbank.ledger.Transaction;
import com.abcbank.protocol.Request;
import com.abcbank.protocol.Result;
import com.abcbank.protocol.Scram;
import com.abcbank.server.auth.Users;
import com.abcbank.server.cluster.Command;
import com.abcbank.server.cluster.ReplicatedBank;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a cluster node's state machine applies the log to: this node's ledger (through the {@link Dispatcher}'s own
 * rules), its users, and its journal. Runs on Ratis's one apply thread only; the fields below are that thread's,
 * except {@link #latest}, which Ratis reads from others.
 *
 * <p>Time: the ledger's {@link EntryClock} is set to the entry's time before each command. Idempotency keys are
 * forgotten on the same schedule as on a single server ({@link SnapshotSchedule#KEY_WINDOW}, checked once a minute),
 * but of the entries' time: every node forgets the same keys after the same entry.
 */
final class ReplicaApplier implements ReplicatedBank {
    private static final Logger log = LoggerFactory.getLogger(ReplicaApplier.class);
    private static final Duration FORGET_EVERY = Duration.ofMinutes(1);

    private final Ledger ledger;
    private final Users users;
    private final Journal journal;
    private final EntryClock clock;
    private final ClusterSnapshots snapshots;
    /** The rules of money requests; set once the dispatcher exists (it needs the route, which needs this). */
    private Dispatcher rules;

    private Instant lastTime;
    private Instant keysCutoff;
    private Instant nextForget;
    private volatile Optional<SnapshotFile> latest;
    /** Snapshots installed from the leader since start: for tests. */
    private final java.util.concurrent.atomic.AtomicInteger installs = new java.util.concurrent.atomic.AtomicInteger();

    /**
     * @param loaded the snapshot this node's state was opened from, if any: the key window goes on from its state
     */
    ReplicaApplier(
            Ledger ledger,
            Users users,
            Journal journal,
            EntryClock clock,
            ClusterSnapshots snapshots,
            Optional<ClusterSnapshots.Loaded> loaded) {
        this.ledger = ledger;
        this.users = users;
        this.journal = journal;
        this.clock = clock;
        this.snapshots = snapshots;
        this.lastTime = loaded.map(l -> l.state().lastTime()).orElse(Instant.EPOCH);
        this.keysCutoff = loaded.map(l -> l.meta().keysCutoff()).orElse(Instant.EPOCH);
        this.nextForget = loaded.map(l -> l.meta().nextForget()).orElse(Instant.EPOCH);
        this.latest = loaded.map(
                l -> new SnapshotFile(l.files(), l.meta().term(), l.meta().index()));
    }

    /** How many snapshots this node installed from the leader since it started. */
    int installs() {
        return installs.get();
    }

    void rules(Dispatcher dispatcher) {
        this.rules = dispatcher;
    }

    @Override
    public Outcome<?> apply(Command command, Instant time) {
        clock.set(time.isBefore(lastTime) ? lastTime : time);
        Outcome<?> outcome;
        try {
            outcome = switch (command.kind()) {
                case MONEY -> money(command);
                case REGISTER -> user(users.register(command.user(), verifier(command)));
                case PASSWD ->
                    user(users.changePassword(
                            new Caller(command.user(), command.role()), verifier(command), address(command.from())));
                case AUDITOR -> user(users.addAuditor(verifier(command)));
            };
        } catch (IllegalArgumentException e) {
            outcome = Outcome.fail(ErrorCode.INVALID_ARGUMENT, e.getMessage());
        }
        return outcome;
    }

    private Outcome<?> money(Command command) {
        // Command checks that a MONEY command carries a money request.
        return rules.applyMoney(new Caller(command.user(), command.role()), (Request.Money) command.request());
    }

    private static Scram.Verifier verifier(Command command) {
        // Command checks that a user command carries a register request.
        return ((Request.Register) command.request()).verifier();
    }

    private static InetAddress address(String literal) {
        try {
            return literal.isEmpty() ? null : InetAddress.getByName(literal); // a literal: no name lookup
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static Outcome<?> user(Outcome<Caller> outcome) {
        return outcome.isOk()
                ? Outcome.ok(new Result.User(
                        outcome.value().user(), outcome.value().role().name()))
                : Outcome.fail(outcome.error(), outcome.message());
    }

    @Override
    public void afterEntry(Instant time) {
        if (time.isAfter(lastTime)) {
            lastTime = time;
        }
        if (!lastTime.isBefore(nextForget)) {
            keysCutoff = lastTime.minus(SnapshotSchedule.KEY_WINDOW);
            ledger.forgetKeysBefore(keysCutoff);
            nextForget = lastTime.plus(FORGET_EVERY);
        }
    }

    @Override
    public long lastSeq() {
        return ledger.lastSeq();
    }

    @Override
    public ChainHead headAt(long seq) throws IOException {
        return journal.headAt(seq);
    }

    @Override
    public SnapshotFile snapshot(long term, long index) throws IOException {
        long started = System.nanoTime();
        LedgerState state = ledger.exportState(keysCutoff);
        journal.awaitForced(state.lastSeq()); // the journal up to the snapshot must be on disk before it may cover it
        ChainHead head = journal.head().orElseThrow();
        if (head.seq() != state.lastSeq()) {
            throw new IllegalStateException("chain head at " + head.seq() + " but the ledger at " + state.lastSeq());
        }
        ClusterSnapshots.Loaded files = snapshots.write(
                state,
                new ClusterSnapshots.Meta(state.lastSeq(), term, index, head.hash(), keysCutoff, nextForget),
                users::copyTo);
        SnapshotFile written = new SnapshotFile(files.files(), term, index);
        latest = Optional.of(written);
        log.info(
                "snapshot at log index {} (term {}): {} accounts as of tx {} in {} ms",
                index,
                term,
                state.accounts().size(),
                state.lastSeq(),
                (System.nanoTime() - started) / 1_000_000);
        return written;
    }

    @Override
    public SnapshotFile install(TransactionSource source) throws IOException {
        ClusterSnapshots.Loaded installed = snapshots
                .loadLatest()
                .orElseThrow(() -> new IOException("Ratis installed a snapshot, but none can be read"));
        ClusterSnapshots.Meta meta = installed.meta();
        long from = ledger.lastSeq();
        if (from > meta.seq()) {
            throw new IOException("this node holds transaction " + from + ", past the installed snapshot's "
                    + meta.seq() + ": its books are not a prefix of the cluster's");
        }
        long started = System.nanoTime();
        while (from < meta.seq()) {
            List<Transaction> page = source.fetch(from, meta.seq());
            for (Transaction tx : page) {
                if (tx.seq() != from + 1 || tx.seq() > meta.seq()) {
                    throw new IOException("fetched transaction " + tx.seq() + " where " + (from + 1) + " was due");
                }
                ledger.replay(tx); // exactly as committed: its number, time, postings and key
                journal.committed(tx); // chained to this journal's last record, as the peer's was to its own
                from = tx.seq();
            }
        }
        journal.awaitForced(meta.seq());
        ChainHead head = journal.head().orElseThrow();
        if (head.seq() != meta.seq() || !head.hash().equals(meta.head())) {
            throw new IOException("after the fetched transactions this journal's chain head is " + head
                    + ", not the snapshot's " + meta.head() + " at tx " + meta.seq() + ": this node's books diverged");
        }
        users.replaceWith(installed.users());
        keysCutoff = meta.keysCutoff();
        nextForget = meta.nextForget();
        lastTime = installed.state().lastTime();
        ledger.forgetKeysBefore(keysCutoff);
        SnapshotFile now = new SnapshotFile(installed.files(), meta.term(), meta.index());
        latest = Optional.of(now);
        installs.incrementAndGet();
        log.info(
                "installed the cluster snapshot at log index {} (tx {}): fetched and replayed the transactions up to"
                        + " it in {} ms; chain head {}",
                meta.index(),
                meta.seq(),
                (System.nanoTime() - started) / 1_000_000,
                head.hash());
        return now;
    }

    @Override
    public List<Transaction> transactions(long afterSeq, long untilSeq, int max) {
        long until = Math.min(untilSeq, Math.min(ledger.lastSeq(), afterSeq + max));
        List<Transaction> txs = new java.util.ArrayList<>((int) Math.max(0, until - afterSeq));
        for (long seq = afterSeq + 1; seq <= until; seq++) {
            Transaction tx = ledger.transaction(seq);
            if (tx == null) {
                break;
            }
            txs.add(tx);
        }
        return txs;
    }

    @Override
    public Optional<SnapshotFile> latestSnapshot() {
        return latest;
    }
}
