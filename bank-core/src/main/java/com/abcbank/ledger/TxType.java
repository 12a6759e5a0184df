package com.abcbank.ledger;

/** What a transaction did. Wire values: append, never rename. */
public enum TxType {
    /** create_account: opens a checking account, with an optional opening deposit from the vault. */
    OPEN_ACCOUNT,
    /** deposit: cash in, vault to checking. */
    DEPOSIT,
    /** withdraw: cash out, checking to vault. */
    WITHDRAW,
    /** transfer: checking to checking. */
    TRANSFER,
    /** apply_loan: opens a loan account and pays its principal into the customer's checking account. */
    LOAN,
    /** pay_loan_check: pays a loan down from outside the bank, through the vault. */
    LOAN_PAYMENT_CHECK,
    /** pay_loan_transfer: pays a loan down from a checking account. */
    LOAN_PAYMENT_TRANSFER
}
