package com.abcbank.client;

import com.abcbank.ledger.ErrorCode;
import picocli.CommandLine;

/**
 * The client's exit codes, in one place: the help footer, the commands and the tests all read them here.
 *
 * <p>They sort by how a script should react. {@link #REFUSED}: the bank said no and nothing changed; do not
 * retry the same thing. {@link #AUTH}: fix the credentials. {@link #UNVERIFIED}: the answer came and it is bad
 * news about the books (verify, or cluster nodes that diverged): call a person, not a retry loop.
 * {@link #DEGRADED}: the answer came and a node of a cluster is down or there is no leader: restart a node.
 * {@link #UNAVAILABLE}: try again later (the client has already sent the request once more over a new
 * connection, or with {@code --servers} to the other nodes in bounded rounds); a money movement whose outcome is
 * unknown is named by its key, and the same command with {@code --key} finishes it at most once (EX_TEMPFAIL
 * from sysexits.h). {@link #PROTOCOL}: the
 * other end is not an ABC Bank server of this version; retrying will not help (EX_PROTOCOL). Picocli owns
 * 1 (a bug in the client: an unexpected exception) and 2 (usage).
 */
final class ExitCodes {
    static final int OK = 0;
    static final int USAGE = CommandLine.ExitCode.USAGE;
    static final int REFUSED = 3;
    static final int AUTH = 4;
    static final int UNVERIFIED = 5;
    /**
     * The answer came and says a replicated bank runs short: a node unreachable, or no leader ({@code cluster}). Not
     * {@link #UNVERIFIED}: nothing says the books are wrong, and a script should restart a node, not call an auditor.
     */
    static final int DEGRADED = 6;

    static final int UNAVAILABLE = 75;
    static final int PROTOCOL = 76;

    /** The help footer, built from the constants so that it cannot drift from them. */
    static final String HELP_OK = OK + ":success";

    static final String HELP_USAGE = USAGE + ":usage error: a bad option, argument or amount; nothing was sent";
    static final String HELP_REFUSED =
            REFUSED + ":the bank refused the operation (error: CODE: message); nothing changed";
    static final String HELP_AUTH = AUTH + ":authentication failed: BAD_CREDENTIALS, THROTTLED, or no password found";
    static final String HELP_UNVERIFIED = UNVERIFIED + ":the books did not verify";
    static final String HELP_DEGRADED =
            DEGRADED + ":cluster: a node is unreachable or there is no leader (its copies diverged: 5)";
    static final String HELP_UNAVAILABLE =
            UNAVAILABLE + ":cannot connect; the connection broke or timed out again after"
                    + " the automatic retries; or the server is busy or failed: retry later (a money movement whose outcome"
                    + " is unknown is named by its key: run it again with --key KEY to finish it at most once)";
    static final String HELP_PROTOCOL = PROTOCOL + ":the server broke the protocol (not an ABC Bank server?)";

    private ExitCodes() {}

    /**
     * Whether a request refused with {@code code} may have taken effect all the same; every other refusal changed
     * nothing (docs/protocol.md).
     */
    static boolean indefinite(ErrorCode code) {
        return code == ErrorCode.INTERNAL_ERROR
                || code == ErrorCode.STORAGE_FAILED
                || code == ErrorCode.CLUSTER_UNAVAILABLE; // a cluster node that could not get it through in time
    }

    /** How the client exits when the server answers a request with {@code code}. */
    static int of(ErrorCode code) {
        // An exhaustive switch, no default: a code appended to ErrorCode must be placed here to compile.
        return switch (code) {
            case BAD_CREDENTIALS, THROTTLED, UNAUTHENTICATED -> AUTH;
            // Busy, shutting down and not ready are temporary; INTERNAL_ERROR, STORAGE_FAILED and
            // CLUSTER_UNAVAILABLE are indefinite (the op may have happened).
            case SERVER_BUSY, SHUTTING_DOWN, NOT_READY, INTERNAL_ERROR, STORAGE_FAILED, CLUSTER_UNAVAILABLE ->
                UNAVAILABLE;
            case INVALID_AMOUNT,
                    INVALID_ACCOUNT_NUMBER,
                    UNKNOWN_ACCOUNT,
                    FORBIDDEN,
                    WRONG_ACCOUNT_KIND,
                    SAME_ACCOUNT,
                    INSUFFICIENT_FUNDS,
                    LOAN_OVERPAYMENT,
                    DUPLICATE_ACCOUNT,
                    LOAN_LIMIT_EXCEEDED,
                    BALANCE_OVERFLOW,
                    INVALID_ARGUMENT,
                    MALFORMED_REQUEST,
                    UNKNOWN_OP,
                    LINE_TOO_LONG,
                    USER_EXISTS,
                    INVALID_USER,
                    KEY_REUSED -> REFUSED; // a key used for another request: refused, nothing changed
        };
    }
}
