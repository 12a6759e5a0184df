package com.abcbank.ledger;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** A customer and their accounts, in account-number order. */
public record Holder(String user, List<AccountView> accounts) {
    public Holder {
        accounts = List.copyOf(accounts);
    }

    /** Every customer in {@code snapshot} with their accounts, in user order; internal accounts are nobody's. */
    static List<Holder> of(Snapshot snapshot) {
        Map<String, List<AccountView>> byOwner = new TreeMap<>();
        for (AccountView account : snapshot.accounts()) {
            if (account.kind() != AccountKind.INTERNAL) {
                byOwner.computeIfAbsent(account.owner(), owner -> new ArrayList<>())
                        .add(account);
            }
        }
        List<Holder> holders = new ArrayList<>(byOwner.size());
        byOwner.forEach((owner, owned) -> {
            owned.sort(Comparator.comparing(AccountView::number));
            holders.add(new Holder(owner, owned));
        });
        return holders;
    }
}
