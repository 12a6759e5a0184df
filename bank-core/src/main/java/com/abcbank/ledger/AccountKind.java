package com.abcbank.ledger;

/**
 * What an account is for, and so which sign its balance may take.
 *
 * <p>Sign convention: a balance is the sum of the postings to the account, and every transaction's
 * postings sum to zero, so all balances together sum to zero. A checking balance is what the bank owes
 * its customer ({@code >= 0}); a loan balance is minus what the customer owes the bank ({@code <= 0},
 * so "outstanding" is {@code -balance}); the vault's balance is minus the net cash that came in over
 * the counter (cash in is a credit to the customer and a debit to the vault).
 */
public enum AccountKind {
    CHECKING,
    LOAN,
    /** A bank-internal account: the vault shards through which cash enters and leaves. */
    INTERNAL
}
