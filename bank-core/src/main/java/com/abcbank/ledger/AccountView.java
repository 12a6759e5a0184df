package com.abcbank.ledger;

import java.time.Instant;

/**
 * A read-only copy of an account as of one moment. {@code created} is when the transaction that opened it
 * committed; internal accounts have none ({@code null}): they exist as long as the books do.
 */
public record AccountView(String number, AccountKind kind, String owner, Instant created, long balanceCents) {
    /** For a loan, what the customer still owes (the balance with its sign turned); else 0. */
    public long outstandingCents() {
        return kind == AccountKind.LOAN ? -balanceCents : 0;
    }
}
