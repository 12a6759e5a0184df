package com.abcbank.server;

import com.abcbank.journal.DurableLog;
import com.abcbank.journal.JournalFailedException;
import com.abcbank.journal.Verifier;
import com.abcbank.ledger.Caller;
import com.abcbank.ledger.ErrorCode;
import com.abcbank.ledger.Ledger;
import com.abcbank.ledger.Outcome;
import com.abcbank.ledger.Snapshot;
import com.abcbank.ledger.Transaction;
import com.abcbank.ledger.TransactionQuery;
import com.abcbank.protocol.Request;
import com.abcbank.protocol.Result;
import com.abcbank.protocol.Results;
import com.abcbank.server.auth.Users;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Turns one request of one connection into a ledger call and its outcome into a wire result ({@link Results}),
 * answering only once the {@link DurableLog} covers what the answer shows. Routing and durability only: how a
 * ledger value looks on the wire is {@link Results}'s. Stateless and shared by all connections; the connection
 * keeps who is logged in.
 */
final class Dispatcher {
    private final Ledger ledger;
    private final Users users;
    private final DurableLog journal;
    /** Where the security events are kept: the journal on a single server, a log of their own on a cluster node. */
    private final DurableLog events;
    /** On a cluster node, where writes go and what reads wait for; {@code null} on a single server. */
    private final ClusterRoute cluster;
    /**
     * One verify at a time: each holds a snapshot of every account and the journal's recount of them (some 200
     * bytes an account), so two at once on a big bank would double that; a second auditor's verify waits.
     */
    private final ReentrantLock oneVerify = new ReentrantLock();

    Dispatcher(Ledger ledger, Users users, DurableLog journal) {
        this(ledger, users, journal, journal, null);
    }

    /**
     * @param events  where the security events are kept (on a cluster node, not in the replicated journal: each
     *                node's trail is its own)
     * @param cluster on a cluster node, its route for writes and reads; {@code null} on a single server
     */
    Dispatcher(Ledger ledger, Users users, DurableLog journal, DurableLog events, ClusterRoute cluster) {
        this.ledger = ledger;
        this.users = users;
        this.journal = journal;
        this.events = events;
        this.cluster = cluster;
    }

    /** On a cluster node, its route; {@code null} on a single server. */
    ClusterRoute cluster() {
        return cluster;
    }

    /** The bank's users, for the connections' {@link LoginSession}s. */
    Users users() {
        return users;
    }

    /**
     * The outcome of an executed request, and the last transaction its answer shows: the answer may leave only
     * once the {@link DurableLog} covers {@code shows} (0: it shows nothing the log must keep).
     */
    record Answer(Outcome<?> outcome, long shows, CompletableFuture<Outcome<?>> later) {
        Answer(Outcome<?> outcome, long shows) {
            this(outcome, shows, null);
        }

        static Answer now(Outcome<?> outcome) {
            return new Answer(outcome, 0);
        }

        /**
         * A cluster's write, answered once the log applied it (or with {@code CLUSTER_UNAVAILABLE} after the
         * request timeout: the future always completes): {@link #settle} waits for it.
         */
        static Answer later(CompletableFuture<Outcome<?>> later) {
            return new Answer(null, 0, later);
        }
    }

    /**
     * The outcome of any other {@code request} for {@code caller} ({@code null} before login), returned only once
     * the journal keeps everything it shows: a committed transaction, and for a read or a refusal, every
     * transaction committed when it was answered (durable before acknowledged, reads included).
     */
    Outcome<?> dispatch(Caller caller, Request request) {
        Answer answer = execute(caller, request);
        return settle(answer, awaitDurable(answer.shows()));
    }

    /**
     * Runs any request but those a {@link LoginSession} answers, without waiting for the log: the caller must not let the answer
     * leave before {@link #awaitDurable} of its {@link Answer#shows} returned, and then sends what {@link #settle}
     * makes of it. A connection executes a whole pipelined batch this way and waits once, for its last answer: the
     * log covers transactions in sequence order, and the answers of one connection show ever later ones.
     */
    Answer execute(Caller caller, Request request) {
        if (caller == null) {
            return Answer.now(Outcome.fail(
                    ErrorCode.UNAUTHENTICATED,
                    "log in first: {\"op\":\"login\",\"client_first\":..} (docs/protocol.md)"));
        }
        Throwable failure = journal.failure();
        if (failure != null) {
            return Answer.now(
                    storageFailed("the journal failed (" + failure + "); the bank takes no requests until restarted"));
        }
        if (cluster != null) {
            return viaCluster(caller, request);
        }
        Outcome<?> outcome = perform(caller, request);
        long shows = outcome.isOk() && outcome.value() instanceof Result.Tx tx ? tx.tx() : ledger.lastSeq();
        return new Answer(outcome, shows);
    }

