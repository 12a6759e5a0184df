package com.abcbank.server;

import com.abcbank.journal.ChainHead;
import com.abcbank.journal.Journal;
import com.abcbank.ledger.Caller;
import com.abcbank.ledger.ErrorCode;
import com.abcbank.ledger.Ledger;
import com.abcbank.ledger.LedgerState;
import com.abcbank.ledger.Outcome;
import com.abcbank.protocol.Failure;
import com.abcbank.protocol.Json;
import com.abcbank.protocol.Reply;
import com.abcbank.protocol.Request;
import com.abcbank.protocol.Result;
import com.abcbank.protocol.Scram;
import com.abcbank.server.auth.Users;
import com.abcbank.server.cluster.Command;
import com.abcbank.server.cluster.ReplicatedBank;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
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
                l -> new SnapshotFile(l.file(), l.meta().term(), l.meta().index()));
    }

    void rules(Dispatcher dispatcher) {
        this.rules = dispatcher;
    }

    @Override
    public Reply apply(Command command, Instant time) {
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
        return outcome.isOk()
                ? Reply.success(null, Json.tree(outcome.value()))
                : Reply.failure(null, new Failure(outcome.error(), outcome.message()));
    }

    private Outcome<?> money(Command command) {
        Request request = Json.parseRequest(command.line()).request();
        if (!(request instanceof Request.Money money)) {
            return Outcome.fail(ErrorCode.INTERNAL_ERROR, "a log entry's money command is not a money request");
        }
        return rules.applyMoney(new Caller(command.user(), command.role()), money);
    }

    private static Scram.Verifier verifier(Command command) {
        Request request = Json.parseRequest(command.line()).request();
        if (!(request instanceof Request.Register register)) {
            throw new IllegalArgumentException("a log entry's user command carries no verifier");
        }
        return register.verifier();
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
        Path file = snapshots.write(
                state, new ClusterSnapshots.Meta(state.lastSeq(), term, index, head.hash(), keysCutoff, nextForget));
        SnapshotFile written = new SnapshotFile(file, term, index);
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
    public Optional<SnapshotFile> latestSnapshot() {
        return latest;
    }
}
