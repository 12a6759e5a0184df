package com.abcbank.ledger;

import java.util.List;

/**
 * The bank in figures, from one consistent {@link Snapshot}.
 *
 * @param asOfSeq              the last transaction the figures include
 * @param transactions         how many transactions committed up to {@code asOfSeq}
 * @param customers            how many users hold at least one account
 * @param checkingAccounts     how many checking accounts
 * @param checkingTotalCents   what the bank owes its checking customers
 * @param loanAccounts         how many loan accounts
 * @param loanOutstandingCents what customers owe the bank on loans (a positive figure)
 * @param internalTotalCents   the sum of the internal accounts' balances
 * @param internalAccounts     each internal account
 * @param sumCents             the sum of every balance: must be 0
 */
public record Report(long asOfSeq, long transactions, int customers, int checkingAccounts, long checkingTotalCents,
                     int loanAccounts, long loanOutstandingCents, long internalTotalCents,
                     List<AccountView> internalAccounts, long sumCents) {
    public Report {
        internalAccounts = List.copyOf(internalAccounts);
    }

    /** Whether the books balance: every balance sums to exactly zero. */
    public boolean balanced() {
        return sumCents == 0;
    }
}
