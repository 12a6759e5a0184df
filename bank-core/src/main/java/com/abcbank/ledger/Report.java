package com.abcbank.ledger;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

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
public record Report(
        long asOfSeq,
        long transactions,
        int customers,
        int checkingAccounts,
        long checkingTotalCents,
        int loanAccounts,
        long loanOutstandingCents,
        long internalTotalCents,
        List<AccountView> internalAccounts,
        long sumCents) {
    public Report {
        internalAccounts = List.copyOf(internalAccounts);
    }

    /** The figures of {@code snapshot}. */
    static Report of(Snapshot snapshot) {
        int checkingAccounts = 0;
        int loanAccounts = 0;
        long checkingTotal = 0;
        long loanOutstanding = 0;
        long internalTotal = 0;
        List<AccountView> internal = new ArrayList<>();
        Set<String> customers = new HashSet<>();
        for (AccountView account : snapshot.accounts()) {
            switch (account.kind()) {
                case CHECKING -> {
                    checkingAccounts++;
                    checkingTotal = Math.addExact(checkingTotal, account.balanceCents());
                    customers.add(account.owner());
                }
                case LOAN -> {
                    loanAccounts++;
                    loanOutstanding = Math.addExact(loanOutstanding, account.outstandingCents());
                    customers.add(account.owner());
                }
                case INTERNAL -> {
                    internal.add(account);
                    internalTotal = Math.addExact(internalTotal, account.balanceCents());
                }
            }
        }
        return new Report(
                snapshot.lastSeq(),
                snapshot.lastSeq(),
                customers.size(),
                checkingAccounts,
                checkingTotal,
                loanAccounts,
                loanOutstanding,
                internalTotal,
                internal,
                snapshot.sumCents());
    }

    /** Whether the books balance: every balance sums to exactly zero. */
    public boolean balanced() {
        return sumCents == 0;
    }
}
