package com.abcbank.ledger;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The bank's books: accounts, the vault, and the journal of transactions, safe for any number of threads. This
 * class validates and authorises requests and reads the books; the mechanisms are package-private parts, each
 * with its own invariants: {@link AccountTable} (accounts, ordinals, vault shards, {@code openings}),
 * {@link Access} (who may do what to which account), {@link Bookkeeper} (the critical sections that write
 * transactions), {@link TransactionLog} (the sequencer), {@link KeyTable} (idempotency keys) and
 * {@link LoanExposure} (the loan limit) and {@link Statements} (where history is read from: the journal on disk
 * before a snapshot, memory after it).
 *
 * <h2>Money model</h2>
 * Every change of a balance is a {@link Posting} of a {@link Transaction}, and every transaction's postings
 * sum to zero, so the sum of all balances, internal accounts included, is zero at every committed state.
 * Cash enters and leaves through the vault, which is split into {@link LedgerConfig#vaultShards()} internal
 * accounts ({@code VAULT-00}, ...); a customer account always uses the same shard, chosen by its number.
 * Sign conventions are on {@link AccountKind}.
 *
 * <h2>A request, and the lock order across the parts</h2>
 * A money request is validated and authorised here without locks, then:
 * <ol>
 *   <li>its idempotency key is reserved ({@link KeyTable}): not a lock, and a retry that waits for the first
 *       attempt holds no lock while it waits;</li>
 *   <li>a loan or a loan payment takes the lock of the loan owner's exposure ({@link LoanExposure}): at most one,
 *       and never on the money path of deposits, withdrawals and transfers;</li>
 *   <li>an operation that adds an account takes {@code openings} shared; an audit view takes it exclusively
 *       ({@link AccountTable});</li>
 *   <li>the account locks, in ascending ordinal;</li>
 *   <li>the sequencer ({@link TransactionLog}), which hands the record to the journal ({@link CommitLog}).</li>
 * </ol>
 * Every thread takes the locks it needs in this order, and releases them in reverse, so no cycle of waiting
 * threads, and so no deadlock, can form. The sequence number is drawn inside the account locks, so transactions
 * that share an account are numbered in the order they held it: replay in sequence order gives the same balances.
 *
 * <h2>Linearizability</h2>
 * Each operation takes effect at one moment while it holds every lock it decides under: a move or an opening
 * when it is appended; a refusal for funds or overpayment at its balance check; a refusal for the loan limit at
 * its check under the owner's exposure lock, which sees exactly the committed loans; a balance or history read
 * under the account's lock; an audit view while every account is locked. {@code LedgerLinearizabilityTest}
 * checks this with Lincheck.
 *
 * <h2>Consistent audit views</h2>
 * {@link #snapshot()}, {@link #report}, {@link #holders} and {@link #exportState} read every account while no
 * account is being added and every account is locked ({@link AccountTable#quiescent}): no transaction is
 * half-applied then, so the copy is exactly the state after transactions {@code 1..lastSeq}, at the cost of
 * pausing money movement for O(accounts) lock acquisitions.
 */
public final class Ledger {
    /**
     * What an idempotency key may be: 1 to 64 printable ASCII characters, no spaces (a UUID fits). The ledger
     * enforces it, so it is defined here; the protocol names it for clients as {@code Wire.KEY}.
     */
    public static final Pattern KEY = Pattern.compile("[!-~]{1,64}");
    /** Why a key was refused, fit to show a person: {@link #KEY} in words. */
    public static final String KEY_RULE = "a key is 1 to 64 printable ASCII characters without spaces";
    /** Customer-chosen checking account numbers. Loan numbers are bank-assigned: {@code L} and digits. */
    private static final Pattern ACCOUNT_NUMBER = Pattern.compile("\\d{4,12}");

    private final LedgerConfig config;
    private final TransactionLog log;
    private final AccountTable accounts;
    private final KeyTable keys;
    private final LoanExposure exposure;
    private final Bookkeeper books;
    private final Access access;
    private final Statements statements;

    public Ledger() {
        this(LedgerConfig.defaults(), Clock.systemUTC());
    }

    public Ledger(LedgerConfig config, Clock clock) {
        this(config, clock, CommitLog.NONE);
    }

    /**
     * A ledger whose every committed transaction goes to {@code journal}, in sequence order. If the journal keeps
     * files ({@link CommitLog#store()}), the ledger's memory is bounded: it holds only the transactions not yet
     * indexed there, and reads the others back (see {@link Statements}); otherwise it keeps its whole history.
     */
    public Ledger(LedgerConfig config, Clock clock, CommitLog journal) {
        this(config, clock, journal, KeyTable.DEFAULT_MAX_KEYS);
    }

    /** As above, remembering at most {@code maxKeys} idempotency keys (see {@link KeyTable}). */
    Ledger(LedgerConfig config, Clock clock, CommitLog journal, int maxKeys) {
        HistoryStore store = journal.store().orElse(null);
        this.config = config;
        this.log = new TransactionLog(clock, journal, store != null, maxKeys);
        this.accounts = new AccountTable(config.vaultShards());
        this.exposure = new LoanExposure(config.loanLimitCents());
        this.books = new Bookkeeper(accounts, log, exposure);
        this.access = new Access(accounts);
        this.statements = new Statements(log, store, accounts::find);
        this.keys = new KeyTable(maxKeys, statements::transaction);
        if (store != null) {
            store.follow(new LedgerIndex(accounts, statements));
        }
    }

    public LedgerConfig config() {
        return config;
    }

    // ---------------------------------------------------------------- money movement
    // Each takes an idempotency key, or null for none: a retry with the same key moves nothing more.

    /** create_account: opens a checking account numbered {@code number} (4 to 12 digits), with an optional opening deposit. */
    public Outcome<Transaction> createAccount(Caller caller, String number, long openingDepositCents, String key) {
        if (caller.isAuditor()) {
            return Outcome.fail(ErrorCode.FORBIDDEN, "the auditor holds no accounts");
        }
        if (number == null || !ACCOUNT_NUMBER.matcher(number).matches()) {
            return Outcome.fail(
                    ErrorCode.INVALID_ACCOUNT_NUMBER, "an account number is 4 to 12 digits, got '" + number + "'");
        }
        if (openingDepositCents != 0) {
            Optional<String> problem = Money.problemWith(openingDepositCents);
            if (problem.isPresent()) {
                return Outcome.fail(ErrorCode.INVALID_AMOUNT, problem.get());
            }
        }
        Intent intent = new Intent(TxType.OPEN_ACCOUNT, caller.user(), number, null, openingDepositCents);
        Outcome<Transaction> outcome =
                keys.once(caller.user(), key, intent, k -> books.open(caller.user(), number, openingDepositCents, k));
        if (outcome.error() == ErrorCode.DUPLICATE_ACCOUNT) {
            // The account may have been published a moment ago by an opening not yet sequenced: this refusal must
            // come after that opening's sequence number, so the server's wait for lastSeq covers what it reveals.
            accounts.passThroughLock(number);
        }
        return outcome;
    }

    /** deposit: cash into a checking account, anybody's. */
    public Outcome<Transaction> deposit(Caller caller, String number, long amountCents, String key) {
        Optional<Outcome<Transaction>> refused = Refusals.moneyMovement(caller, amountCents);
        if (refused.isPresent()) {
            return refused.get();
        }
        Outcome<Account> account =
                access.checking(number, "deposit into a checking account; pay a loan with pay_loan_check");
        if (!account.isOk()) {
            return account.asFailure();
        }
        return moveOnce(
                caller, key, TxType.DEPOSIT, number, null, accounts.vaultFor(number), account.value(), amountCents);
    }

    /** withdraw: cash out of one of the caller's checking accounts. */
    public Outcome<Transaction> withdraw(Caller caller, String number, long amountCents, String key) {
        Optional<Outcome<Transaction>> refused = Refusals.moneyMovement(caller, amountCents);
        if (refused.isPresent()) {
            return refused.get();
        }
        Outcome<Account> source = access.moneyOut(caller, number, "withdraw");
        if (!source.isOk()) {
            return source.asFailure();
        }
        return moveOnce(
                caller, key, TxType.WITHDRAW, number, null, source.value(), accounts.vaultFor(number), amountCents);
    }

    /** transfer: from one of the caller's checking accounts to any other checking account. */
    public Outcome<Transaction> transfer(Caller caller, String from, String to, long amountCents, String key) {
        Optional<Outcome<Transaction>> refused = Refusals.moneyMovement(caller, amountCents);
        if (refused.isPresent()) {
            return refused.get();
        }
        if (from != null && from.equals(to)) {
            return Outcome.fail(ErrorCode.SAME_ACCOUNT, "cannot transfer from account " + from + " to itself");
        }
        Outcome<Account> source = access.moneyOut(caller, from, "transfer");
        if (!source.isOk()) {
            return source.asFailure();
        }
        Outcome<Account> target =
                access.checking(to, "transfer to a checking account; pay a loan with pay_loan_transfer");
        if (!target.isOk()) {
            return target.asFailure();
        }
        return moveOnce(caller, key, TxType.TRANSFER, from, to, source.value(), target.value(), amountCents);
    }

    /**
     * apply_loan: opens a loan account with a bank-assigned number ({@link Transaction#opened()}) and pays the
     * principal into the caller's checking account {@code checkingNumber}, within the caller's loan limit.
     */
    public Outcome<Transaction> applyLoan(Caller caller, String checkingNumber, long amountCents, String key) {
        Optional<Outcome<Transaction>> refused = Refusals.moneyMovement(caller, amountCents);
        if (refused.isPresent()) {
            return refused.get();
        }
        Outcome<Account> checking = access.moneyOut(caller, checkingNumber, "receive a loan in");
        if (!checking.isOk()) {
            return checking.asFailure();
        }
        return keys.once(
                caller.user(),
                key,
                new Intent(TxType.LOAN, caller.user(), checkingNumber, null, amountCents),
                k -> books.lend(caller.user(), checking.value(), amountCents, k));
    }

    /** pay_loan_check: pays a loan down with money from outside the bank (a check), through the vault. */
    public Outcome<Transaction> payLoanCheck(Caller caller, String loanNumber, long amountCents, String key) {
        Optional<Outcome<Transaction>> refused = Refusals.moneyMovement(caller, amountCents);
        if (refused.isPresent()) {
            return refused.get();
        }
        Outcome<Account> loan = access.loan(loanNumber);
        if (!loan.isOk()) {
            return loan.asFailure();
        }
        Account vault = accounts.vaultFor(loanNumber);
        return moveOnce(caller, key, TxType.LOAN_PAYMENT_CHECK, loanNumber, null, vault, loan.value(), amountCents);
    }

    /** pay_loan_transfer: pays a loan down from one of the caller's checking accounts. */
    public Outcome<Transaction> payLoanTransfer(
            Caller caller, String from, String loanNumber, long amountCents, String key) {
        Optional<Outcome<Transaction>> refused = Refusals.moneyMovement(caller, amountCents);
        if (refused.isPresent()) {
            return refused.get();
        }
        if (from != null && from.equals(loanNumber)) {
            return Outcome.fail(ErrorCode.SAME_ACCOUNT, "cannot pay account " + from + " from itself");
        }
        Outcome<Account> source = access.moneyOut(caller, from, "pay a loan from");
        if (!source.isOk()) {
            return source.asFailure();
        }
        Outcome<Account> loan = access.loan(loanNumber);
        if (!loan.isOk()) {
            return loan.asFailure();
        }
        TxType type = TxType.LOAN_PAYMENT_TRANSFER;
        return moveOnce(caller, key, type, from, loanNumber, source.value(), loan.value(), amountCents);
    }

    /**
     * Moves {@code amountCents} from {@code debit} to {@code credit} at most once per key: the request named
     * {@code account} (and {@code other}, for a move between two customer accounts), which is what a retry with
     * the same key must name again.
     */
    private Outcome<Transaction> moveOnce(
            Caller caller,
            String key,
            TxType type,
            String account,
            String other,
            Account debit,
            Account credit,
            long amountCents) {
        Intent intent = new Intent(type, caller.user(), account, other, amountCents);
        return keys.once(
                caller.user(), key, intent, k -> books.move(type, caller.user(), debit, credit, amountCents, k));
    }

    /**
     * Forgets the keys of transactions committed before {@code cutoff}: retries older than that run afresh. Keys
     * are also forgotten, oldest first, past a count ({@link KeyTable#DEFAULT_MAX_KEYS}, a million).
     */
    public void forgetKeysBefore(Instant cutoff) {
        keys.forgetBelow(log.forgetKeyedBefore(cutoff));
    }

    // ---------------------------------------------------------------- recovery

    /**
     * Applies a transaction read back from the journal: the next in sequence, exactly as it was committed
     * (its number, time, postings and key). Opens the account it opened, moves the balances and checks each
     * posting's balance-after against the account, so a journal that disagrees with itself throws
     * {@link IllegalStateException} instead of loading. For start-up, before the ledger serves anyone.
     */
    public void replay(Transaction tx) {
        books.replay(tx);
        keys.remember(tx);
    }

    /**
     * Everything needed to start again from here without the journal before it, as of one consistent point (taken
     * like {@link #snapshot()}), with the transactions of the idempotency keys committed since {@code keysSince}.
     */
    public LedgerState exportState(Instant keysSince) {
        LedgerState accountsOnly = accounts.quiescent(all ->
                new LedgerState(log.lastSeq(), log.lastTime(), accounts.peekNextLoanNumber(), views(all), List.of()));
        // Outside the pause: every keyed transaction up to lastSeq was recorded under its locks, so it is there.
        // With a store they are read back from the journal as the snapshot is written (KeyedTransactions).
        return accountsOnly.withKeyed(statements.keyedTransactions(log.keyedSince(keysSince, accountsOnly.lastSeq())));
    }

    /**
     * Loads a state exported by {@link #exportState} into this new ledger (one that has committed nothing), so that
     * it goes on from {@code state.lastSeq()}: replay the journal after it next. History before it is served by
     * {@code older}, unless the ledger's journal has a store ({@link CommitLog#store()}), which serves all of it.
     */
    public void restore(LedgerState state, History older) {
        if (log.lastSeq() != 0 || !accounts.onlyVault()) {
            throw new IllegalStateException("restore needs a new ledger");
        }
        accounts.restore(state.accounts());
        exposure.restored(state.accounts());
        accounts.loanNumberUsed(state.nextLoanNumber() - 1);
        log.startAfter(state.lastSeq(), state.lastTime());
        log.restoreKeyed(state.keyed());
        state.keyed().forEach(keys::remember);
        statements.startFrom(older, state.lastSeq());
    }

    // ---------------------------------------------------------------- reads

    /** balance: one account, for its holder or the auditor. For a loan, {@link AccountView#outstandingCents()}. */
    public Outcome<AccountView> balance(Caller caller, String number) {
        Outcome<Account> found = access.readable(caller, number);
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
        Optional<String> badPage = Refusals.pageProblem(afterSeq, limit);
        if (badPage.isPresent()) {
            return Outcome.fail(ErrorCode.INVALID_ARGUMENT, badPage.get());
        }
        Outcome<Account> found = access.readable(caller, number);
        if (!found.isOk()) {
            return found.asFailure();
        }
        List<Transaction> txs = statements.ofAccount(found.value(), afterSeq, limit);
        boolean more = txs.size() > limit;
        List<HistoryEntry> entries = new ArrayList<>(Math.min(txs.size(), limit));
        for (int i = 0; i < txs.size() && i < limit; i++) {
            entries.add(HistoryEntry.of(txs.get(i), number));
        }
        return Outcome.ok(
                new Page<>(entries, more ? entries.get(entries.size() - 1).seq() : null));
    }

    /** show_accountholders: every customer with their accounts, as of one consistent moment. Auditor only. */
    public Outcome<List<Holder>> holders(Caller caller) {
        if (!caller.isAuditor()) {
            return Refusals.auditorOnly("show_accountholders");
        }
        return Outcome.ok(Holder.of(snapshot()));
    }

    /** show_history: the journal, paged and filtered. Auditor only. */
    public Outcome<Page<Transaction>> transactions(Caller caller, TransactionQuery query) {
        if (!caller.isAuditor()) {
            return Refusals.auditorOnly("show_history");
        }
        Optional<String> badPage = Refusals.pageProblem(query.after(), query.limit());
        if (badPage.isPresent()) {
            return Outcome.fail(ErrorCode.INVALID_ARGUMENT, badPage.get());
        }
        if (query.from() != null && query.to() != null && query.to().isBefore(query.from())) {
            return Outcome.fail(ErrorCode.INVALID_ARGUMENT, "time range ends before it starts");
        }
        return Outcome.ok(statements.page(query));
    }

    /** report: totals per kind of account and the zero-sum check, as of one consistent moment. Auditor only. */
    public Outcome<Report> report(Caller caller) {
        if (!caller.isAuditor()) {
            return Refusals.auditorOnly("report");
        }
        return Outcome.ok(Report.of(snapshot()));
    }

    /**
     * Every account, internal ones included, as of one point in the sequence order (see the class comment for
     * how, and what it costs). The bank's own view: the server must not hand it to a customer.
     */
    public Snapshot snapshot() {
        return accounts.quiescent(all -> new Snapshot(log.lastSeq(), views(all)));
    }

    /** Views of {@code all}, each of whose locks the caller holds. */
    private static List<AccountView> views(List<Account> all) {
        List<AccountView> views = new ArrayList<>(all.size());
        for (Account account : all) {
            views.add(account.view());
        }
        return views;
    }

    /** The committed transaction numbered {@code seq}, or {@code null}. */
    public Transaction transaction(long seq) {
        return statements.transaction(seq);
    }

    /** How many transactions are held as objects now (with a store: those not yet indexed). For tests. */
    int heldTransactions() {
        return log.heldCount();
    }

    /** With a store: waits until every transaction up to {@code seq} is indexed (and left memory). For tests. */
    void awaitIndexed(long seq, long timeoutMs) {
        statements.awaitIndexed(seq, timeoutMs);
    }

    /** How many idempotency keys are remembered (or in flight) now. For tests. */
    int rememberedKeys() {
        return keys.size();
    }

    /** The sequence number of the latest committed transaction; 0 before the first. */
    public long lastSeq() {
        return log.lastSeq();
    }

    // ---------------------------------------------------------------- authorization

    /**
     * Whether {@code caller} may move money out of {@code number}: only a customer, only from their own checking
     * account (money leaves a loan only when the bank books it). The rule that withdraw, transfer, apply_loan and
     * pay_loan_transfer enforce.
     */
    public boolean mayMoveMoneyOut(Caller caller, String number) {
        return access.mayMoveMoneyOut(caller, number);
    }

    /** Whether {@code caller} may see {@code number}'s balance and history: its holder, or the auditor. */
    public boolean mayRead(Caller caller, String number) {
        return access.mayRead(caller, number);
    }
}
