package com.abcbank.ledger;

/**
 * Why an operation was refused. A refused operation changed nothing.
 *
 * <p>Codes are wire values: the name travels in replies and the number is kept stable for anyone who
 * stores it. Append new codes at the end; never renumber or rename one.
 */
public enum ErrorCode {
    /** Not a valid amount of money: not a number, zero, negative, more than two decimals, too large. */
    INVALID_AMOUNT(1),
    /** An account number that is not 4 to 12 digits. */
    INVALID_ACCOUNT_NUMBER(2),
    /** No account has this number. */
    UNKNOWN_ACCOUNT(3),
    /** The caller may not do this to this account, or at all. */
    FORBIDDEN(4),
    /** The operation does not apply to this kind of account (withdrawing from a loan, say). */
    WRONG_ACCOUNT_KIND(5),
    /** A transfer whose source and target are the same account. */
    SAME_ACCOUNT(6),
    /** A checking account would go below zero. */
    INSUFFICIENT_FUNDS(7),
    /** A payment larger than what is outstanding on the loan. */
    LOAN_OVERPAYMENT(8),
    /** The account number is taken. */
    DUPLICATE_ACCOUNT(9),
    /** The customer's outstanding loans would exceed their limit. */
    LOAN_LIMIT_EXCEEDED(10),
    /** A balance would leave the range a {@code long} count of cents can hold. */
    BALANCE_OVERFLOW(11),
    /** A malformed argument that is not an amount or account number (a page limit, a time range). */
    INVALID_ARGUMENT(12);

    public final int code;

    ErrorCode(int code) {
        this.code = code;
    }
}