    /**
     * On a cluster node: a money request goes through the log (answered once a majority keeps it and it is applied);
     * any other waits until this node's books hold every write acknowledged before it (ReadIndex), then reads them.
     * Nothing here waits for the local journal: the log's majority is what keeps an answer.
     */
    private Answer viaCluster(Caller caller, Request request) {
        if (request instanceof Request.Money money) {
            return Answer.later(cluster.money(caller, money));
        }
        if (request instanceof Request.Cluster) {
            return Answer.now(cluster.status(caller));
        }
        Optional<Outcome<?>> unavailable = cluster.awaitReadable();
        if (unavailable.isPresent()) {
            return Answer.now(unavailable.get());
        }
        return Answer.now(perform(caller, request));
    }

    /**
     * Applies a money request to this node's ledger: a cluster's state machine, for a command of the log, on its one
     * apply thread. The same rules as on a single server, through the same code.
     */
    Outcome<?> applyMoney(Caller caller, Request.Money request) {
        return perform(caller, request);
    }

    /** Waits until the log keeps every transaction up to {@code seq}: {@code null} once it does, else why not. */
    JournalFailedException awaitDurable(long seq) {
        if (seq == 0) {
            return null; // shows nothing: a refusal before the ledger, or a login
        }
        try {
            journal.awaitDurable(seq);
            return null;
        } catch (JournalFailedException e) {
            return e;
        }
    }

    /**
     * What to send for {@code answer} after the wait for its batch ended in {@code failure} ({@code null}: the log
     * keeps it): the outcome itself if the log covers what it shows, else that the outcome is unknown.
     */
    Outcome<?> settle(Answer answer, JournalFailedException failure) {
        if (answer.later() != null) {
            return answer.later().join(); // completes by itself at the cluster's request timeout
        }
        if (failure == null || answer.shows() <= journal.durableSeq()) {
            return answer.outcome();
        }
        return storageFailed(
                "the journal could not keep this; it may or may not have happened: " + failure.getMessage());
    }

    private static Outcome<?> storageFailed(String message) {
        return Outcome.fail(ErrorCode.STORAGE_FAILED, message);
    }

    private Outcome<?> perform(Caller caller, Request request) {
        if (request instanceof Request.CreateAccount r) {
            return tx(ledger.createAccount(caller, r.account(), r.amount() == null ? 0 : r.amount(), r.key()));
        } else if (request instanceof Request.Deposit r) {
            return tx(ledger.deposit(caller, r.account(), r.amount(), r.key()));
        } else if (request instanceof Request.Withdraw r) {
            return tx(ledger.withdraw(caller, r.account(), r.amount(), r.key()));
        } else if (request instanceof Request.Transfer r) {
            return tx(ledger.transfer(caller, r.from(), r.to(), r.amount(), r.key()));
        } else if (request instanceof Request.ApplyLoan r) {
            return tx(ledger.applyLoan(caller, r.account(), r.amount(), r.key()));
        } else if (request instanceof Request.PayLoanCheck r) {
            return tx(ledger.payLoanCheck(caller, r.loan(), r.amount(), r.key()));
        } else if (request instanceof Request.PayLoanTransfer r) {
            return tx(ledger.payLoanTransfer(caller, r.from(), r.loan(), r.amount(), r.key()));
        } else if (request instanceof Request.Balance r) {
            return map(ledger.balance(caller, r.account()), Results::account);
        } else if (request instanceof Request.History r) {
            return map(
                    ledger.history(
                            caller,
                            r.account(),
                            r.after() == null ? 0 : r.after(),
                            r.limit() == null ? TransactionQuery.DEFAULT_LIMIT : r.limit()),
                    page -> Results.history(r.account(), page));
        } else if (request instanceof Request.ShowAccountholders) {
            return map(ledger.holders(caller), Results::holders);
        } else if (request instanceof Request.ShowHistory r) {
            return showHistory(caller, r);
        } else if (request instanceof Request.Report) {
            return map(ledger.report(caller), Results::report);
        } else if (request instanceof Request.Verify) {
            return verify(caller);
        } else if (request instanceof Request.ShowSecurityEvents r) {
            return SecurityEventsOp.show(events, caller, r);
        } else if (request instanceof Request.Cluster) {
            return caller.isAuditor()
                    ? Outcome.fail(ErrorCode.INVALID_ARGUMENT, "this server runs alone, not in a cluster")
                    : Outcome.fail(ErrorCode.FORBIDDEN, "cluster is for the auditor only");
        }
        throw new IllegalStateException("no dispatch for " + request.getClass().getSimpleName());
    }

