package com.abcbank.ledger;

import java.util.Optional;

/**
 * What an account is for, and so which sign its balance may take.
 *
 * <p>Sign convention: a balance is the sum of the postings to the account, and every transaction's
 * postings sum to zero, so all balances together sum to zero. A checking balance is what the bank owes
 * its customer ({@code >= 0}); a loan balance is minus what the customer owes the bank ({@code <= 0},
 * so "outstanding" is {@code -balance}); the vault's balance is minus the net cash that came in over
 * the counter (cash in is a credit to the customer and a debit to the vault).
 *
 * <p>Each kind has a stored {@link #code} (one byte per account in a snapshot): append, never renumber;
 * declaration order means nothing on disk.
 */
public enum AccountKind {
    CHECKING(0),
    LOAN(1),
    /** A bank-internal account: the vault shards through which cash enters and leaves. */
    INTERNAL(2);

    /** The byte that stands for this kind in a snapshot: append, never renumber. */
    public final int code;

    AccountKind(int code) {
        this.code = code;
    }

    /** The kind stored as {@code code}, or empty if no kind has it (a damaged or newer file). */
    public static Optional<AccountKind> ofCode(int code) {
        for (AccountKind kind : values()) {
            if (kind.code == code) {
                return Optional.of(kind);
            }
        }
        return Optional.empty();
    }
}
