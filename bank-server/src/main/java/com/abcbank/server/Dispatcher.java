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
import java.util.Optional;
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
    /**
     * One verify at a time: each holds a snapshot of every account and the journal's recount of them (some 200
     * bytes an account), so two at once on a big bank would double that; a second auditor's verify waits.
     */
    private final ReentrantLock oneVerify = new ReentrantLock();

    Dispatcher(Ledger ledger, Users users, DurableLog journal) {
        this.ledger = ledger;
        this.users = users;
        this.journal = journal;
    }

    /** The bank's users, for the connections' {@link LoginSession}s. */
    Users users() {
        return users;
    }

    /**
     * The outcome of an executed request, and the last transaction its answer shows: the answer may leave only
     * once the {@link DurableLog} covers {@code shows} (0: it shows nothing the log must keep).
     */
    record Answer(Outcome<?> outcome, long shows) {
        static Answer now(Outcome<?> outcome) {
            return new Answer(outcome, 0);
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
        Outcome<?> outcome = perform(caller, request);
        long shows = outcome.isOk() && outcome.value() instanceof Result.Tx tx ? tx.tx() : ledger.lastSeq();
        return new Answer(outcome, shows);
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
            return SecurityEventsOp.show(journal, caller, r);
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
            return Outcome.ok(Results.verify(verified.get()));
        } catch (IOException e) {
            return storageFailed("cannot read the journal: " + e.getMessage());
        } catch (JournalFailedException e) {
            return storageFailed("the journal could not keep the books to verify: " + e.getMessage());
        }
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
