package com.abcbank.ledger;

/**
 * What a money-moving request asked for, to tell a retry (same key, same intent) from a reuse of a key for
 * something else. Derived from the request's arguments, or, on replay, from the transaction it made: postings
 * are always written debit first, credit second, so the accounts a request named can be read back.
 */
record Intent(TxType type, String user, String account, String other, long amountCents) {

    static Intent of(Transaction tx) {
        var legs = tx.postings();
        return switch (tx.type()) {
            case OPEN_ACCOUNT -> new Intent(tx.type(), tx.user(), tx.opened(), null, tx.amountCents());
            case DEPOSIT, LOAN, LOAN_PAYMENT_CHECK ->
                    new Intent(tx.type(), tx.user(), legs.get(1).account(), null, tx.amountCents());
            case WITHDRAW -> new Intent(tx.type(), tx.user(), legs.get(0).account(), null, tx.amountCents());
            case TRANSFER, LOAN_PAYMENT_TRANSFER ->
                    new Intent(tx.type(), tx.user(), legs.get(0).account(), legs.get(1).account(), tx.amountCents());
        };
    }
}
