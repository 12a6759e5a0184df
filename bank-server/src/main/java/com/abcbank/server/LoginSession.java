package com.abcbank.server;

import com.abcbank.ledger.Caller;
import com.abcbank.ledger.ErrorCode;
import com.abcbank.ledger.Outcome;
import com.abcbank.protocol.Request;
import com.abcbank.protocol.Result;
import com.abcbank.protocol.Scram;
import com.abcbank.server.auth.Users;
import java.net.InetAddress;

/**
 * Who one connection is, and the requests that change it: {@code register}, the two steps of a SCRAM login
 * ({@code login}, {@code login_final}) and {@code passwd}. Confined to the connection's thread.
 *
 * <p>A login's first step leaves a {@link Users.Challenge} here until its second step; any other authentication
 * request in between, or the connection's end ({@link #close}), abandons it. A connection that is logged in may
 * log in again (as someone else, say): it stays who it was until the new login succeeds.
 */
final class LoginSession implements AutoCloseable {
    static final String PASSWORD_REFUSED = "login takes client_first, the first message of a SCRAM-SHA-256 exchange"
            + " (docs/protocol.md); a password is never sent";

    private final Users users;
    private final InetAddress from;
    private final boolean mayWait;
    /** On a cluster node, where registrations and password changes go (through the log); else {@code null}. */
    private final ClusterRoute cluster;

    private Users.Challenge pending;
    private Caller caller;

    LoginSession(Users users, InetAddress from) {
        this(users, from, true);
    }

    /**
     * @param mayWait whether a login step may wait for the throttle's places held by logins in flight (a connection's
     *                own thread may; the web console's shared pool may not: see {@link Users#start(String, InetAddress,
     *                boolean)})
     */
    LoginSession(Users users, InetAddress from, boolean mayWait) {
        this(users, from, mayWait, null);
    }

    /** @param cluster on a cluster node, its route: users change through the log there; else {@code null} */
    LoginSession(Users users, InetAddress from, boolean mayWait, ClusterRoute cluster) {
        this.users = users;
        this.from = from;
        this.mayWait = mayWait;
        this.cluster = cluster;
    }

    /** Whether {@code request} is one this class answers. */
    static boolean handles(Request request) {
        return request instanceof Request.Register
                || request instanceof Request.Login
                || request instanceof Request.LoginFinal
                || request instanceof Request.Passwd;
    }

    /** The logged-in user, or {@code null}. */
    Caller caller() {
        return caller;
    }

    /** The user a pending login names (its first step succeeded), or {@code null}. */
    String pendingUser() {
        return pending == null ? null : pending.user();
    }

    /** The outcome of a request that {@link #handles}: its result is the reply's. */
    Outcome<?> answer(Request request) {
        if (request instanceof Request.Passwd p) {
            return passwd(p);
        }
        Users.Challenge challenge = pending;
        pending = null;
        if (request instanceof Request.LoginFinal f) {
            return loginFinal(challenge, f); // ends the login in progress, whatever the outcome
        }
        users.abandon(challenge); // any other authentication request ends a login in progress
        if (request instanceof Request.Register r) {
            return register(r);
        }
        if (request instanceof Request.Login l) {
            return login(l);
        }
        throw new IllegalArgumentException(
                "not an authentication request: " + request.getClass().getSimpleName());
    }

    private Outcome<?> register(Request.Register request) {
        Scram.Verifier verifier;
        try {
            verifier = request.verifier();
        } catch (IllegalArgumentException e) {
            return Outcome.fail(ErrorCode.INVALID_USER, e.getMessage());
        }
        Outcome<Caller> outcome =
                cluster == null ? users.register(request.user(), verifier) : cluster.register(request.user(), verifier);
        if (!outcome.isOk()) {
            return outcome;
        }
        caller = outcome.value();
        return Outcome.ok(new Result.User(caller.user(), caller.role().name()));
    }

    private Outcome<?> login(Request.Login request) {
        if (request.password() != null || request.user() != null) {
            return Outcome.fail(ErrorCode.MALFORMED_REQUEST, PASSWORD_REFUSED);
        }
        if (request.clientFirst() == null) {
            return Outcome.fail(ErrorCode.MALFORMED_REQUEST, "login needs client_first: " + PASSWORD_REFUSED);
        }
        if (cluster != null) {
            // A user registered (or a password changed) through another node is here once this node caught up.
            var unavailable = cluster.awaitReadable();
            if (unavailable.isPresent()) {
                return unavailable.get();
            }
        }
        Outcome<Users.Challenge> started = users.start(request.clientFirst(), from, mayWait);
        if (!started.isOk()) {
            return started;
        }
        pending = started.value();
        return Outcome.ok(new Result.Challenge(pending.serverFirst()));
    }

    private Outcome<?> loginFinal(Users.Challenge challenge, Request.LoginFinal request) {
        if (challenge == null) {
            return Outcome.fail(
                    ErrorCode.MALFORMED_REQUEST, "login_final answers a login's server_first: send login first");
        }
        Outcome<Users.LoggedIn> outcome = users.finish(challenge, request.clientFinal());
        if (!outcome.isOk()) {
            return outcome;
        }
        caller = outcome.value().caller();
        return Outcome.ok(new Result.User(
                caller.user(), caller.role().name(), outcome.value().serverFinal()));
    }

    private Outcome<?> passwd(Request.Passwd request) {
        if (caller == null) {
            return Outcome.fail(
                    ErrorCode.UNAUTHENTICATED, "log in first: passwd changes the logged-in user's password");
        }
        Scram.Verifier verifier;
        try {
            verifier = request.verifier();
        } catch (IllegalArgumentException e) {
            return Outcome.fail(ErrorCode.INVALID_ARGUMENT, e.getMessage());
        }
        Outcome<Caller> outcome = cluster == null
                ? users.changePassword(caller, verifier, from)
                : cluster.changePassword(caller, verifier, from);
        if (!outcome.isOk()) {
            return outcome;
        }
        return Outcome.ok(new Result.User(caller.user(), caller.role().name()));
    }

    /**
     * Any other request came: a login in progress is abandoned (the exchange is strictly its two steps in a row), so
     * a connection cannot hold a place in the login budget while it does other work.
     */
    void otherRequest() {
        users.abandon(pending);
        pending = null;
    }

    /** Abandons a login in progress: the connection ended between its two steps. */
    @Override
    public void close() {
        users.abandon(pending);
        pending = null;
    }
}
