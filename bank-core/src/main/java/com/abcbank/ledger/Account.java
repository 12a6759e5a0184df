package com.abcbank.ledger;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One account and the lock that guards it.
 *
 * <p>{@link #lock} guards {@code balanceCents}, {@code created} and {@code history}: every read and
 * write of them happens with the lock held. Accounts are locked in ascending {@link #ordinal} order
 * (see {@link Ledger}); an ordinal is fixed at construction and ordinals only grow, so an account
 * created while older ones are held is always later in the order than they are.
 */
final class Account {
    final String number;
    final AccountKind kind;
    final String owner;
    final long ordinal;
    final ReentrantLock lock = new ReentrantLock();

    private long balanceCents;
    private Instant created;
    /** Every transaction that touched this account, in sequence order. */
    private final ArrayList<Transaction> history = new ArrayList<>();

    /** @param created when the account came to be, or {@code null}: the time of the transaction that opens it */
    Account(String number, AccountKind kind, String owner, long ordinal, Instant created) {
        this.number = number;
        this.kind = kind;
        this.owner = owner;
        this.ordinal = ordinal;
        this.created = created;
    }

    long balanceCents() {
        assertLocked();
        return balanceCents;
    }

    /** Records {@code tx} as the latest transaction on this account; it must post to it or open it. */
    void apply(Transaction tx) {
        assertLocked();
        if (created == null && kind != AccountKind.INTERNAL) {
            created = tx.time(); // internal accounts have no opening: they exist as long as the books do
        }
        Posting posting = tx.postingTo(number);
        if (posting != null) {
            long expected = Math.addExact(balanceCents, posting.amountCents());
            if (expected != posting.balanceAfterCents()) {
                throw new IllegalStateException("account " + number + ": posting of tx " + tx.seq()
                        + " says balance after " + posting.balanceAfterCents() + ", ledger has " + expected);
            }
            balanceCents = expected;
        }
        if (!history.isEmpty() && history.get(history.size() - 1).seq() >= tx.seq()) {
            throw new IllegalStateException("account " + number + ": tx " + tx.seq() + " applied after tx "
                    + history.get(history.size() - 1).seq());
        }
        history.add(tx);
    }

    /** Sets the balance and creation time of an account being restored, before it has any history here. */
    void restore(long balance, Instant createdAt) {
        assertLocked();
        if (!history.isEmpty()) {
            throw new IllegalStateException("account " + number + " restored after transactions");
        }
        balanceCents = balance;
        created = createdAt;
    }

    AccountView view() {
        assertLocked();
        return new AccountView(number, kind, owner, created, balanceCents);
    }

    /** Up to {@code limit} transactions with a sequence number above {@code afterSeq}, and whether more follow. */
    List<Transaction> historyAfter(long afterSeq, int limit) {
        assertLocked();
        int from = Collections.binarySearch(history, null, (tx, ignored) -> Long.compare(tx.seq(), afterSeq));
        from = from >= 0 ? from + 1 : -from - 1;
        int to = (int) Math.min(history.size(), (long) from + limit + 1);
        return new ArrayList<>(history.subList(from, to));
    }

    private void assertLocked() {
        if (!lock.isHeldByCurrentThread()) {
            throw new IllegalStateException("account " + number + " used without its lock");
        }
    }

    @Override
    public String toString() {
        return kind + " " + number;
    }
}
