package com.abcbank.ledger;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The loan limit: what each customer owes on all their loans together never exceeds {@code limitCents}, and every
 * refusal for the limit is explained by loans that are visible.
 *
 * <h2>The protocol</h2>
 * Each customer with loans has an {@link Owner}: a lock and the sum they owe. Everything that changes what a
 * customer owes runs under that customer's lock, from the decision to the booking:
 * <ul>
 *   <li>{@link #borrow} (apply_loan) takes the lock, checks the limit against what is owed, books the loan (the
 *       booking takes the account locks, commits, and releases them), adds the amount if it was booked, and only
 *       then unlocks.</li>
 *   <li>{@link #repay} (pay_loan_check, pay_loan_transfer) takes the lock of the loan's owner, books the payment,
 *       and subtracts it if it was booked.</li>
 * </ul>
 *
 * <h2>Invariants</h2>
 * <ul>
 *   <li>Whenever an owner's lock is free, {@code owedCents} equals the sum outstanding on that owner's loan
 *       accounts as committed: each booking that changes a loan balance changes the sum under the same lock,
 *       before the lock is released. So the limit check reads exactly the committed loans: never one that is only
 *       reserved. That is what makes a decision explainable by a serial order: a loan is booked or refused at the
 *       moment its owner's lock is held, and every loan that moment counts is already visible in the balances.
 *       (Before, the amount was reserved by compare-and-set before the account locks: a loan could be refused
 *       for another loan that no read could yet see.)</li>
 *   <li>{@code owedCents} never goes above the limit (checked before booking) nor below zero (a broken
 *       invariant throws).</li>
 * </ul>
 *
 * <h2>Lock order</h2>
 * An owner's lock comes before every other lock of the ledger ({@code openings}, the account locks, the
 * sequencer), and an operation holds at most one owner's lock: apply_loan the caller's, a payment the loan
 * owner's. So owner locks add no cycle to the ledger's order. Deposits, withdrawals and transfers never take one:
 * the money path does not pay for the limit. Two loans of one customer (on two checking accounts, say) are
 * serialised; loans of different customers are not.
 */
final class LoanExposure {
    private final long limitCents;
    private final ConcurrentHashMap<String, Owner> owners = new ConcurrentHashMap<>();

    /** One customer's loans: what they owe, guarded by {@link #lock}. */
    private static final class Owner {
        final ReentrantLock lock = new ReentrantLock();
        long owedCents;
    }

    LoanExposure(long limitCents) {
        this.limitCents = limitCents;
    }

    /**
     * Books a loan of {@code amountCents} to {@code owner} with {@code booking}, if it fits under the limit; else
     * {@code LOAN_LIMIT_EXCEEDED}. Holding no ledger lock on entry: the owner's lock comes first.
     */
    Outcome<Transaction> borrow(String owner, long amountCents, Supplier<Outcome<Transaction>> booking) {
        Owner exposure = owners.computeIfAbsent(owner, ignored -> new Owner());
        exposure.lock.lock();
        try {
            if (exposure.owedCents > limitCents - amountCents) {
                return Outcome.fail(
                        ErrorCode.LOAN_LIMIT_EXCEEDED,
                        "a loan of " + Money.format(amountCents)
                                + " would exceed the limit of " + Money.format(limitCents) + " ("
                                + Money.format(exposure.owedCents) + " already owed)");
            }
            Outcome<Transaction> booked = booking.get();
            if (booked.isOk()) {
                exposure.owedCents += amountCents;
            }
            return booked;
        } finally {
            exposure.lock.unlock();
        }
    }

    /** Books a payment of {@code amountCents} on one of {@code owner}'s loans with {@code payment}. */
    Outcome<Transaction> repay(String owner, long amountCents, Supplier<Outcome<Transaction>> payment) {
        Owner exposure = owners.computeIfAbsent(owner, ignored -> new Owner());
        exposure.lock.lock();
        try {
            Outcome<Transaction> paid = payment.get();
            if (paid.isOk()) {
                lower(owner, exposure, amountCents);
            }
            return paid;
        } finally {
            exposure.lock.unlock();
        }
    }

    /**
     * Counts a loan ({@code deltaCents > 0}) or a payment ({@code < 0}) already committed: one read back from
     * the journal or a saved state, at start-up. Call it holding no ledger lock.
     */
    void restored(String owner, long deltaCents) {
        Owner exposure = owners.computeIfAbsent(owner, ignored -> new Owner());
        exposure.lock.lock();
        try {
            if (deltaCents < 0) {
                lower(owner, exposure, -deltaCents);
            } else {
                exposure.owedCents = Math.addExact(exposure.owedCents, deltaCents);
            }
        } finally {
            exposure.lock.unlock();
        }
    }

    /** Counts the loans of a saved state being restored, at start-up. Call it holding no ledger lock. */
    void restored(List<AccountView> accounts) {
        for (AccountView view : accounts) {
            if (view.kind() == AccountKind.LOAN) {
                restored(view.owner(), view.outstandingCents());
            }
        }
    }

    private static void lower(String owner, Owner exposure, long amountCents) {
        if (exposure.owedCents < amountCents) {
            throw new IllegalStateException(owner + " paid " + amountCents + " on loans owing " + exposure.owedCents);
        }
        exposure.owedCents -= amountCents;
    }
}
