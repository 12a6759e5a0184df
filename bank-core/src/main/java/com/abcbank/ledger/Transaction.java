package com.abcbank.ledger;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A committed transaction: immutable, numbered, and balanced.
 *
 * @param seq      position in the ledger's total order: 1, 2, 3, ... with no gaps
 * @param time     when it committed; never earlier than the transaction before it
 * @param type     what it did
 * @param user     who asked for it
 * @param opened   the account this transaction opened (create_account, apply_loan), or {@code null}
 * @param postings the legs, summing to zero; empty only for an account opened without a deposit
 * @param key      the client's idempotency key for the request that made it, or {@code null}
 */
public record Transaction(long seq, Instant time, TxType type, String user, String opened, List<Posting> postings,
                          String key) {
    public Transaction {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(user, "user");
        postings = List.copyOf(postings);
        long sum = 0;
        for (Posting posting : postings) {
            sum = Math.addExact(sum, posting.amountCents());
        }
        if (sum != 0) {
            throw new IllegalStateException("transaction " + seq + " does not balance: postings sum to " + sum);
        }
    }

    /** This transaction's posting to {@code account}, or {@code null} if it has none. */
    public Posting postingTo(String account) {
        for (Posting posting : postings) {
            if (posting.account().equals(account)) {
                return posting;
            }
        }
        return null;
    }

    /** Whether this transaction touched {@code account}: posted to it or opened it. */
    public boolean involves(String account) {
        return account.equals(opened) || postingTo(account) != null;
    }

    /** The amount moved: the sum of the positive legs. */
    public long amountCents() {
        long amount = 0;
        for (Posting posting : postings) {
            if (posting.amountCents() > 0) {
                amount += posting.amountCents();
            }
        }
        return amount;
    }
}
