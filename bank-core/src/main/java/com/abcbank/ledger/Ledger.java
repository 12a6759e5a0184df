package com.abcbank.ledger;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The bank's books: accounts, the vault, and the journal of transactions, safe for any number of threads.
 *
 * <h2>Money model</h2>
 * Every change of a balance is a {@link Posting} of a {@link Transaction}, and every transaction's postings
 * sum to zero, so the sum of all balances, internal accounts included, is zero at every committed state.
 * Cash enters and leaves through the vault, which is split into {@link LedgerConfig#vaultShards()} internal
 * accounts ({@code VAULT-00}, ...); a customer account always uses the same shard, chosen by its number.
 * Sign conventions are on {@link AccountKind}.
 *
 * <h2>Locking protocol</h2>
 * <ul>
 *   <li>Each {@link Account} has one {@link java.util.concurrent.locks.ReentrantLock}, guarding its balance
 *       and history. An operation takes the locks of every account it touches, validates, commits and
 *       applies, then releases them: validation and update are one atomic step, so no update is lost.</li>
 *   <li>Locks are taken in ascending {@link Account#ordinal}: one global order, so no cycle of waiting
 *       threads, and so no deadlock, can form. Ordinals grow with creation: the vault shards come first;
 *       an account created inside an operation (create_account, apply_loan) is locked after the older
 *       accounts that operation holds, which is still ascending.</li>
 *   <li>The sequence number is drawn inside the account locks ({@link TransactionLog}), so transactions
 *       that share an account are numbered in the order they held it: replay in sequence order gives the
 *       same balances.</li>
 *   <li>{@link #openings} is a read-write lock taken (shared) by the two operations that add accounts and
 *       (exclusive) by {@link #snapshot()}. It is not on the path of deposits, withdrawals, transfers or
 *       loan payments. Order: {@code openings} before any account lock.</li>
 * </ul>
 *
 * <h2>Consistent audit views</h2>
 * {@link #snapshot()} takes {@code openings} exclusively (no account is being added), then every account
 * lock in ascending order, reads every balance, and releases. While it holds them all, no transaction is
 * half-applied, so the copy is exactly the state after transactions {@code 1..lastSeq}. Cost: O(accounts)
 * lock acquisitions; each account's money movement waits from the moment its lock is taken until the copy
 * is done, and account openings wait for the whole copy.
 */
public final class Ledger {
    /** Customer-chosen checking account numbers. Loan numbers are bank-assigned: {@code L} and digits. */
    private static final Pattern ACCOUNT_NUMBER = Pattern.compile("\\d{4,12}");
    private static final String BANK = "bank";

    private final LedgerConfig config;
    private final TransactionLog log;
    private final ConcurrentHashMap<String, Account> accounts = new ConcurrentHashMap<>();
    private final Account[] vault;
    private final AtomicLong nextOrdinal = new AtomicLong();
    private final AtomicLong nextLoanNumber = new AtomicLong(100_001);
    /**
     * What each customer owes or has been promised on loans, in cents: reserved before a loan is booked,
     * released when one is refused or paid down. Never below the true outstanding sum, so the limit holds.
     */
    private final ConcurrentHashMap<String, AtomicLong> loanExposure = new ConcurrentHashMap<>();
    private final ReentrantReadWriteLock openings = new ReentrantReadWriteLock();
    /**
     * Idempotency keys, per user ({@code user + NUL + key}): what each key asked for and the transaction it made.
     * A key is reserved before its request runs and released if the request is refused, so a retry that
     * arrives while the first attempt runs waits for it instead of running twice.
     */
    private final ConcurrentHashMap<String, KeyEntry> keys = new ConcurrentHashMap<>();
    /** Where transactions up to {@link #archivedUpTo} are read from after a start from a snapshot; set once, before serving. */
    private volatile History archive;
    private volatile long archivedUpTo;

    public Ledger() {
        this(LedgerConfig.defaults(), Clock.systemUTC());
    }

    public Ledger(LedgerConfig config, Clock clock) {
        this(config, clock, CommitLog.NONE);
    }

    /** A ledger whose every committed transaction goes to {@code journal}, in sequence order. */
    public Ledger(LedgerConfig config, Clock clock, CommitLog journal) {
        this.config = config;
        this.log = new TransactionLog(clock, journal);
        this.vault = new Account[config.vaultShards()];
        for (int i = 0; i < vault.length; i++) {
            Account shard = new Account(String.format("VAULT-%02d", i), AccountKind.INTERNAL, BANK,
                    nextOrdinal.getAndIncrement(), null);
            accounts.put(shard.number, shard);
            vault[i] = shard;
        }
    }

    public LedgerConfig config() {
        return config;
    }

    // ---------------------------------------------------------------- money movement

    /** create_account: opens a checking account numbered {@code number} (4 to 12 digits), with an optional opening deposit. */
    public Outcome<Transaction> createAccount(Caller caller, String number, long openingDepositCents) {
        return createAccount(caller, number, openingDepositCents, null);
    }

    /** create_account with an idempotency key ({@code null} for none): a retry with the same key opens nothing more. */
    public Outcome<Transaction> createAccount(Caller caller, String number, long openingDepositCents, String key) {
        if (caller.isAuditor()) {
            return Outcome.fail(ErrorCode.FORBIDDEN, "the auditor holds no accounts");
        }
        if (number == null || !ACCOUNT_NUMBER.matcher(number).matches()) {
            return Outcome.fail(ErrorCode.INVALID_ACCOUNT_NUMBER, "an account number is 4 to 12 digits, got '" + number + "'");
        }
        if (openingDepositCents != 0) {
            Optional<String> problem = Money.problemWith(openingDepositCents);
            if (problem.isPresent()) {
                return Outcome.fail(ErrorCode.INVALID_AMOUNT, problem.get());
            }
        }
        Intent intent = new Intent(TxType.OPEN_ACCOUNT, caller.user(), number, null, openingDepositCents);
        Outcome<Transaction> outcome = once(caller, key, intent, k -> open(caller, number, openingDepositCents, k));
        if (outcome.error() == ErrorCode.DUPLICATE_ACCOUNT) {
            // The account may have been published a moment ago by an opening not yet sequenced; its opener holds
            // the account's lock until it is. Passing through that lock makes this refusal come after the
            // opening's sequence number, so the server's wait for lastSeq covers what the refusal reveals.
            Account existing = find(number);
            existing.lock.lock();
            existing.lock.unlock();
        }
        return outcome;
    }

    private Outcome<Transaction> open(Caller caller, String number, long openingDepositCents, String key) {
        if (accounts.containsKey(number)) {
            return duplicate(number);
        }
        openings.readLock().lock();
        try {
            Account till = openingDepositCents > 0 ? vaultFor(number) : null;
            if (till != null) {
                till.lock.lock();
            }
            try {
                List<Posting> postings = new ArrayList<>(2);
                if (till != null) {
                    long tillAfter = till.balanceCents() - openingDepositCents;
                    if (tillAfter > till.balanceCents()) {
                        return overflow(till);
                    }
                    postings.add(new Posting(till.number, -openingDepositCents, tillAfter));
                    postings.add(new Posting(number, openingDepositCents, openingDepositCents));
                }
                Account account = newAccount(number, AccountKind.CHECKING, caller.user());
                account.lock.lock(); // uncontended: not yet published, and newest in the lock order
                try {
                    if (accounts.putIfAbsent(number, account) != null) {
                        return duplicate(number);
                    }
                    Transaction tx = log.append(TxType.OPEN_ACCOUNT, caller.user(), number, postings, key);
                    if (till != null) {
                        till.apply(tx);
                    }
                    account.apply(tx);
                    return Outcome.ok(tx);
                } finally {
                    account.lock.unlock();
                }
            } finally {
                if (till != null) {
                    till.lock.unlock();
                }
            }
        } finally {
            openings.readLock().unlock();
        }
    }

    /** deposit: cash into a checking account, anybody's. */
    public Outcome<Transaction> deposit(Caller caller, String number, long amountCents) {
        return deposit(caller, number, amountCents, null);
    }

    /** deposit with an idempotency key ({@code null} for none): a retry with the same key moves nothing more. */
    public Outcome<Transaction> deposit(Caller caller, String number, long amountCents, String key) {
        Optional<Outcome<Transaction>> refused = refuseMoneyMovement(caller, amountCents);
        if (refused.isPresent()) {
            return refused.get();
        }
        Account account = find(number);
        if (account == null || account.kind == AccountKind.INTERNAL) {
            return unknown(number);
        }
        if (account.kind != AccountKind.CHECKING) {
            return wrongKind(account, "deposit into a checking account; pay a loan with pay_loan_check");
        }
        return once(caller, key, new Intent(TxType.DEPOSIT, caller.user(), number, null, amountCents),
                k -> move(TxType.DEPOSIT, caller, vaultFor(number), account, amountCents, k));
    }

    /** withdraw: cash out of one of the caller's checking accounts. */
    public Outcome<Transaction> withdraw(Caller caller, String number, long amountCents) {
        return withdraw(caller, number, amountCents, null);
    }

    /** withdraw with an idempotency key ({@code null} for none): a retry with the same key moves nothing more. */
    public Outcome<Transaction> withdraw(Caller caller, String number, long amountCents, String key) {
        Optional<Outcome<Transaction>> refused = refuseMoneyMovement(caller, amountCents);
        if (refused.isPresent()) {
            return refused.get();
        }
        Outcome<Account> source = ownChecking(caller, number, "withdraw");
        if (!source.isOk()) {
            return source.asFailure();
        }
        return once(caller, key, new Intent(TxType.WITHDRAW, caller.user(), number, null, amountCents),
                k -> move(TxType.WITHDRAW, caller, source.value(), vaultFor(number), amountCents, k));
    }

    /** transfer: from one of the caller's checking accounts to any other checking account. */
    public Outcome<Transaction> transfer(Caller caller, String from, String to, long amountCents) {
        return transfer(caller, from, to, amountCents, null);
    }

    /** transfer with an idempotency key ({@code null} for none): a retry with the same key moves nothing more. */
    public Outcome<Transaction> transfer(Caller caller, String from, String to, long amountCents, String key) {
        Optional<Outcome<Transaction>> refused = refuseMoneyMovement(caller, amountCents);
        if (refused.isPresent()) {
            return refused.get();
        }
        if (from != null && from.equals(to)) {
            return Outcome.fail(ErrorCode.SAME_ACCOUNT, "cannot transfer from account " + from + " to itself");
        }
        Outcome<Account> source = ownChecking(caller, from, "transfer");
        if (!source.isOk()) {
            return source.asFailure();
        }
        Account target = find(to);
        if (target == null || target.kind == AccountKind.INTERNAL) {
            return unknown(to);
        }
        if (target.kind != AccountKind.CHECKING) {
            return wrongKind(target, "transfer to a checking account; pay a loan with pay_loan_transfer");
        }
        return once(caller, key, new Intent(TxType.TRANSFER, caller.user(), from, to, amountCents),
                k -> move(TxType.TRANSFER, caller, source.value(), target, amountCents, k));
    }

    /**
     * apply_loan: opens a loan account with a bank-assigned number ({@link Transaction#opened()}) and pays the
     * principal into the caller's checking account {@code checkingNumber}, within the caller's loan limit.
     */
    public Outcome<Transaction> applyLoan(Caller caller, String checkingNumber, long amountCents) {
        return applyLoan(caller, checkingNumber, amountCents, null);
    }

    /** applyLoan with an idempotency key ({@code null} for none): a retry with the same key moves nothing more. */
    public Outcome<Transaction> applyLoan(Caller caller, String checkingNumber, long amountCents, String key) {
        Optional<Outcome<Transaction>> refused = refuseMoneyMovement(caller, amountCents);
        if (refused.isPresent()) {
            return refused.get();
        }
        Outcome<Account> found = ownChecking(caller, checkingNumber, "receive a loan in");
        if (!found.isOk()) {
            return found.asFailure();
        }
        Account checking = found.value();
        return once(caller, key, new Intent(TxType.LOAN, caller.user(), checkingNumber, null, amountCents),
                k -> bookLoan(caller, checking, amountCents, k));
    }

    private Outcome<Transaction> bookLoan(Caller caller, Account checking, long amountCents, String key) {
        AtomicLong exposure = exposureOf(caller.user());
        long owed = exposure.get();
        while (true) {
            if (owed > config.loanLimitCents() - amountCents) {
                return Outcome.fail(ErrorCode.LOAN_LIMIT_EXCEEDED, "a loan of " + Money.format(amountCents)
                        + " would exceed the limit of " + Money.format(config.loanLimitCents()) + " ("
                        + Money.format(owed) + " already owed or being booked)");
            }
            long witness = exposure.compareAndExchange(owed, owed + amountCents);
            if (witness == owed) {
                break;
            }
            owed = witness;
        }
        boolean booked = false;
        openings.readLock().lock();
        try {
            checking.lock.lock();
            try {
                long checkingAfter = checking.balanceCents() + amountCents;
                if (checkingAfter < checking.balanceCents()) {
                    return overflow(checking);
                }
                String number = "L" + nextLoanNumber.getAndIncrement();
                Account loan = newAccount(number, AccountKind.LOAN, caller.user());
                loan.lock.lock(); // uncontended: not yet published, and newest in the lock order
                try {
                    if (accounts.putIfAbsent(number, loan) != null) {
                        throw new IllegalStateException("loan number " + number + " assigned twice");
                    }
                    Transaction tx = log.append(TxType.LOAN, caller.user(), number, List.of(
                            new Posting(number, -amountCents, -amountCents),
                            new Posting(checking.number, amountCents, checkingAfter)), key);
                    loan.apply(tx);
                    checking.apply(tx);
                    booked = true;
                    return Outcome.ok(tx);
                } finally {
                    loan.lock.unlock();
                }
            } finally {
                checking.lock.unlock();
            }
        } finally {
            openings.readLock().unlock();
            if (!booked) {
                exposure.addAndGet(-amountCents);
            }
        }
    }

    /** pay_loan_check: pays a loan down with money from outside the bank (a check), through the vault. */
    public Outcome<Transaction> payLoanCheck(Caller caller, String loanNumber, long amountCents) {
        return payLoanCheck(caller, loanNumber, amountCents, null);
    }

    /** payLoanCheck with an idempotency key ({@code null} for none): a retry with the same key moves nothing more. */
    public Outcome<Transaction> payLoanCheck(Caller caller, String loanNumber, long amountCents, String key) {
        Optional<Outcome<Transaction>> refused = refuseMoneyMovement(caller, amountCents);
        if (refused.isPresent()) {
            return refused.get();
        }
        Outcome<Account> loan = loan(loanNumber);
        if (!loan.isOk()) {
            return loan.asFailure();
        }
        return once(caller, key, new Intent(TxType.LOAN_PAYMENT_CHECK, caller.user(), loanNumber, null, amountCents),
                k -> move(TxType.LOAN_PAYMENT_CHECK, caller, vaultFor(loanNumber), loan.value(), amountCents, k));
    }

    /** pay_loan_transfer: pays a loan down from one of the caller's checking accounts. */
    public Outcome<Transaction> payLoanTransfer(Caller caller, String from, String loanNumber, long amountCents) {
        return payLoanTransfer(caller, from, loanNumber, amountCents, null);
    }

    /** payLoanTransfer with an idempotency key ({@code null} for none): a retry with the same key moves nothing more. */
    public Outcome<Transaction> payLoanTransfer(Caller caller, String from, String loanNumber, long amountCents, String key) {
        Optional<Outcome<Transaction>> refused = refuseMoneyMovement(caller, amountCents);
        if (refused.isPresent()) {
            return refused.get();
        }
        if (from != null && from.equals(loanNumber)) {
            return Outcome.fail(ErrorCode.SAME_ACCOUNT, "cannot pay account " + from + " from itself");
        }
        Outcome<Account> source = ownChecking(caller, from, "pay a loan from");
        if (!source.isOk()) {
            return source.asFailure();
        }
        Outcome<Account> loan = loan(loanNumber);
        if (!loan.isOk()) {
            return loan.asFailure();
        }
        return once(caller, key, new Intent(TxType.LOAN_PAYMENT_TRANSFER, caller.user(), from, loanNumber, amountCents),
                k -> move(TxType.LOAN_PAYMENT_TRANSFER, caller, source.value(), loan.value(), amountCents, k));
    }

    /**
     * Moves {@code amountCents} from {@code debit} to {@code credit} as one transaction, if the kinds allow:
     * a checking account never goes below zero, a loan is never paid beyond zero, no balance overflows.
     */
    private Outcome<Transaction> move(TxType type, Caller caller, Account debit, Account credit, long amountCents,
                                      String key) {
        Account first = debit.ordinal < credit.ordinal ? debit : credit;
        Account second = first == debit ? credit : debit;
        first.lock.lock();
        try {
            second.lock.lock();
            try {
                long debitBefore = debit.balanceCents();
                long creditBefore = credit.balanceCents();
                if (debit.kind == AccountKind.CHECKING && debitBefore < amountCents) {
                    return Outcome.fail(ErrorCode.INSUFFICIENT_FUNDS, "account " + debit.number + " holds "
                            + Money.format(debitBefore) + ", less than " + Money.format(amountCents));
                }
                if (credit.kind == AccountKind.LOAN && -creditBefore < amountCents) {
                    return Outcome.fail(ErrorCode.LOAN_OVERPAYMENT, "loan " + credit.number + " has "
                            + Money.format(-creditBefore) + " outstanding, less than " + Money.format(amountCents));
                }
                long debitAfter = debitBefore - amountCents;
                long creditAfter = creditBefore + amountCents;
                if (debitAfter > debitBefore) {
                    return overflow(debit);
                }
                if (creditAfter < creditBefore) {
                    return overflow(credit);
                }
                Transaction tx = log.append(type, caller.user(), null, List.of(
                        new Posting(debit.number, -amountCents, debitAfter),
                        new Posting(credit.number, amountCents, creditAfter)), key);
                debit.apply(tx);
                credit.apply(tx);
                if (credit.kind == AccountKind.LOAN) {
                    exposureOf(credit.owner).addAndGet(-amountCents);
                }
                return Outcome.ok(tx);
            } finally {
                second.lock.unlock();
            }
        } finally {
            first.lock.unlock();
        }
    }

    // ---------------------------------------------------------------- idempotency

    /** An idempotency key: printable ASCII without spaces, up to 64 characters (a UUID fits). */
    private static final Pattern KEY = Pattern.compile("[!-~]{1,64}");
    /** How long a retry may wait for the first attempt with its key, which holds no lock while it is waited for. */
    private static final long KEY_WAIT_SECONDS = 30;

    /** What a key asked for and, once committed, the transaction it made ({@code null}: refused, key released). */
    private static final class KeyEntry {
        final Intent intent;
        final CompletableFuture<Transaction> done = new CompletableFuture<>();

        KeyEntry(Intent intent) {
            this.intent = intent;
        }
    }

    /**
     * Runs {@code op} at most once per key: the first request with a key runs; a later one with the same key and
     * the same intent gets the first one's transaction (waiting for it if it is still running); the same key with
     * another intent is {@code KEY_REUSED}. A refused request releases its key, so a retry runs afresh: it
     * changed nothing, so running again cannot do anything twice.
     */
    private Outcome<Transaction> once(Caller caller, String key, Intent intent, Function<String, Outcome<Transaction>> op) {
        if (key == null) {
            return op.apply(null);
        }
        if (!KEY.matcher(key).matches()) {
            return Outcome.fail(ErrorCode.INVALID_ARGUMENT, "a key is 1 to 64 printable ASCII characters without spaces");
        }
        String slot = caller.user() + '\0' + key;
        while (true) {
            KeyEntry mine = new KeyEntry(intent);
            KeyEntry theirs = keys.putIfAbsent(slot, mine);
            if (theirs == null) {
                Outcome<Transaction> outcome;
                try {
                    outcome = op.apply(key);
                } catch (RuntimeException | Error e) {
                    keys.remove(slot, mine);
                    mine.done.completeExceptionally(e);
                    throw e;
                }
                if (outcome.isOk()) {
                    mine.done.complete(outcome.value());
                } else {
                    keys.remove(slot, mine);
                    mine.done.complete(null);
                }
                return outcome;
            }
            if (!theirs.intent.equals(intent)) {
                return Outcome.fail(ErrorCode.KEY_REUSED, "key " + key + " was used for another request ("
                        + theirs.intent.type().name().toLowerCase() + " of " + Money.format(theirs.intent.amountCents()) + ")");
            }
            Transaction earlier;
            try {
                earlier = theirs.done.get(KEY_WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for the first request with key " + key, e);
            } catch (ExecutionException | TimeoutException e) {
                throw new IllegalStateException("the first request with key " + key + " did not finish", e);
            }
            if (earlier != null) {
                return Outcome.ok(earlier);
            }
            // The first attempt was refused and released the key: this one runs on its own merits.
        }
    }

    /** Forgets the keys of transactions committed before {@code cutoff}: retries older than that run afresh. */
    public void forgetKeysBefore(Instant cutoff) {
        log.forgetKeyedBefore(cutoff);
        keys.values().removeIf(entry -> {
            Transaction tx = entry.done.getNow(null);
            return tx != null && tx.time().isBefore(cutoff);
        });
    }

    // ---------------------------------------------------------------- recovery

    /**
     * Applies a transaction read back from the journal: the next in sequence, exactly as it was committed
     * (its number, time, postings and key). Opens the account it opened, moves the balances and checks each
     * posting's balance-after against the account, so a journal that disagrees with itself throws
     * {@link IllegalStateException} instead of loading. For start-up, before the ledger serves anyone.
     */
    public void replay(Transaction tx) {
        openings.readLock().lock();
        try {
            if (tx.opened() != null) {
                AccountKind kind = tx.type() == TxType.LOAN ? AccountKind.LOAN : AccountKind.CHECKING;
                if (accounts.putIfAbsent(tx.opened(), newAccount(tx.opened(), kind, tx.user())) != null) {
                    throw new IllegalStateException("journal tx " + tx.seq() + " opens " + tx.opened() + " again");
                }
                if (kind == AccountKind.LOAN) {
                    long number = Long.parseLong(tx.opened().substring(1));
                    nextLoanNumber.accumulateAndGet(number + 1, Math::max);
                }
            }
            List<Account> involved = new ArrayList<>(3);
            if (tx.opened() != null) {
                involved.add(accounts.get(tx.opened()));
            }
            for (Posting posting : tx.postings()) {
                Account account = accounts.get(posting.account());
                if (account == null) {
                    throw new IllegalStateException("journal tx " + tx.seq() + " posts to unknown account " + posting.account());
                }
                if (!involved.contains(account)) {
                    involved.add(account);
                }
            }
            involved.sort(Comparator.comparingLong(account -> account.ordinal));
            involved.forEach(account -> account.lock.lock());
            try {
                log.restore(tx);
                involved.forEach(account -> account.apply(tx));
            } finally {
                for (int i = involved.size() - 1; i >= 0; i--) {
                    involved.get(i).lock.unlock();
                }
            }
            if (tx.type() == TxType.LOAN) {
                exposureOf(tx.user()).addAndGet(tx.amountCents());
            } else if (tx.type() == TxType.LOAN_PAYMENT_CHECK || tx.type() == TxType.LOAN_PAYMENT_TRANSFER) {
                exposureOf(accounts.get(tx.credit().account()).owner).addAndGet(-tx.amountCents());
            }
            if (tx.key() != null) {
                KeyEntry entry = new KeyEntry(Intent.of(tx));
                entry.done.complete(tx);
                keys.put(tx.user() + '\0' + tx.key(), entry);
            }
        } finally {
            openings.readLock().unlock();
        }
    }

    // ---------------------------------------------------------------- reads

    /** balance: one account, for its holder or the auditor. For a loan, {@link AccountView#outstandingCents()}. */
    public Outcome<AccountView> balance(Caller caller, String number) {
        Outcome<Account> found = readable(caller, number);
        if (!found.isOk()) {
            return found.asFailure();
        }
        Account account = found.value();
        account.lock.lock();
        try {
            return Outcome.ok(account.view());
        } finally {
            account.lock.unlock();
        }
    }

    /** history: one account's statement after the cursor {@code afterSeq}, for its holder or the auditor. */
    public Outcome<Page<HistoryEntry>> history(Caller caller, String number, long afterSeq, int limit) {
        Optional<String> badPage = pageProblem(afterSeq, limit);
        if (badPage.isPresent()) {
            return Outcome.fail(ErrorCode.INVALID_ARGUMENT, badPage.get());
        }
        Outcome<Account> found = readable(caller, number);
        if (!found.isOk()) {
            return found.asFailure();
        }
        Account account = found.value();
        List<Transaction> txs = new ArrayList<>();
        History older = archive;
        if (older != null && afterSeq < archivedUpTo) {
            txs.addAll(older.read(afterSeq, archivedUpTo, tx -> tx.involves(number), limit + 1));
        }
        if (txs.size() <= limit) {
            account.lock.lock();
            try {
                txs.addAll(account.historyAfter(Math.max(afterSeq, archivedUpTo), limit + 1 - txs.size()));
            } finally {
                account.lock.unlock();
            }
        }
        boolean more = txs.size() > limit;
        List<HistoryEntry> entries = new ArrayList<>(Math.min(txs.size(), limit));
        for (int i = 0; i < txs.size() && i < limit; i++) {
            entries.add(HistoryEntry.of(txs.get(i), number));
        }
        return Outcome.ok(new Page<>(entries, more ? entries.get(entries.size() - 1).seq() : null));
    }

    /** show_accountholders: every customer with their accounts, as of one consistent moment. Auditor only. */
    public Outcome<List<Holder>> holders(Caller caller) {
        if (!caller.isAuditor()) {
            return auditorOnly("show_accountholders");
        }
        Map<String, List<AccountView>> byOwner = new TreeMap<>();
        for (AccountView account : snapshot().accounts()) {
            if (account.kind() != AccountKind.INTERNAL) {
                byOwner.computeIfAbsent(account.owner(), owner -> new ArrayList<>()).add(account);
            }
        }
        List<Holder> holders = new ArrayList<>(byOwner.size());
        byOwner.forEach((owner, owned) -> {
            owned.sort(Comparator.comparing(AccountView::number));
            holders.add(new Holder(owner, owned));
        });
        return Outcome.ok(holders);
    }

    /** show_history: the journal, paged and filtered. Auditor only. */
    public Outcome<Page<Transaction>> transactions(Caller caller, TransactionQuery query) {
        if (!caller.isAuditor()) {
            return auditorOnly("show_history");
        }
        Optional<String> badPage = pageProblem(query.after(), query.limit());
        if (badPage.isPresent()) {
            return Outcome.fail(ErrorCode.INVALID_ARGUMENT, badPage.get());
        }
        if (query.from() != null && query.to() != null && query.to().isBefore(query.from())) {
            return Outcome.fail(ErrorCode.INVALID_ARGUMENT, "time range ends before it starts");
        }
        return Outcome.ok(log.page(query, archive, archivedUpTo));
    }

    /** report: totals per kind of account and the zero-sum check, as of one consistent moment. Auditor only. */
    public Outcome<Report> report(Caller caller) {
        if (!caller.isAuditor()) {
            return auditorOnly("report");
        }
        Snapshot snapshot = snapshot();
        int checkingAccounts = 0;
        int loanAccounts = 0;
        long checkingTotal = 0;
        long loanOutstanding = 0;
        long internalTotal = 0;
        List<AccountView> internal = new ArrayList<>();
        Set<String> customers = new HashSet<>();
        for (AccountView account : snapshot.accounts()) {
            switch (account.kind()) {
                case CHECKING -> {
                    checkingAccounts++;
                    checkingTotal = Math.addExact(checkingTotal, account.balanceCents());
                    customers.add(account.owner());
                }
                case LOAN -> {
                    loanAccounts++;
                    loanOutstanding = Math.addExact(loanOutstanding, account.outstandingCents());
                    customers.add(account.owner());
                }
                case INTERNAL -> {
                    internal.add(account);
                    internalTotal = Math.addExact(internalTotal, account.balanceCents());
                }
            }
        }
        return Outcome.ok(new Report(snapshot.lastSeq(), snapshot.lastSeq(), customers.size(), checkingAccounts,
                checkingTotal, loanAccounts, loanOutstanding, internalTotal, internal, snapshot.sumCents()));
    }

    /**
     * Every account, internal ones included, as of one point in the sequence order (see the class comment for
     * how, and what it costs). The bank's own view: the server must not hand it to a customer.
     */
    public Snapshot snapshot() {
        return quiescent(all -> {
            List<AccountView> views = new ArrayList<>(all.size());
            for (Account account : all) {
                views.add(account.view());
            }
            return new Snapshot(log.lastSeq(), views);
        });
    }

    /**
     * Everything needed to start again from here without the journal before it, as of one consistent point (taken
     * like {@link #snapshot()}), with the transactions of the idempotency keys committed since {@code keysSince}.
     */
    public LedgerState exportState(Instant keysSince) {
        LedgerState accountsOnly = quiescent(all -> {
            List<AccountView> views = new ArrayList<>(all.size());
            for (Account account : all) {
                views.add(account.view());
            }
            return new LedgerState(log.lastSeq(), log.lastTime(), nextLoanNumber.get(), views, List.of());
        });
        // Outside the pause: every keyed transaction up to lastSeq was recorded under its locks, so it is there.
        List<Transaction> keyed = new ArrayList<>();
        for (Transaction tx : log.keyedSince(keysSince)) {
            if (tx.seq() <= accountsOnly.lastSeq()) {
                keyed.add(tx);
            }
        }
        return new LedgerState(accountsOnly.lastSeq(), accountsOnly.lastTime(), accountsOnly.nextLoanNumber(),
                accountsOnly.accounts(), keyed);
    }

    /**
     * Loads a state exported by {@link #exportState} into this new ledger (one that has committed nothing), so that
     * it goes on from {@code state.lastSeq()}: replay the journal after it next. History before it is served by
     * {@code older}.
     */
    public void restore(LedgerState state, History older) {
        if (log.lastSeq() != 0 || accounts.size() != vault.length) {
            throw new IllegalStateException("restore needs a new ledger");
        }
        openings.writeLock().lock();
        try {
            for (AccountView view : state.accounts()) {
                Account account = accounts.get(view.number());
                if (view.kind() == AccountKind.INTERNAL) {
                    if (account == null) {
                        throw new IllegalStateException("the state has vault shard " + view.number()
                                + ", this ledger has " + vault.length + " shards");
                    }
                } else {
                    account = new Account(view.number(), view.kind(), view.owner(), nextOrdinal.getAndIncrement(),
                            view.created());
                    if (accounts.putIfAbsent(view.number(), account) != null) {
                        throw new IllegalStateException("the state lists account " + view.number() + " twice");
                    }
                    if (view.kind() == AccountKind.LOAN) {
                        exposureOf(view.owner()).addAndGet(view.outstandingCents());
                    }
                }
                account.lock.lock();
                try {
                    account.restore(view.balanceCents(), view.created());
                } finally {
                    account.lock.unlock();
                }
            }
            nextLoanNumber.set(state.nextLoanNumber());
            log.startAfter(state.lastSeq(), state.lastTime());
            log.restoreKeyed(state.keyed());
            for (Transaction tx : state.keyed()) {
                KeyEntry entry = new KeyEntry(Intent.of(tx));
                entry.done.complete(tx);
                keys.put(tx.user() + '\0' + tx.key(), entry);
            }
            this.archive = older;
            this.archivedUpTo = state.lastSeq();
        } finally {
            openings.writeLock().unlock();
        }
    }

    /** Runs {@code read} with every account locked in order and no account being opened: one consistent point. */
    private <T> T quiescent(Function<List<Account>, T> read) {
        openings.writeLock().lock();
        try {
            List<Account> all = new ArrayList<>(accounts.values());
            all.sort(Comparator.comparingLong(account -> account.ordinal));
            int locked = 0;
            try {
                for (Account account : all) {
                    account.lock.lock();
                    locked++;
                }
                return read.apply(all);
            } finally {
                for (int i = locked - 1; i >= 0; i--) {
                    all.get(i).lock.unlock();
                }
            }
        } finally {
            openings.writeLock().unlock();
        }
    }

    /** The committed transaction numbered {@code seq}, or {@code null}. */
    public Transaction transaction(long seq) {
        if (seq <= archivedUpTo && archive != null) {
            List<Transaction> found = archive.read(seq - 1, seq, tx -> true, 1);
            return found.isEmpty() ? null : found.get(0);
        }
        return log.get(seq);
    }

    /** The sequence number of the latest committed transaction; 0 before the first. */
    public long lastSeq() {
        return log.lastSeq();
    }

    // ---------------------------------------------------------------- authorization

    /**
     * Whether {@code caller} may move money out of {@code number}: only a customer, only from their own checking
     * account (money leaves a loan only when the bank books it).
     */
    public boolean mayMoveMoneyOut(Caller caller, String number) {
        Account account = find(number);
        return account != null && !caller.isAuditor() && account.kind == AccountKind.CHECKING
                && account.owner.equals(caller.user());
    }

    /** Whether {@code caller} may see {@code number}'s balance and history: its holder, or the auditor. */
    public boolean mayRead(Caller caller, String number) {
        Account account = find(number);
        return account != null && (caller.isAuditor()
                || (account.kind != AccountKind.INTERNAL && account.owner.equals(caller.user())));
    }

    // ---------------------------------------------------------------- helpers

    private Account newAccount(String number, AccountKind kind, String owner) {
        return new Account(number, kind, owner, nextOrdinal.getAndIncrement(), null);
    }

    /** The account numbered {@code number}, or {@code null}; a {@code null} number names no account. */
    private Account find(String number) {
        return number == null ? null : accounts.get(number);
    }

    private Account vaultFor(String number) {
        return vault[Math.floorMod(number.hashCode(), vault.length)];
    }

    private AtomicLong exposureOf(String user) {
        return loanExposure.computeIfAbsent(user, ignored -> new AtomicLong());
    }

    private static <T> Optional<Outcome<T>> refuseMoneyMovement(Caller caller, long amountCents) {
        if (caller.isAuditor()) {
            return Optional.of(Outcome.fail(ErrorCode.FORBIDDEN, "the auditor moves no money"));
        }
        return Money.problemWith(amountCents).map(problem -> Outcome.fail(ErrorCode.INVALID_AMOUNT, problem));
    }

    /** The caller's own checking account {@code number}, or why not. */
    private Outcome<Account> ownChecking(Caller caller, String number, String purpose) {
        Account account = find(number);
        if (account == null || account.kind == AccountKind.INTERNAL) {
            return unknown(number);
        }
        if (!account.owner.equals(caller.user())) {
            return Outcome.fail(ErrorCode.FORBIDDEN, "account " + number + " is not yours");
        }
        if (account.kind != AccountKind.CHECKING) {
            return wrongKind(account, purpose + " a checking account");
        }
        return Outcome.ok(account);
    }

    private Outcome<Account> loan(String number) {
        Account account = find(number);
        if (account == null || account.kind == AccountKind.INTERNAL) {
            return unknown(number);
        }
        if (account.kind != AccountKind.LOAN) {
            return wrongKind(account, "pay down a loan account");
        }
        return Outcome.ok(account);
    }

    private Outcome<Account> readable(Caller caller, String number) {
        Account account = find(number);
        if (account == null || (account.kind == AccountKind.INTERNAL && !caller.isAuditor())) {
            return unknown(number);
        }
        if (!mayRead(caller, number)) {
            return Outcome.fail(ErrorCode.FORBIDDEN, "account " + number + " is not yours");
        }
        return Outcome.ok(account);
    }

    private static Optional<String> pageProblem(long afterSeq, int limit) {
        if (afterSeq < 0) {
            return Optional.of("cursor must not be negative, got " + afterSeq);
        }
        if (limit < 1 || limit > TransactionQuery.MAX_LIMIT) {
            return Optional.of("page limit must be 1.." + TransactionQuery.MAX_LIMIT + ", got " + limit);
        }
        return Optional.empty();
    }

    private static <T> Outcome<T> unknown(String number) {
        return Outcome.fail(ErrorCode.UNKNOWN_ACCOUNT, "no account " + number);
    }

    private static <T> Outcome<T> duplicate(String number) {
        return Outcome.fail(ErrorCode.DUPLICATE_ACCOUNT, "account " + number + " already exists");
    }

    private static <T> Outcome<T> wrongKind(Account account, String rule) {
        return Outcome.fail(ErrorCode.WRONG_ACCOUNT_KIND,
                "account " + account.number + " is a " + account.kind.name().toLowerCase() + " account: " + rule);
    }

    private static <T> Outcome<T> overflow(Account account) {
        return Outcome.fail(ErrorCode.BALANCE_OVERFLOW, "account " + account.number + " cannot hold that much");
    }

    private static <T> Outcome<T> auditorOnly(String op) {
        return Outcome.fail(ErrorCode.FORBIDDEN, op + " is for the auditor only");
    }
}
