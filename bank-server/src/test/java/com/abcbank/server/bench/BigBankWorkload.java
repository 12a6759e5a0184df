package com.abcbank.server.bench;

import com.abcbank.ledger.Caller;
import com.abcbank.ledger.Ledger;
import com.abcbank.ledger.Outcome;
import com.abcbank.ledger.Transaction;
import java.util.SplittableRandom;

/**
 * The requests that make a generated bank, one at a time and in a seeded order: first every checking account is
 * opened (with a deposit of 500.00 to 5,000.00), then every loan is taken (500.00 to 5,000.00), then the mix of
 * {@link BigBank}'s comment. Each {@link #next} sends one request to whichever ledger is current (the generator
 * replaces it on a restart; the workload's own state, the loan numbers and the counters, carries over).
 */
final class BigBankWorkload {
    private static final long MAX_MOVE_CENTS = 20_000;
    private static final long MAX_LOAN_PAYMENT_CENTS = 10_000;

    private final BigBankPlan plan;
    private final SplittableRandom random;
    private final String[] loanNumbers;
    private int opened;
    private int lent;
    private long requests;
    private long refused;

    BigBankWorkload(BigBankPlan plan) {
        this.plan = plan;
        this.random = new SplittableRandom(plan.seed());
        this.loanNumbers = new String[plan.loans()];
    }

    /** Checking account {@code index}'s number: 9 digits. */
    static String checkingNumber(int index) {
        return Integer.toString(100_000_000 + index);
    }

    /** Requests refused so far (too little money, or a loan overpaid): they committed nothing. */
    long refused() {
        return refused;
    }

    /** Sends the next request to {@code ledger}. Throws if a request that must succeed (an opening, a loan) fails. */
    void next(Ledger ledger) {
        requests++;
        if (opened < plan.checking()) {
            int index = opened++;
            long depositCents = 50_000 + random.nextLong(450_001);
            mustSucceed(ledger.createAccount(ownerOf(index), checkingNumber(index), depositCents, key()));
        } else if (lent < plan.loans()) {
            int index = lent++;
            int user = index % plan.users();
            long amountCents = 50_000 + random.nextLong(450_001);
            Transaction loan = mustSucceed(ledger.applyLoan(ownerOf(user), checkingNumber(user), amountCents, key()));
            loanNumbers[index] = loan.opened();
        } else {
            count(mixed(ledger));
        }
    }

    /** 65% transfers, 15% deposits, 15% withdrawals, 5% loan payments (if there are loans). */
    private Outcome<Transaction> mixed(Ledger ledger) {
        int roll = random.nextInt(100);
        int account = random.nextInt(plan.checking());
        Caller owner = ownerOf(account);
        long amountCents = 1 + random.nextLong(MAX_MOVE_CENTS);
        if (roll < 65 && plan.checking() > 1) {
            int other = (account + 1 + random.nextInt(plan.checking() - 1)) % plan.checking();
            return ledger.transfer(owner, checkingNumber(account), checkingNumber(other), amountCents, key());
        }
        if (roll < 80 || (roll >= 95 && plan.loans() == 0)) {
            return ledger.deposit(owner, checkingNumber(account), amountCents, key());
        }
        if (roll < 95) {
            return ledger.withdraw(owner, checkingNumber(account), amountCents, key());
        }
        int loan = random.nextInt(plan.loans());
        int user = loan % plan.users();
        long paymentCents = 1 + random.nextLong(MAX_LOAN_PAYMENT_CENTS);
        return ledger.payLoanTransfer(ownerOf(user), checkingNumber(user), loanNumbers[loan], paymentCents, key());
    }

    private Caller ownerOf(int checkingIndex) {
        return Caller.customer(BigBankUsers.name(checkingIndex % plan.users()));
    }

    /** A key for {@code keyedPercent} of the requests, unique across the bank. */
    private String key() {
        return random.nextInt(100) < plan.keyedPercent() ? "bb-" + requests : null;
    }

    private void count(Outcome<Transaction> outcome) {
        if (!outcome.isOk()) {
            refused++;
            if (refused > 1_000 && refused > requests / 2) {
                throw new IllegalStateException("more than half the requests were refused (" + refused + " of "
                        + requests + "), the last: " + outcome.message());
            }
        }
    }

    private static Transaction mustSucceed(Outcome<Transaction> outcome) {
        if (!outcome.isOk()) {
            throw new IllegalStateException("an opening or a loan was refused: " + outcome.message());
        }
        return outcome.value();
    }
}
