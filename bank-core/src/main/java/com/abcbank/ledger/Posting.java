package com.abcbank.ledger;

/**
 * One leg of a transaction: {@code amountCents} added to {@code account}'s balance (negative to take
 * away), and the account's balance once it was added.
 */
public record Posting(String account, long amountCents, long balanceAfterCents) {}
