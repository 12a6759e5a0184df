package com.abcbank.ledger;

import java.util.List;

/** A customer and their accounts, in account-number order. */
public record Holder(String user, List<AccountView> accounts) {
    public Holder {
        accounts = List.copyOf(accounts);
    }
}
