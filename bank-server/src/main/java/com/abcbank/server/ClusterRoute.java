package com.abcbank.server;

import com.abcbank.ledger.Caller;
import com.abcbank.ledger.ErrorCode;
import com.abcbank.ledger.Outcome;
import com.abcbank.ledger.Role;
import com.abcbank.protocol.Request;
import com.abcbank.protocol.Result;
import com.abcbank.protocol.Scram;
import com.abcbank.server.cluster.ClusterNode;
import com.abcbank.server.cluster.Command;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;

/**
 * A cluster node's side of the {@link Dispatcher} and the {@link LoginSession}: turns a client's request into a
 * {@link Command} of the replicated log and its reply back into an outcome, and makes reads wait for the read index.
 * The node that receives a request vouches for who sent it (it authenticated them); every node applies it.
 */
final class ClusterRoute {
    private final ClusterNode node;

    ClusterRoute(ClusterNode node) {
        this.node = node;
    }

    ClusterNode node() {
        return node;
    }

    /** A money request through the log: completes with its outcome, or {@code CLUSTER_UNAVAILABLE}. */
    CompletableFuture<Outcome<?>> money(Caller caller, Request.Money request) {
        Command command = new Command(Command.Kind.MONEY, caller.user(), caller.role(), request, "");
        // A keyed request applied twice answers its first outcome and moves nothing: it may be forwarded.
        CompletableFuture<Outcome<?>> reply =
                request.key() == null ? node.submit(command) : node.submitIdempotent(command);
        return reply.thenApply(outcome -> checked(outcome, Result.Tx.class));
    }

    /** Open enrolment through the log: every node adds the user with the verifier the client derived. */
    Outcome<Caller> register(String name, Scram.Verifier verifier) {
        Command command =
                new Command(Command.Kind.REGISTER, name, Role.CUSTOMER, new Request.Register(name, verifier), "");
        return caller(node.submit(command).join());
    }

    /** A password change through the log; {@code from} goes with it, for every node's security trail. */
    Outcome<Caller> changePassword(Caller caller, Scram.Verifier verifier, InetAddress from) {
        Command command = new Command(
                Command.Kind.PASSWD,
                caller.user(),
                caller.role(),
                new Request.Register(caller.user(), verifier),
                from == null ? "" : from.getHostAddress());
        return caller(node.submit(command).join());
    }

    /** Proposes the auditor, once for the cluster: {@code USER_EXISTS} if another node's proposal came first. */
    Outcome<Caller> addAuditor(Scram.Verifier verifier) {
        Command command = new Command(
                Command.Kind.AUDITOR,
                com.abcbank.protocol.Wire.AUDITOR,
                Role.AUDITOR,
                new Request.Register(com.abcbank.protocol.Wire.AUDITOR, verifier),
                "");
        return caller(node.submit(command).join());
    }

    /** Waits until a read here is linearizable: empty once it is, else why not. */
    Optional<Outcome<?>> awaitReadable() {
        try {
            node.awaitReadable();
            return Optional.empty();
        } catch (TimeoutException e) {
            return Optional.of(Outcome.fail(
                    ErrorCode.CLUSTER_UNAVAILABLE,
                    "this node cannot confirm it is up to date (no leader, or no majority reachable): " + e.getMessage()
                            + "; retry, here or on another node"));
        }
    }

    /** cluster: every node's place in the log. Auditor only. */
    Outcome<?> status(Caller caller) {
        if (!caller.isAuditor()) {
            return Outcome.fail(ErrorCode.FORBIDDEN, "cluster is for the auditor only");
        }
        return Outcome.ok(node.status());
    }

    /** Every node's chain head at one common log index, for verify. */
    List<Result.Replica> heads() {
        return node.headsAtCommonIndex();
    }

    private static Outcome<Caller> caller(Outcome<?> reply) {
        Outcome<?> outcome = checked(reply, Result.User.class);
        if (!outcome.isOk()) {
            return Outcome.fail(outcome.error(), outcome.message());
        }
        Result.User user = (Result.User) outcome.value();
        return Outcome.ok(new Caller(user.user(), Role.valueOf(user.role())));
    }

    /** The state machine's outcome, if a success carries a {@code type}, as the local path would give it. */
    private static Outcome<?> checked(Outcome<?> outcome, Class<?> type) {
        if (outcome.isOk() && !type.isInstance(outcome.value())) {
            return Outcome.fail(
                    ErrorCode.INTERNAL_ERROR,
                    "the cluster answered a " + outcome.value().getClass().getSimpleName() + " for a "
                            + type.getSimpleName());
        }
        return outcome;
    }
}
