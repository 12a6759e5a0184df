package com.abcbank.ledger;

import java.time.Instant;

/**
 * Which transactions the auditor wants to see: those after the cursor {@code after}, at most
 * {@code limit}, optionally only those touching {@code account}, asked for by {@code user}, or
 * committed in {@code [from, to)}. A {@code null} filter matches everything.
 */
public record TransactionQuery(long after, int limit, String account, String user, Instant from, Instant to) {
    public static final int DEFAULT_LIMIT = 100;
    public static final int MAX_LIMIT = 1_000;

    public static TransactionQuery firstPage() {
        return new TransactionQuery(0, DEFAULT_LIMIT, null, null, null, null);
    }

    public TransactionQuery after(long cursor) {
        return new TransactionQuery(cursor, limit, account, user, from, to);
    }

    public TransactionQuery limit(int pageSize) {
        return new TransactionQuery(after, pageSize, account, user, from, to);
    }

    public TransactionQuery account(String number) {
        return new TransactionQuery(after, limit, number, user, from, to);
    }

    public TransactionQuery user(String name) {
        return new TransactionQuery(after, limit, account, name, from, to);
    }

    public TransactionQuery between(Instant fromInclusive, Instant toExclusive) {
        return new TransactionQuery(after, limit, account, user, fromInclusive, toExclusive);
    }

    boolean matches(Transaction tx) {
        return (account == null || tx.involves(account))
                && (user == null || user.equals(tx.user()))
                && (from == null || !tx.time().isBefore(from))
                && (to == null || tx.time().isBefore(to));
    }
}
