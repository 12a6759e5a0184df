package com.abcbank.ledger;

import java.util.List;

/**
 * Every account as of one point in the transaction order: the state after transactions
 * {@code 1..lastSeq} and no others.
 */
public record Snapshot(long lastSeq, List<AccountView> accounts) {
    public Snapshot {
        accounts = List.copyOf(accounts);
    }

    /** The sum of every balance, internal accounts included. Zero, or the books are broken. */
    public long sumCents() {
        long sum = 0;
        for (AccountView account : accounts) {
            sum = Math.addExact(sum, account.balanceCents());
        }
        return sum;
    }
}
