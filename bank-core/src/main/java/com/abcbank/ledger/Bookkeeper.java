package com.abcbank.ledger;

import java.util.ArrayList;
import java.util.List;

/**
 * The critical sections that write the books: each takes the locks of the accounts it touches, checks the rules
 * that depend on balances, has the transaction numbered and journalled ({@link TransactionLog#append}), applies
 * it to every account it touches, and releases the locks. Arguments are already validated and authorised by
 * {@link Ledger}; what is left to decide here is what only the balances can tell.
 *
 * <h2>Invariants</h2>
 * <ul>
 *   <li>Validation and update are one atomic step: every balance read to decide is read under the lock that is
 *       held until the update is applied, so no update is lost and no checking account goes below zero.</li>
 *   <li>Locks in the ledger's global order: a loan owner's lock ({@link LoanExposure}) first if the operation
 *       touches a loan, then {@code openings} (shared) if it adds an account, then the account locks in ascending
 *       ordinal, then the sequencer inside {@code append}. An account made here is newer than every account
 *       held, so locking it last is still ascending.</li>
 *   <li>A transaction is appended only once every rule has passed, and applied to every account it touches
 *       before the locks are released: no reader sees half of it.</li>
 * </ul>
 */
final class Bookkeeper {
    private final AccountTable accounts;
    private final TransactionLog log;
    private final LoanExposure exposure;

    Bookkeeper(AccountTable accounts, TransactionLog log, LoanExposure exposure) {
        this.accounts = accounts;
        this.log = log;
        this.exposure = exposure;
    }

    /** Opens checking account {@code number} for {@code user}, paying in {@code openingDepositCents} (0: none). */
    Outcome<Transaction> open(String user, String number, long openingDepositCents, String key) {
        if (accounts.contains(number)) {
            return Refusals.duplicate(number);
        }
        return accounts.whileOpening(() -> {
            Account till = openingDepositCents > 0 ? accounts.vaultFor(number) : null;
            if (till != null) {
                till.lock.lock();
            }
            try {
                return openLocked(user, number, openingDepositCents, till, key);
            } finally {
                if (till != null) {
                    till.lock.unlock();
                }
            }
        });
    }

    private Outcome<Transaction> openLocked(
            String user, String number, long openingDepositCents, Account till, String key) {
        List<Posting> postings = new ArrayList<>(2);
        if (till != null) {
            long tillAfter = till.balanceCents() - openingDepositCents;
            if (tillAfter > till.balanceCents()) {
                return Refusals.overflow(till);
            }
            postings.add(new Posting(till.number, -openingDepositCents, tillAfter));
            postings.add(new Posting(number, openingDepositCents, openingDepositCents));
        }
        Account account = accounts.newAccount(number, AccountKind.CHECKING, user);
        account.lock.lock(); // uncontended: not yet published, and newest in the lock order
        try {
            if (!accounts.publish(account)) {
                return Refusals.duplicate(number);
            }
            Transaction tx = log.append(TxType.OPEN_ACCOUNT, user, number, postings, key);
            if (till != null) {
                till.apply(tx);
            }
            account.apply(tx);
            return Outcome.ok(tx);
        } finally {
            account.lock.unlock();
        }
    }

    /**
     * Moves {@code amountCents} from {@code debit} to {@code credit} as one transaction, if the kinds allow: a
     * checking account never goes below zero, a loan is never paid beyond zero, no balance overflows. A payment
     * into a loan runs under the loan owner's exposure lock, so the limit sees it when it is visible.
     */
    Outcome<Transaction> move(TxType type, String user, Account debit, Account credit, long amountCents, String key) {
        if (credit.kind == AccountKind.LOAN) {
            return exposure.repay(credit.owner, amountCents, () -> post(type, user, debit, credit, amountCents, key));
        }
        return post(type, user, debit, credit, amountCents, key);
    }

