package com.abcbank.ledger;

import java.util.Objects;

/** Who asks: an authenticated user name and their role. The server vouches for it. */
public record Caller(String user, Role role) {
    public Caller {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(role, "role");
    }

    public static Caller customer(String user) {
        return new Caller(user, Role.CUSTOMER);
    }

    public static Caller auditor(String user) {
        return new Caller(user, Role.AUDITOR);
    }

    public boolean isAuditor() {
        return role == Role.AUDITOR;
    }
}
