package com.abcbank.ledger;

/**
 * Who may do what to which account: the ledger's authorisation rules, each stated once, and the refusals that
 * explain a no. Reads only the immutable parts of an account (number, kind, owner), so it takes no lock.
 *
 * <h2>Invariants</h2>
 * <ul>
 *   <li>Money leaves a customer account only at the request of its holder, and only from a checking account
 *       ({@link #mayMoveMoneyOut}): {@link #moneyOut} grants exactly what that predicate grants, and explains a
 *       refusal in a fixed order (unknown, not yours, wrong kind).</li>
 *   <li>Internal accounts (the vault) are unknown to customers: a customer naming one gets {@code UNKNOWN_ACCOUNT},
 *       never a hint that it exists.</li>
 * </ul>
 */
final class Access {
    private final AccountTable accounts;

    Access(AccountTable accounts) {
        this.accounts = accounts;
    }

    /** Whether {@code caller} may move money out of {@code number}: a customer, from their own checking account. */
    boolean mayMoveMoneyOut(Caller caller, String number) {
        return mayMoveMoneyOut(caller, accounts.find(number));
    }

    private static boolean mayMoveMoneyOut(Caller caller, Account account) {
        return account != null
                && !caller.isAuditor()
                && account.kind == AccountKind.CHECKING
                && account.owner.equals(caller.user());
    }

    /** Whether {@code caller} may see {@code number}'s balance and history: its holder, or the auditor. */
    boolean mayRead(Caller caller, String number) {
        Account account = accounts.find(number);
        return account != null
                && (caller.isAuditor()
                        || (account.kind != AccountKind.INTERNAL && account.owner.equals(caller.user())));
    }

    /**
     * The account {@code number} if {@link #mayMoveMoneyOut} lets {@code caller} move money out of it (to
     * {@code purpose}); else the refusal that says why.
     */
    Outcome<Account> moneyOut(Caller caller, String number, String purpose) {
        Account account = accounts.find(number);
        if (mayMoveMoneyOut(caller, account)) {
            return Outcome.ok(account);
        }
        if (account == null || account.kind == AccountKind.INTERNAL) {
            return Refusals.unknown(number);
        }
        if (caller.isAuditor()) {
            return Outcome.fail(ErrorCode.FORBIDDEN, "the auditor moves no money");
        }
        if (!account.owner.equals(caller.user())) {
            return Refusals.notYours(number);
        }
        return Refusals.wrongKind(account, purpose + " a checking account");
    }

    /** The customer checking account {@code number}, anybody's, for money to go into; {@code rule} says why not. */
    Outcome<Account> checking(String number, String rule) {
        Account account = accounts.find(number);
        if (account == null || account.kind == AccountKind.INTERNAL) {
            return Refusals.unknown(number);
        }
        if (account.kind != AccountKind.CHECKING) {
            return Refusals.wrongKind(account, rule);
        }
        return Outcome.ok(account);
    }

    /** The loan account {@code number}, anybody's, to be paid down. */
    Outcome<Account> loan(String number) {
        Account account = accounts.find(number);
        if (account == null || account.kind == AccountKind.INTERNAL) {
            return Refusals.unknown(number);
        }
        if (account.kind != AccountKind.LOAN) {
            return Refusals.wrongKind(account, "pay down a loan account");
        }
        return Outcome.ok(account);
    }

    /** The account {@code number} if {@link #mayRead} lets {@code caller} read it; else why not. */
    Outcome<Account> readable(Caller caller, String number) {
        Account account = accounts.find(number);
        if (account == null || (account.kind == AccountKind.INTERNAL && !caller.isAuditor())) {
            return Refusals.unknown(number);
        }
        if (!mayRead(caller, number)) {
            return Refusals.notYours(number);
        }
        return Outcome.ok(account);
    }
}
