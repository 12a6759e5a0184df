package com.abcbank.ledger;

/**
 * Why an operation was refused. A refused operation changed nothing.
 *
 * <p>Codes are wire values: the name travels in replies and the number is kept stable for anyone who
 * stores it. Append new codes at the end; never renumber or rename one.
 */
public enum ErrorCode {
    /** Not a valid amount of money: not a number, zero, negative, more than two decimals, too large. */
    INVALID_AMOUNT(1),
    /** An account number that is not 4 to 12 digits. */
    INVALID_ACCOUNT_NUMBER(2),
    /** No account has this number. */
    UNKNOWN_ACCOUNT(3),
    /** The caller may not do this to this account, or at all. */
    FORBIDDEN(4),
    /** The operation does not apply to this kind of account (withdrawing from a loan, say). */
    WRONG_ACCOUNT_KIND(5),
    /** A transfer whose source and target are the same account. */
    SAME_ACCOUNT(6),
    /** A checking account would go below zero. */
    INSUFFICIENT_FUNDS(7),
    /** A payment larger than what is outstanding on the loan. */
    LOAN_OVERPAYMENT(8),
    /** The account number is taken. */
    DUPLICATE_ACCOUNT(9),
    /** The customer's outstanding loans would exceed their limit. */
    LOAN_LIMIT_EXCEEDED(10),
    /** A balance would leave the range a {@code long} count of cents can hold. */
    BALANCE_OVERFLOW(11),
    /** A malformed argument that is not an amount or account number (a page limit, a time range). */
    INVALID_ARGUMENT(12),

    // Protocol and authentication: raised by the server, never by the ledger.

    /** A request line that is not a JSON object, or lacks a field, or has one of the wrong type or unknown. */
    MALFORMED_REQUEST(13),
    /** A request whose {@code op} the server does not know. */
    UNKNOWN_OP(14),
    /** A request line longer than the server's limit; the server closes the connection after this reply. */
    LINE_TOO_LONG(15),
    /** A request that needs a logged-in user, on a connection that has none. */
    UNAUTHENTICATED(16),
    /** Unknown user or wrong password: deliberately the same code for both. */
    BAD_CREDENTIALS(17),
    /** Too many failed logins for this user: wait and retry after the time the message gives. */
    THROTTLED(18),
    /** register: the user name is taken. */
    USER_EXISTS(19),
    /** register: a user name or password that breaks the rules the message gives. */
    INVALID_USER(20),
    /** The server is at its connection limit; this connection is closed after the reply. Retry later. */
    SERVER_BUSY(21),
    /** The server is shutting down and takes no new requests. */
    SHUTTING_DOWN(22),
    /** The server failed to handle the request; whether it took effect is unknown. */
    INTERNAL_ERROR(23),
    /** An idempotency key already used by this user for a different request. */
    KEY_REUSED(24),
    /**
     * The journal could not be written or forced to disk. Money movement stops until the server is restarted;
     * a request that got this may or may not have been recorded.
     */
    STORAGE_FAILED(25),
    /**
     * The server cannot answer this yet: just after a start it is still reading the journal to index what this
     * asks for (the security events). Nothing happened; retry in a moment.
     */
    NOT_READY(26),
    /**
     * A node of a cluster could not get this request through the cluster in time (no leader elected, no majority
     * reachable). A money movement may or may not have happened: retry it with the same key, on this node or
     * another, and it applies at most once.
     */
    CLUSTER_UNAVAILABLE(27);

    public final int code;

    ErrorCode(int code) {
        this.code = code;
    }

    /**
     * Whether this is the bank saying no to an operation (the ledger's own refusals: funds, limits, ownership,
     * kinds, keys), as opposed to the protocol, authentication, capacity or a failure of the server. A load
     * generator counts the first kind and stops on the second. An exhaustive switch: a code appended here must
     * be placed to compile.
     */
    public boolean isLedgerRefusal() {
        return switch (this) {
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
                    KEY_REUSED -> true;
            case MALFORMED_REQUEST,
                    UNKNOWN_OP,
                    LINE_TOO_LONG,
                    UNAUTHENTICATED,
                    BAD_CREDENTIALS,
                    THROTTLED,
                    USER_EXISTS,
                    INVALID_USER,
                    SERVER_BUSY,
                    SHUTTING_DOWN,
                    INTERNAL_ERROR,
                    STORAGE_FAILED,
                    NOT_READY,
                    CLUSTER_UNAVAILABLE -> false;
        };
    }
}
