package com.abcbank.journal;

import java.time.Instant;

/**
 * Which security events the auditor wants: those numbered after the cursor {@code after}, at most {@code limit},
 * optionally only of one {@code kind}, for one {@code user} (as given, case-insensitive), or in {@code [from, to)}.
 * A {@code null} filter matches everything. Mirrors {@link com.abcbank.ledger.TransactionQuery}.
 */
public record SecurityEventQuery(
        long after, int limit, SecurityEvent.Kind kind, String user, Instant from, Instant to) {
    public static final int DEFAULT_LIMIT = 100;
    public static final int MAX_LIMIT = 1_000;

    public SecurityEventQuery {
        if (after < 0 || limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("after " + after + ", limit " + limit);
        }
    }

    public static SecurityEventQuery firstPage() {
        return new SecurityEventQuery(0, DEFAULT_LIMIT, null, null, null, null);
    }

    public boolean matches(SecurityEvent event) {
        return (kind == null || kind == event.kind())
                && (user == null || user.equalsIgnoreCase(event.user()))
                && (from == null || !event.time().isBefore(from))
                && (to == null || event.time().isBefore(to));
    }
}
