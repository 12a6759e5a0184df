package com.abcbank.ledger;

/**
 * Settings of a {@link Ledger}.
 *
 * @param loanLimitCents the most one customer may owe on all their loans together
 * @param vaultShards    how many vault accounts cash is spread over; more shards, less contention
 *                       between deposits and withdrawals on different accounts
 */
public record LedgerConfig(long loanLimitCents, int vaultShards) {
    /** 50,000.00 outstanding per customer. */
    public static final long DEFAULT_LOAN_LIMIT_CENTS = 5_000_000L;

    public static final int DEFAULT_VAULT_SHARDS = 16;

    public LedgerConfig {
        if (loanLimitCents < 0) {
            throw new IllegalArgumentException("loan limit must not be negative: " + loanLimitCents);
        }
        if (vaultShards < 1 || vaultShards > 1024) {
            throw new IllegalArgumentException("vault shards must be 1..1024: " + vaultShards);
        }
    }

    public static LedgerConfig defaults() {
        return new LedgerConfig(DEFAULT_LOAN_LIMIT_CENTS, DEFAULT_VAULT_SHARDS);
    }

    public LedgerConfig withLoanLimitCents(long limitCents) {
        return new LedgerConfig(limitCents, vaultShards);
    }

    public LedgerConfig withVaultShards(int shards) {
        return new LedgerConfig(loanLimitCents, shards);
    }
}
