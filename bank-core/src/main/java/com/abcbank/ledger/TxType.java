package com.abcbank.ledger;

import java.util.Optional;

/**
 * What a transaction did. Wire values (the names): append, never rename. Stored values ({@link #code}, one byte in
 * every journal record): append, never renumber; declaration order means nothing on disk.
 */
public enum TxType {
    /** create_account: opens a checking account, with an optional opening deposit from the vault. */
    OPEN_ACCOUNT(0),
    /** deposit: cash in, vault to checking. */
    DEPOSIT(1),
    /** withdraw: cash out, checking to vault. */
    WITHDRAW(2),
    /** transfer: checking to checking. */
    TRANSFER(3),
    /** apply_loan: opens a loan account and pays its principal into the customer's checking account. */
    LOAN(4),
    /** pay_loan_check: pays a loan down from outside the bank, through the vault. */
    LOAN_PAYMENT_CHECK(5),
    /** pay_loan_transfer: pays a loan down from a checking account. */
    LOAN_PAYMENT_TRANSFER(6);

    /** The byte that stands for this type in the journal and in snapshots: append, never renumber. */
    public final int code;

    TxType(int code) {
        this.code = code;
    }

    /** The type stored as {@code code}, or empty if no type has it (a damaged or newer file). */
    public static Optional<TxType> ofCode(int code) {
        for (TxType type : values()) {
            if (type.code == code) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }
}
