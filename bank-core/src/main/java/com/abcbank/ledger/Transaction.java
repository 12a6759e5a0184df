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
 * @param postings the legs: the {@link #debit()} first, then the {@link #credit()}; empty only for an account
 *                 opened without a deposit
 * @param key      the client's idempotency key for the request that made it, or {@code null}
 *
 * <p>Every transaction moves one amount from one account to another, so it has exactly two postings, written
 * debit first (the account money leaves: a negative amount) and credit second (where it arrives: the same amount,
 * positive), or none at all (an account opened without a deposit moves no money). The constructor checks this
 * shape, so a journal record that breaks it does not load, and readers name the legs instead of indexing them.
 */
public record Transaction(
        long seq, Instant time, TxType type, String user, String opened, List<Posting> postings, String key) {
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
        checkLegs(seq, type, postings);
    }

    /** Two legs, debit (negative) then credit (positive), on two accounts; or none, for an opening without money. */
    private static void checkLegs(long seq, TxType type, List<Posting> postings) {
        if (postings.isEmpty()) {
            if (type != TxType.OPEN_ACCOUNT) {
                throw new IllegalStateException("transaction " + seq + " (" + type + ") moves no money");
            }
            return;
        }
        if (postings.size() != 2) {
            throw new IllegalStateException("transaction " + seq + " has " + postings.size() + " postings, not 2");
        }
        Posting debit = postings.get(0);
        Posting credit = postings.get(1);
        if (debit.amountCents() >= 0 || credit.amountCents() <= 0) {
            throw new IllegalStateException(
                    "transaction " + seq + " is not written debit first, credit second: " + postings);
        }
        if (debit.account().equals(credit.account())) {
            throw new IllegalStateException(
                    "transaction " + seq + " moves money from " + debit.account() + " to itself");
        }
    }

    /**
     * The posting to the account money left (its amount is negative), or {@code null} for an account opened
     * without a deposit, the one kind of transaction that moves no money.
     */
    public Posting debit() {
        return postings.isEmpty() ? null : postings.get(0);
    }

    /**
     * The posting to the account money went to (its amount is positive, minus the debit's), or {@code null} for an
     * account opened without a deposit, the one kind of transaction that moves no money.
     */
    public Posting credit() {
        return postings.isEmpty() ? null : postings.get(1);
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

    /** The amount moved: the credit's amount, 0 for an account opened without a deposit. */
    public long amountCents() {
        return postings.isEmpty() ? 0 : credit().amountCents();
    }
}