    private Outcome<Transaction> post(
            TxType type, String user, Account debit, Account credit, long amountCents, String key) {
        List<Account> involved = new ArrayList<>(List.of(debit, credit));
        AccountTable.lockInOrder(involved);
        try {
            long debitBefore = debit.balanceCents();
            long creditBefore = credit.balanceCents();
            if (debit.kind == AccountKind.CHECKING && debitBefore < amountCents) {
                return Outcome.fail(
                        ErrorCode.INSUFFICIENT_FUNDS,
                        "account " + debit.number + " holds " + Money.format(debitBefore) + ", less than "
                                + Money.format(amountCents));
            }
            if (credit.kind == AccountKind.LOAN && -creditBefore < amountCents) {
                return Outcome.fail(
                        ErrorCode.LOAN_OVERPAYMENT,
                        "loan " + credit.number + " has " + Money.format(-creditBefore) + " outstanding, less than "
                                + Money.format(amountCents));
            }
            long debitAfter = debitBefore - amountCents;
            long creditAfter = creditBefore + amountCents;
            if (debitAfter > debitBefore) {
                return Refusals.overflow(debit);
            }
            if (creditAfter < creditBefore) {
                return Refusals.overflow(credit);
            }
            Transaction tx = log.append(
                    type,
                    user,
                    null,
                    List.of(
                            new Posting(debit.number, -amountCents, debitAfter),
                            new Posting(credit.number, amountCents, creditAfter)),
                    key);
            debit.apply(tx);
            credit.apply(tx);
            return Outcome.ok(tx);
        } finally {
            AccountTable.unlockAll(involved);
        }
    }

    /**
     * Opens a loan of {@code amountCents} for {@code user} and pays it into {@code checking}, within the loan limit:
     * decided and booked under the user's exposure lock (see {@link LoanExposure}).
     */
    Outcome<Transaction> lend(String user, Account checking, long amountCents, String key) {
        return exposure.borrow(
                user, amountCents, () -> accounts.whileOpening(() -> bookLoan(user, checking, amountCents, key)));
    }

    private Outcome<Transaction> bookLoan(String user, Account checking, long amountCents, String key) {
        checking.lock.lock();
        try {
            long checkingAfter = checking.balanceCents() + amountCents;
            if (checkingAfter < checking.balanceCents()) {
                return Refusals.overflow(checking);
            }
            String number = accounts.nextLoanNumber();
            Account loan = accounts.newAccount(number, AccountKind.LOAN, user);
            loan.lock.lock(); // uncontended: not yet published, and newest in the lock order
            try {
                if (!accounts.publish(loan)) {
                    throw new IllegalStateException("loan number " + number + " assigned twice");
                }
                Transaction tx = log.append(
                        TxType.LOAN,
                        user,
                        number,
                        List.of(
                                new Posting(number, -amountCents, -amountCents),
                                new Posting(checking.number, amountCents, checkingAfter)),
                        key);
                loan.apply(tx);
                checking.apply(tx);
                return Outcome.ok(tx);
            } finally {
                loan.lock.unlock();
            }
        } finally {
            checking.lock.unlock();
        }
    }

    /**
     * Applies a transaction read back from the journal, exactly as committed: opens the account it opened, moves
     * the balances (each account checks the posting's balance-after) and counts loans toward their owner's limit.
     */
    void replay(Transaction tx) {
        accounts.whileOpening(() -> {
            List<Account> involved = involvedIn(tx);
            AccountTable.lockInOrder(involved);
            try {
                log.restore(tx);
                boolean hold = !log.bounded(); // with a store, replayed transactions are read back from disk
                involved.forEach(account -> account.apply(tx, hold));
            } finally {
                AccountTable.unlockAll(involved);
            }
            return null;
        });
        // After openings is released: an exposure lock comes before it in the lock order.
        if (tx.type() == TxType.LOAN) {
            exposure.restored(tx.user(), tx.amountCents());
        } else if (tx.type() == TxType.LOAN_PAYMENT_CHECK || tx.type() == TxType.LOAN_PAYMENT_TRANSFER) {
            exposure.restored(accounts.find(tx.credit().account()).owner, -tx.amountCents());
        }
    }

    /** The accounts {@code tx} touches, the one it opens made and published first. Inside an opening. */
    private List<Account> involvedIn(Transaction tx) {
        List<Account> involved = new ArrayList<>(3);
        if (tx.opened() != null) {
            AccountKind kind = tx.type() == TxType.LOAN ? AccountKind.LOAN : AccountKind.CHECKING;
            Account opened = accounts.newAccount(tx.opened(), kind, tx.user());
            if (!accounts.publish(opened)) {
                throw new IllegalStateException("journal tx " + tx.seq() + " opens " + tx.opened() + " again");
            }
            if (kind == AccountKind.LOAN) {
                accounts.loanNumberUsed(Long.parseLong(tx.opened().substring(1)));
            }
            involved.add(opened);
        }
        for (Posting posting : tx.postings()) {
            Account account = accounts.find(posting.account());
            if (account == null) {
                throw new IllegalStateException(
                        "journal tx " + tx.seq() + " posts to unknown account " + posting.account());
            }
            if (!involved.contains(account)) {
                involved.add(account);
            }
        }
        return involved;
    }
}
