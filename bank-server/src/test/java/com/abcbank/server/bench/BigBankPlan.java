package com.abcbank.server.bench;

/**
 * The shape of a generated bank, checked: see {@link BigBank} for what each figure means.
 *
 * @param checking     checking accounts: customer {@code i % users} owns account {@code i}, so every customer owns
 *                     at least one, account {@code u} for customer {@code u}
 * @param loans        loan accounts: loan {@code k} is customer {@code k % users}'s, paid into their account
 * @param snapshotSeq  the transaction the snapshot is taken at
 */
record BigBankPlan(
        int users, int checking, int loans, long transactions, int keyedPercent, long snapshotSeq, long seed) {
    /** A customer's loans stay under the default loan limit (50,000.00) with 5,000.00 at most each. */
    static final int MAX_LOANS_PER_USER = 10;

    static BigBankPlan of(
            int accounts, long transactions, int users, int loanPercent, int keyedPercent, long tail, long seed) {
        if (loanPercent < 0 || loanPercent > 50 || keyedPercent < 0 || keyedPercent > 100) {
            throw new IllegalArgumentException("--loan-percent is 0..50 and --keyed-percent 0..100");
        }
        int loans = (int) ((long) accounts * loanPercent / 100);
        int checking = accounts - loans;
        if (accounts < 1 || users < 1 || users > checking) {
            throw new IllegalArgumentException("need at least one account, and at least one checking account per"
                    + " customer: " + accounts + " accounts (" + checking + " checking) for " + users + " customers");
        }
        if ((long) loans > (long) users * MAX_LOANS_PER_USER) {
            throw new IllegalArgumentException(
                    "at most " + MAX_LOANS_PER_USER + " loans per customer: raise --users or lower --loan-percent");
        }
        if (transactions < accounts) {
            throw new IllegalArgumentException(
                    "--transactions must be at least --accounts: opening an account is a transaction");
        }
        if (tail < 0 || tail >= transactions) {
            throw new IllegalArgumentException("--tail must be 0 or more and less than --transactions");
        }
        return new BigBankPlan(users, checking, loans, transactions, keyedPercent, transactions - tail, seed);
    }
}
