package com.abcbank.ledger;

/** What a user may do. Customers move their own money; the auditor sees everything and moves nothing. */
public enum Role {
    CUSTOMER,
    AUDITOR
}
