package com.abcbank.client;

import com.abcbank.ledger.ErrorCode;
import com.abcbank.protocol.Reply;
import com.abcbank.protocol.Request;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The way to a replicated bank ({@code --servers}): every node serves the same protocol and passes writes through the
 * cluster, so a request that one node cannot answer is sent, the very same record, to the next.
 *
 * <p>Why resending to another node is safe: the request is built once, so every send carries the same idempotency
 * key, and the cluster applies a key at most once wherever it arrives (docs/protocol.md, CLUSTER_UNAVAILABLE). Reads
 * change nothing.
 *
 * <p>When it moves on: the connection could not be made or logged in for a reason that another node may not share
 * (exit 75: refused, timed out, SERVER_BUSY, a break during the login); the connection broke before the answer
 * ({@link BankConnection.Lost}); or the node answered {@link #FAILS_OVER} (CLUSTER_UNAVAILABLE, SHUTTING_DOWN,
 * NOT_READY). Any other answer, ok or not, is the answer; a failure to log in (exit 4) or a protocol error (76) stops
 * at once, since every node would say the same.
 *
 * <p>Invariants, per request: at most one try per server per round, the servers in their order from the one that
 * answered last (the first server at the start); at most {@link Policy#rounds} rounds, with a backoff before each
 * round after the first; and no try is started after {@link Policy#deadlineMs} from the first (a try under way
 * runs to its own connect and reply timeouts). A page of {@code --all} is a request of its own, with its own budget.
 * The backoff is the one wait here that is not on a socket.
 *
 * <p>Giving up names the key when the request may have taken effect (a break after it was sent, or
 * CLUSTER_UNAVAILABLE), in the words of {@link RetryingConnection#gaveUp}; when every try failed before the request
 * was sent, or was answered SHUTTING_DOWN or NOT_READY, nothing happened, and the message says it could not be sent.
 * Each move to another node is one line on standard error, without a password.
 */
final class FailoverConnection implements ResendingConnection {
    /** The answers that send a request to the next node: this node cannot serve it now, another may. */
    static final List<ErrorCode> FAILS_OVER =
            List.of(ErrorCode.CLUSTER_UNAVAILABLE, ErrorCode.SHUTTING_DOWN, ErrorCode.NOT_READY);

    /**
     * How hard it tries for one request.
     *
     * @param rounds         passes over the servers, each server tried at most once in each
     * @param firstBackoffMs the wait before the second round; it doubles before each round after that
     * @param deadlineMs     no try starts later than this after the first, nor a backoff that would end later
     */
    record Policy(int rounds, long firstBackoffMs, long deadlineMs) {
        /** Three rounds (200 ms, then 400 ms between them): long enough for a cluster to elect a new leader. */
        static final Policy DEFAULT = new Policy(3, 200, 60_000);

        Policy {
            if (rounds < 1 || firstBackoffMs < 0 || deadlineMs < 1) {
                throw new IllegalArgumentException("a policy of " + rounds + " rounds, " + firstBackoffMs
                        + " ms backoff, " + deadlineMs + " ms deadline"); // a bug in the caller
            }
        }

        /** The wait before round {@code round} (2, 3, ...). */
        long backoffMs(int round) {
            return firstBackoffMs << Math.min(round - 2, 20);
        }
    }

    /** Time and the backoff's wait, apart so that a test of the deadline waits for nothing. */
    interface Clock {
        Clock SYSTEM = new Clock() {
            @Override
            public long nanoTime() {
                return System.nanoTime();
            }

            @Override
            public void sleep(long ms) throws InterruptedException {
                Thread.sleep(ms); // the backoff between rounds: a wait for time itself, not for an event
            }
        };

        long nanoTime();

        void sleep(long ms) throws InterruptedException;
    }

    /**
     * Connects and logs in at one server, or throws {@link ClientException}. {@code mayEnrol} is true only until a
     * connection has been made: a user enrolled at one node is enrolled at all of them.
     */
    interface Connector {
        BankConnection connect(Endpoint server, boolean mayEnrol);
    }

    private final List<Endpoint> servers;
    private final Connector connector;
    private final Policy policy;
    private final Clock clock;
    private final PrintWriter err;
    private boolean mayEnrol;
    /** The server the next try goes to: the one that answered last, or the first. */
    private int current;
    /** Logged in at {@code servers.get(current)}, or null. */
    private BankConnection bank;

    FailoverConnection(
            List<Endpoint> servers,
            Connector connector,
            boolean mayEnrol,
            Policy policy,
            Clock clock,
            PrintWriter err) {
        if (servers.isEmpty()) {
            throw new IllegalArgumentException(
                    "no servers"); // a bug in the caller: Endpoint.servers gives one at least
        }
        this.servers = List.copyOf(servers);
        this.connector = connector;
        this.mayEnrol = mayEnrol;
        this.policy = policy;
        this.clock = clock;
        this.err = err;
    }

    /** What went wrong so far with one request. */
    private static final class Tries {
        /** The last node's problem, as the notes word it: {@code lost (...)}, {@code answered CODE (...)}. */
        String last;

        ClientException lastFailure;
        /** Whether some try may have taken effect: sent and broken, or answered CLUSTER_UNAVAILABLE. */
        boolean mayHaveHappened;
        /** Whether the request went out at least once. */
        boolean sent;

        int rounds;
    }

    @Override
    public Reply call(Request request, String what) {
        String key = IdempotencyKeys.of(request);
        long deadline = clock.nanoTime() + TimeUnit.MILLISECONDS.toNanos(policy.deadlineMs());
        Tries tries = new Tries();
        String stop = null;
        for (int round = 1; round <= policy.rounds() && stop == null; round++) {
            if (round > 1) {
                stop = backOff(round, deadline, what);
                if (stop != null) {
                    break;
                }
            }
            tries.rounds = round;
            for (int i = 0; i < servers.size(); i++) {
                if (clock.nanoTime() - deadline >= 0) {
                    stop = "the " + policy.deadlineMs() + " ms deadline passed";
                    break;
                }
                Endpoint server = servers.get(current);
                Reply reply = tryOnce(server, request, tries);
                if (reply != null) {
                    return reply;
                }
                current = (current + 1) % servers.size();
                boolean last = round == policy.rounds() && i == servers.size() - 1;
                if (!last) {
                    err.println("note: node " + server + " " + tries.last + "; "
                            + (tries.sent ? "retrying " : "trying ") + what + " on " + servers.get(current)
                            + (key == null ? "" : " with the same key " + key));
                }
            }
        }
        throw gaveUp(key, what, tries, stop);
    }

    /** One try at {@code server}: its reply, or null to move on (what went wrong is in {@code tries}). */
    private Reply tryOnce(Endpoint server, Request request, Tries tries) {
        boolean sending = false;
        try {
            if (bank == null) {
                bank = connector.connect(server, mayEnrol);
                mayEnrol = false;
            }
            sending = true;
            tries.sent = true;
            Reply reply = bank.call(request);
            if (reply.ok() || !FAILS_OVER.contains(reply.error().code())) {
                return reply;
            }
            tries.last =
                    "answered " + reply.error().code() + " (" + reply.error().message() + ")";
            tries.lastFailure = ClientException.refused(reply.error());
            tries.mayHaveHappened |= ExitCodes.indefinite(reply.error().code());
        } catch (BankConnection.Lost lost) {
            tries.last = (sending ? "lost (" : "unreachable (") + lost.reason + ")";
            tries.lastFailure = lost;
            tries.mayHaveHappened |= sending;
        } catch (ClientException e) {
            if (e.exitCode != ExitCodes.UNAVAILABLE) {
                throw e; // a login refused, a protocol broken: every node would say the same
            }
            tries.last = "unreachable (" + e.getMessage() + ")";
            tries.lastFailure = e;
        }
        closeBank();
        return null;
    }

    /** Waits before round {@code round}; returns why it stops instead, or null. */
    private String backOff(int round, long deadline, String what) {
        long waitMs = policy.backoffMs(round);
        if (clock.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs) - deadline >= 0) {
            return "the " + policy.deadlineMs() + " ms deadline would pass before another round";
        }
        err.println("note: no server answered " + what + " in round " + (round - 1) + " of " + policy.rounds()
                + "; trying them again in " + waitMs + " ms");
        try {
            clock.sleep(waitMs);
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the caller's to act on: we stop trying
            return "interrupted";
        }
    }

    private ClientException gaveUp(String key, String what, Tries tries, String stop) {
        String story = what + " got no answer from any of the " + servers.size() + " servers in " + tries.rounds
                + (tries.rounds == 1 ? " round" : " rounds") + (stop == null ? "" : " (" + stop + ")")
                + "; last, node " + servers.get((current + servers.size() - 1) % servers.size()) + " " + tries.last;
        if (key != null && tries.mayHaveHappened) {
            return RetryingConnection.gaveUp(key, tries.lastFailure, story);
        }
        if (key != null) {
            story += ". It did not take effect: no node took it";
        }
        return new ClientException(ExitCodes.UNAVAILABLE, story, tries.lastFailure);
    }

    private void closeBank() {
        if (bank != null) {
            bank.close();
            bank = null;
        }
    }

    @Override
    public void close() {
        closeBank();
    }

    /** A connection logged in at {@code servers.get(index)}. */
    record Connected(int index, BankConnection bank) {}

    /**
     * For a command that sends over one plain connection ({@code batch}, {@code passwd}): the first server, from
     * {@code start} on in order, that connects and logs in; a server that cannot (exit 75) is noted and the next one
     * tried, each once. Any other failure, or the last server's, is thrown.
     */
    static Connected connectFirst(
            List<Endpoint> servers, int start, Connector connector, boolean mayEnrol, PrintWriter err) {
        for (int i = 0; ; i++) {
            int index = (start + i) % servers.size();
            try {
                return new Connected(index, connector.connect(servers.get(index), mayEnrol));
            } catch (ClientException e) {
                if (e.exitCode != ExitCodes.UNAVAILABLE || i == servers.size() - 1) {
                    throw e;
                }
                err.println("note: node " + servers.get(index) + " unreachable (" + e.getMessage() + "); trying "
                        + servers.get((index + 1) % servers.size()));
            }
        }
    }
}