    private Outcome<?> verify(Caller caller) {
        if (!caller.isAuditor()) {
            return Outcome.fail(ErrorCode.FORBIDDEN, "verify is for the auditor only");
        }
        oneVerify.lock();
        try {
            return verifyAlone();
        } finally {
            oneVerify.unlock();
        }
    }

    private Outcome<?> verifyAlone() {
        Snapshot live = ledger.snapshot();
        try {
            journal.awaitDurable(live.lastSeq()); // the log must hold everything the snapshot shows
            Optional<Verifier.Report> verified = journal.verify(live);
            if (verified.isEmpty()) {
                return Outcome.fail(ErrorCode.INVALID_ARGUMENT, "durability none: there is no journal to verify");
            }
            Result.Verify local = Results.verify(verified.get());
            return Outcome.ok(cluster == null ? local : withReplicas(local, cluster.heads()));
        } catch (IOException e) {
            return storageFailed("cannot read the journal: " + e.getMessage());
        } catch (JournalFailedException e) {
            return storageFailed("the journal could not keep the books to verify: " + e.getMessage());
        }
    }

    /**
     * A cluster node's verify: its own journal's, and every node's chain head at one common log index, which must all
     * be equal (replicas that applied the same entries hold the same chain); a node that could not be compared
     * fails the check too.
     */
    static Result.Verify withReplicas(Result.Verify local, List<Result.Replica> replicas) {
        List<String> problems = new java.util.ArrayList<>(local.problems());
        String agreed = null;
        for (Result.Replica replica : replicas) {
            if (!replica.reachable()) {
                continue; // a node that is down is listed, not held against the books of those that answer
            }
            if (replica.problem() != null || replica.head() == null) {
                problems.add("node " + replica.node() + " could not be compared: " + replica.problem());
            } else if (agreed == null) {
                agreed = replica.head();
            } else if (!agreed.equals(replica.head())) {
                problems.add("node " + replica.node() + " has chain head " + replica.head() + " at log index "
                        + replica.applied() + " (transaction " + replica.seq() + "), another node " + agreed
                        + ": the replicas diverge");
            }
        }
        return new Result.Verify(
                local.ok() && problems.size() == local.problems().size(),
                local.asOf(),
                local.transactions(),
                local.accounts(),
                problems,
                local.millis(),
                local.events(),
                local.head(),
                replicas);
    }

    private Outcome<?> showHistory(Caller caller, Request.ShowHistory r) {
        Instant from;
        Instant to;
        try {
            from = r.from() == null ? null : Instant.parse(r.from());
            to = r.to() == null ? null : Instant.parse(r.to());
        } catch (DateTimeParseException e) {
            return Outcome.fail(
                    ErrorCode.INVALID_ARGUMENT, "from and to are ISO-8601 instants like 2026-11-23T10:15:30Z");
        }
        TransactionQuery query = new TransactionQuery(
                r.after() == null ? 0 : r.after(),
                r.limit() == null ? TransactionQuery.DEFAULT_LIMIT : r.limit(),
                r.account(),
                r.user(),
                from,
                to);
        return map(ledger.transactions(caller, query), Results::transactions);
    }

    private interface Mapping<T, R> {
        R apply(T value);
    }

    private static <T, R> Outcome<R> map(Outcome<T> outcome, Mapping<T, R> mapping) {
        return outcome.isOk()
                ? Outcome.ok(mapping.apply(outcome.value()))
                : Outcome.fail(outcome.error(), outcome.message());
    }

    /** A committed transaction as the result of the op that made it. */
    private static Outcome<Result.Tx> tx(Outcome<Transaction> outcome) {
        return map(outcome, Results::tx);
    }
}
