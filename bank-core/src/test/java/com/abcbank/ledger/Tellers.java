package com.abcbank.ledger;

/**
 * The ledger's money operations without an idempotency key, for tests: each passes {@code null} as the key, so a
 * call runs once, as a request without a key does. The ledger itself offers only the keyed forms, the ones the
 * server calls; public because the journal's tests use it too.
 */
public final class Tellers {
    private Tellers() {}

    public static Outcome<Transaction> createAccount(
            Ledger ledger, Caller caller, String number, long openingDepositCents) {
        return ledger.createAccount(caller, number, openingDepositCents, null);
    }

    public static Outcome<Transaction> deposit(Ledger ledger, Caller caller, String number, long amountCents) {
        return ledger.deposit(caller, number, amountCents, null);
    }

    public static Outcome<Transaction> withdraw(Ledger ledger, Caller caller, String number, long amountCents) {
        return ledger.withdraw(caller, number, amountCents, null);
    }

    public static Outcome<Transaction> transfer(
            Ledger ledger, Caller caller, String from, String to, long amountCents) {
        return ledger.transfer(caller, from, to, amountCents, null);
    }

    public static Outcome<Transaction> applyLoan(
            Ledger ledger, Caller caller, String checkingNumber, long amountCents) {
        return ledger.applyLoan(caller, checkingNumber, amountCents, null);
    }

    public static Outcome<Transaction> payLoanCheck(Ledger ledger, Caller caller, String loanNumber, long amountCents) {
        return ledger.payLoanCheck(caller, loanNumber, amountCents, null);
    }

    public static Outcome<Transaction> payLoanTransfer(
            Ledger ledger, Caller caller, String from, String loanNumber, long amountCents) {
        return ledger.payLoanTransfer(caller, from, loanNumber, amountCents, null);
    }
}
