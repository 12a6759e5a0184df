package com.abcbank.ledger;

/**
 * What a money-moving request asked for, to tell a retry (same key, same intent) from a reuse of a key for
 * something else. Derived from the request's arguments, or, on replay, from the transaction it made: its
 * {@link Transaction#debit()} and {@link Transaction#credit()} name the accounts the request named.
 */
record Intent(TxType type, String user, String account, String other, long amountCents) {

    static Intent of(Transaction tx) {
        return switch (tx.type()) {
            case OPEN_ACCOUNT -> new Intent(tx.type(), tx.user(), tx.opened(), null, tx.amountCents());
            case DEPOSIT, LOAN, LOAN_PAYMENT_CHECK ->
                new Intent(tx.type(), tx.user(), tx.credit().account(), null, tx.amountCents());
            case WITHDRAW -> new Intent(tx.type(), tx.user(), tx.debit().account(), null, tx.amountCents());
            case TRANSFER, LOAN_PAYMENT_TRANSFER ->
                new Intent(
                        tx.type(), tx.user(), tx.debit().account(), tx.credit().account(), tx.amountCents());
        };
    }
}
