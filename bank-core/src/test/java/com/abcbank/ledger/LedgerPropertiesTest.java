package com.abcbank.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;

/**
 * Random scripts of customer operations against one ledger, run one after another, checked against
 * invariants, the journal and a model.
 *
 * <p>A script is a list of {@link Op}s over three customers (and now and then the auditor, who may move no
 * money), a handful of checking account numbers that whoever opens first owns, the loans opened during the
 * run ({@code loan#k} is the k-th loan booked, counting round, or an unknown loan number before any), and account
 * names that are not a customer's account at all: malformed, null, unknown, or a vault shard. Amounts are mostly
 * small and valid, so balances, loan limits and exact payoffs collide often, and sometimes zero, negative,
 * exactly {@link Money#MAX_AMOUNT_CENTS}, one above it, or the extremes of {@code long}.
 *
 * <p>Scripts are lists, not action chains, so a failure shrinks to the shortest list of operations that
 * still breaks the property, printed as records. The clock is fixed, so a failing seed replays exactly.
 */
class LedgerPropertiesTest {
    private static final String AUDITOR = "Audit";
    private static final List<String> CUSTOMERS = List.of("alice", "bob", "carol");
    /** Checking numbers that scripts open; few, so that operations often find an open account. */
    private static final List<String> CHECKING_NUMBERS = List.of("1001", "1002", "2001", "2002", "3001");
    /** Which of them each customer usually names; anyone may still open or name any of them. */
    private static final Map<String, List<String>> OWN_NUMBERS = new TreeMap<>(
            Map.of("alice", List.of("1001", "1002"), "bob", List.of("2001", "2002"), "carol", List.of("3001")));
    /** Not 4 to 12 digits: too short, not digits, too long, empty, a vault shard's name, none at all. */
    private static final List<String> MALFORMED = Arrays.asList("12", "12a4", "1234567890123", "", "VAULT-00", null);
    /** Names that are never a customer's account: the malformed ones, and a well-formed number nobody opens. */
    private static final List<String> NOT_ACCOUNTS =
            Arrays.asList("12", "12a4", "1234567890123", "", "VAULT-00", null, "9999");

    private static final List<String> LOAN_REFS = List.of("loan#0", "loan#1", "loan#2");
    /** What {@code loan#k} names before any loan was booked: shaped like a loan number, never assigned. */
    private static final String UNBOOKED_LOAN = "L999999";
    /**
     * The codes money movement can refuse with inside {@link Money#MAX_AMOUNT_CENTS}-sized steps: all but
     * BALANCE_OVERFLOW (no script moves enough), INVALID_ARGUMENT (reads only) and the server's own codes.
     */
    private static final List<ErrorCode> REACHABLE_REFUSALS = List.of(
            ErrorCode.INVALID_AMOUNT,
            ErrorCode.INVALID_ACCOUNT_NUMBER,
            ErrorCode.UNKNOWN_ACCOUNT,
            ErrorCode.FORBIDDEN,
            ErrorCode.WRONG_ACCOUNT_KIND,
            ErrorCode.SAME_ACCOUNT,
            ErrorCode.INSUFFICIENT_FUNDS,
            ErrorCode.LOAN_OVERPAYMENT,
            ErrorCode.DUPLICATE_ACCOUNT,
            ErrorCode.LOAN_LIMIT_EXCEEDED);

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2024-01-02T03:04:05Z"), ZoneOffset.UTC);

    // ---------------------------------------------------------------- properties

    /**
     * After every operation: the books balance, no checking account is below zero, no loan above zero; a success
     * adds exactly one transaction, numbered next, whose postings are exactly the change between the snapshots
     * before and after; a refusal adds no transaction and changes no account, not even its timestamps.
     */
    @Property(tries = 400)
    void everyOperationKeepsTheBooksBalancedAndARefusalChangesNothing(
            @ForAll("configs") LedgerConfig config, @ForAll("scripts") List<Op> script) {
        Ledger ledger = new Ledger(config, CLOCK);
        play(ledger, script, (index, op, outcome, before, after) -> {
            String where = "op " + index + " " + op + " -> " + outcome;
            assertEquals(0, after.sumCents(), where + ": books do not balance");
            for (AccountView account : after.accounts()) {
                if (account.kind() == AccountKind.CHECKING) {
                    assertTrue(account.balanceCents() >= 0, where + ": checking below zero: " + account);
                }
                if (account.kind() == AccountKind.LOAN) {
                    assertTrue(account.balanceCents() <= 0, where + ": loan above zero: " + account);
                }
            }
            assertEquals(after.lastSeq(), ledger.lastSeq(), where + ": lastSeq() disagrees with snapshot");
            if (!outcome.isOk()) {
                assertNotNull(outcome.message(), where);
                assertEquals(before, after, where + ": a refused operation changed the books");
                return;
            }
            Transaction tx = outcome.value();
            assertEquals(before.lastSeq() + 1, after.lastSeq(), where + ": a success must add one transaction");
            assertEquals(after.lastSeq(), tx.seq(), where + ": the transaction is not the latest");
            Map<String, Long> expected = balances(before);
            if (tx.opened() != null) {
                assertNull(expected.put(tx.opened(), 0L), where + ": opened an account that existed");
            }
            for (Posting posting : tx.postings()) {
                Long was = expected.get(posting.account());
                assertNotNull(was, where + ": posting to an account that does not exist: " + posting);
                expected.put(posting.account(), was + posting.amountCents());
                assertEquals(was + posting.amountCents(), posting.balanceAfterCents(), where + ": " + posting);
            }
            assertEquals(expected, balances(after), where + ": the balances moved other than the postings say");
        });
    }

    /**
     * The journal explains the balances: paging through every transaction as the auditor, in any page size,
     * yields sequence numbers 1..lastSeq with no gap or repeat; replaying their postings in that order from
     * zero gives each posting's balance-after and, at the end, every balance in the snapshot; and every
     * customer account was opened by exactly one transaction, asked for by its owner.
     */
    @Property(tries = 300)
    void replayingTheJournalReproducesEveryBalance(
            @ForAll("configs") LedgerConfig config,
            @ForAll("scripts") List<Op> script,
            @ForAll @IntRange(min = 1, max = 7) int pageSize) {
        Ledger ledger = new Ledger(config, CLOCK);
        play(ledger, script, (index, op, outcome, before, after) -> {});
        Snapshot snapshot = ledger.snapshot();

        List<Transaction> journal = new ArrayList<>();
        TransactionQuery query = TransactionQuery.firstPage().limit(pageSize);
        for (int pages = 0; ; pages++) {
            assertTrue(pages <= snapshot.lastSeq() / pageSize + 1, "paging does not end");
            Outcome<Page<Transaction>> outcome = ledger.transactions(Caller.auditor(AUDITOR), query);
            assertTrue(outcome.isOk(), outcome.toString());
            Page<Transaction> page = outcome.value();
            assertTrue(page.items().size() <= pageSize, "page larger than its limit: " + page);
            journal.addAll(page.items());
            if (page.next() == null) {
                break;
            }
            assertEquals(page.items().get(page.items().size() - 1).seq(), page.next(), "cursor is not the last seq");
            query = query.after(page.next());
        }

        assertEquals(snapshot.lastSeq(), journal.size(), "journal length vs lastSeq");
        Map<String, Long> replayed = new HashMap<>();
        Map<String, Integer> openedBy = new HashMap<>();
        Map<String, String> openerOf = new HashMap<>();
        for (int i = 0; i < journal.size(); i++) {
            Transaction tx = journal.get(i);
            assertEquals(i + 1, tx.seq(), "sequence numbers must be 1..n without gaps: " + journal);
            if (tx.opened() != null) {
                openedBy.merge(tx.opened(), 1, Integer::sum);
                openerOf.put(tx.opened(), tx.user());
            }
            long sum = 0;
            for (Posting posting : tx.postings()) {
                long running = replayed.getOrDefault(posting.account(), 0L) + posting.amountCents();
                replayed.put(posting.account(), running);
                assertEquals(running, posting.balanceAfterCents(), "tx " + tx.seq() + " posting " + posting);
                sum += posting.amountCents();
            }
            assertEquals(0, sum, "tx " + tx.seq() + " does not balance");
        }

        Map<String, Long> actual = balances(snapshot);
        assertTrue(
                actual.keySet().containsAll(replayed.keySet()),
                "the journal posts to accounts the snapshot lacks: " + replayed.keySet() + " vs " + actual.keySet());
        for (AccountView account : snapshot.accounts()) {
            assertEquals(
                    replayed.getOrDefault(account.number(), 0L),
                    account.balanceCents(),
                    "replayed balance of " + account.number());
            if (account.kind() != AccountKind.INTERNAL) {
                assertEquals(1, openedBy.getOrDefault(account.number(), 0), "openings of " + account);
                assertEquals(account.owner(), openerOf.get(account.number()), "opener of " + account);
            }
        }
    }

    /**
     * The ledger does what a plain sequential model of the rules says: each operation succeeds exactly when the
     * model says it should, or is refused with the code the model expects (the ledger's checks run in a fixed
     * order; the model checks in the same order, so the first reason that applies wins), and after every
     * operation every customer account has the model's kind, owner and balance, and the vault shards together
     * hold what the model's single vault holds.
     */
    @Property(tries = 400)
    void theLedgerAgreesWithASequentialModel(
            @ForAll("configs") LedgerConfig config, @ForAll("scripts") List<Op> script) {
        Ledger ledger = new Ledger(config, CLOCK);
        Model model = new Model(config.loanLimitCents());
        play(ledger, script, (index, op, outcome, before, after) -> {
            String where = "op " + index + " " + op + " -> " + outcome;
            ErrorCode expected = model.expect(op);
            Statistics.label("outcome").collect(expected == null ? "OK" : expected.name());
            assertEquals(expected, outcome.error(), where + ": model expected " + (expected == null ? "OK" : expected));
            if (outcome.isOk()) {
                model.commit(op, outcome.value());
            }
            model.assertMatches(after, where);
        });
        // The scripts must reach every rule, or agreement proves little. Bounds are far below typical counts.
        Statistics.label("outcome").coverage(checker -> {
            checker.check("OK").percentage(percent -> percent >= 10);
            for (ErrorCode code : REACHABLE_REFUSALS) {
                checker.check(code.name()).count(count -> count >= 3);
            }
        });
    }

    /**
     * Whatever the script, no customer ever owes more on their loans together than the configured limit; and
     * the limit is not stricter than that: a loan refused for the limit would really have passed it.
     */
    @Property(tries = 400)
    void noCustomerEverOwesMoreThanTheLoanLimit(
            @ForAll("configs") LedgerConfig config, @ForAll("scripts") List<Op> script) {
        Ledger ledger = new Ledger(config, CLOCK);
        play(ledger, script, (index, op, outcome, before, after) -> {
            String where = "op " + index + " " + op + " -> " + outcome;
            Map<String, Long> owedAfter = outstandingByOwner(after);
            for (Map.Entry<String, Long> owed : owedAfter.entrySet()) {
                assertTrue(
                        owed.getValue() <= config.loanLimitCents(),
                        where + ": " + owed.getKey() + " owes " + owed.getValue() + " cents, limit "
                                + config.loanLimitCents());
            }
            if (outcome.error() == ErrorCode.LOAN_LIMIT_EXCEEDED) {
                long owedBefore = outstandingByOwner(before).getOrDefault(op.user(), 0L);
                Statistics.label("limit refusals").collect(owedBefore > 0 ? "already owing" : "owing nothing yet");
                assertTrue(
                        owedBefore + op.amountCents() > config.loanLimitCents(),
                        where + ": refused although " + owedBefore + " + " + op.amountCents() + " <= limit "
                                + config.loanLimitCents());
            }
        });
        Statistics.label("limit refusals")
                .coverage(checker -> checker.check("already owing").count(count -> count >= 1));
    }

    // ---------------------------------------------------------------- generators

    @Provide
    Arbitrary<LedgerConfig> configs() {
        // Mostly limits a few small loans reach, so that scripts meet the limit with loans already outstanding;
        // round loans land exactly on 400 and 1,000 and one cent past 999, the two sides of the boundary.
        Arbitrary<Long> limits = Arbitraries.frequency(
                Tuple.of(1, 0L),
                Tuple.of(3, 400L),
                Tuple.of(3, 999L),
                Tuple.of(3, 1_000L),
                Tuple.of(2, 30_000L),
                Tuple.of(1, LedgerConfig.DEFAULT_LOAN_LIMIT_CENTS));
        Arbitrary<Integer> shards = Arbitraries.of(1, 2, LedgerConfig.DEFAULT_VAULT_SHARDS);
        return Combinators.combine(limits, shards).as(LedgerConfig::new);
    }

    /**
     * Customers opening most of their usual accounts, then anything at all. Without the openings most operations
     * would name accounts nobody opened yet, and few would reach the money checks. Each opening may be left out
     * (and shrinking leaves out all it can), so scripts still start on a bank with no accounts.
     */
    @Provide
    Arbitrary<List<Op>> scripts() {
        List<Arbitrary<Op>> maybeOpenings = new ArrayList<>();
        OWN_NUMBERS.forEach((user, numbers) -> {
            for (String number : numbers) {
                maybeOpenings.add(Arbitraries.longs()
                        .between(0, 30_000)
                        .<Op>map(depositCents -> new Create(user, number, depositCents))
                        .injectNull(0.2));
            }
        });
        Arbitrary<List<Op>> openings = Combinators.combine(maybeOpenings).as(maybe -> {
            List<Op> opened = new ArrayList<>(maybe);
            opened.removeIf(Objects::isNull);
            return opened;
        });
        Arbitrary<List<Op>> anything =
                operations().list().ofMinSize(1).ofMaxSize(60).withSizeDistribution(RandomDistribution.uniform());
        return Combinators.combine(openings, anything).as((first, then) -> {
            List<Op> script = new ArrayList<>(first);
            script.addAll(then);
            return script;
        });
    }

    /** Anyone's operations; a choice among fixed arbitraries, not a flatMap, which shrinks far more slowly. */
    private static Arbitrary<Op> operations() {
        List<Tuple.Tuple2<Integer, Arbitrary<Op>>> byUser = new ArrayList<>();
        for (String customer : CUSTOMERS) {
            byUser.add(Tuple.of(20, operationsBy(customer)));
        }
        byUser.add(Tuple.of(3, operationsBy(AUDITOR)));
        return Arbitraries.frequencyOf(byUser);
    }

    /**
     * Operations asked for by {@code user}, who names their "own" numbers (those they usually open) more often
     * than others', so that scripts get past the ownership checks to the money checks.
     */
    private static Arbitrary<Op> operationsBy(String user) {
        Arbitrary<String> own = Arbitraries.of(OWN_NUMBERS.getOrDefault(user, CHECKING_NUMBERS));
        Arbitrary<String> newNumbers = Arbitraries.frequencyOf(
                Tuple.of(12, own),
                Tuple.of(3, Arbitraries.of(CHECKING_NUMBERS)),
                Tuple.of(1, Arbitraries.of(MALFORMED)));
        Arbitrary<String> checking = Arbitraries.frequencyOf(
                Tuple.of(12, own),
                Tuple.of(6, Arbitraries.of(CHECKING_NUMBERS)),
                Tuple.of(1, Arbitraries.of(LOAN_REFS)),
                Tuple.of(1, Arbitraries.of(NOT_ACCOUNTS)));
        Arbitrary<String> anyChecking = Arbitraries.frequencyOf(
                Tuple.of(18, Arbitraries.of(CHECKING_NUMBERS)),
                Tuple.of(1, Arbitraries.of(LOAN_REFS)),
                Tuple.of(1, Arbitraries.of(NOT_ACCOUNTS)));
        Arbitrary<String> loans = Arbitraries.frequencyOf(
                Tuple.of(16, Arbitraries.of(LOAN_REFS)),
                Tuple.of(1, Arbitraries.of(CHECKING_NUMBERS)),
                Tuple.of(1, Arbitraries.of(NOT_ACCOUNTS)));
        Arbitrary<String> who = Arbitraries.just(user);
        Arbitrary<Long> amounts = amounts();
        Arbitrary<Long> openingDeposits =
                Arbitraries.frequencyOf(Tuple.of(1, Arbitraries.just(0L)), Tuple.of(2, amounts));

        Arbitrary<Op> create =
                Combinators.combine(who, newNumbers, openingDeposits).as(Create::new);
        Arbitrary<Op> deposit = Combinators.combine(who, anyChecking, amounts).as(Deposit::new);
        Arbitrary<Op> withdraw = Combinators.combine(who, checking, amounts).as(Withdraw::new);
        Arbitrary<Op> transfer =
                Combinators.combine(who, checking, anyChecking, amounts).as(Transfer::new);
        Arbitrary<Op> applyLoan = Combinators.combine(who, checking, amounts).as(ApplyLoan::new);
        Arbitrary<Op> payLoanCheck = Combinators.combine(who, loans, amounts).as(PayLoanCheck::new);
        Arbitrary<Op> payLoanTransfer =
                Combinators.combine(who, checking, loans, amounts).as(PayLoanTransfer::new);
        return Arbitraries.frequencyOf(
                Tuple.of(2, create),
                Tuple.of(2, deposit),
                Tuple.of(2, withdraw),
                Tuple.of(3, transfer),
                Tuple.of(4, applyLoan),
                Tuple.of(3, payLoanCheck),
                Tuple.of(4, payLoanTransfer));
    }

    /**
     * Mostly small valid amounts, often round ones, so that balances, loan limits and payoffs meet exactly (a
     * withdrawal of the whole balance, a loan up to the limit to the cent); now and then invalid ones.
     */
    private static Arbitrary<Long> amounts() {
        return Arbitraries.frequencyOf(
                Tuple.of(12, Arbitraries.of(100L, 200L, 300L)),
                Tuple.of(12, Arbitraries.longs().between(1, 300)),
                Tuple.of(8, Arbitraries.longs().between(1, 30_000)),
                Tuple.of(1, Arbitraries.longs().between(1, Money.MAX_AMOUNT_CENTS)),
                Tuple.of(
                        1,
                        Arbitraries.of(
                                Money.MAX_AMOUNT_CENTS,
                                Money.MAX_AMOUNT_CENTS + 1,
                                0L,
                                -1L,
                                Long.MIN_VALUE,
                                Long.MAX_VALUE)),
                Tuple.of(1, Arbitraries.longs().between(-Money.MAX_AMOUNT_CENTS, 0)));
    }

    // ---------------------------------------------------------------- operations

    /** One step of a script. Account names may be {@code loan#k}, resolved against the loans booked so far. */
    sealed interface Op permits Create, Deposit, Withdraw, Transfer, ApplyLoan, PayLoanCheck, PayLoanTransfer {
        String user();

        long amountCents();

        /** This operation with every {@code loan#k} replaced by the k-th loan number booked. */
        Op resolve(List<String> bookedLoans);

        Outcome<Transaction> runOn(Ledger ledger);
    }

    record Create(String user, String number, long openingDepositCents) implements Op {
        @Override
        public long amountCents() {
            return openingDepositCents;
        }

        @Override
        public Op resolve(List<String> bookedLoans) {
            return this;
        }

        @Override
        public Outcome<Transaction> runOn(Ledger ledger) {
            return Tellers.createAccount(ledger, caller(user), number, openingDepositCents);
        }
    }

    record Deposit(String user, String account, long amountCents) implements Op {
        @Override
        public Op resolve(List<String> bookedLoans) {
            return new Deposit(user, resolveLoan(account, bookedLoans), amountCents);
        }

        @Override
        public Outcome<Transaction> runOn(Ledger ledger) {
            return Tellers.deposit(ledger, caller(user), account, amountCents);
        }
    }

    record Withdraw(String user, String account, long amountCents) implements Op {
        @Override
        public Op resolve(List<String> bookedLoans) {
            return new Withdraw(user, resolveLoan(account, bookedLoans), amountCents);
        }

        @Override
        public Outcome<Transaction> runOn(Ledger ledger) {
            return Tellers.withdraw(ledger, caller(user), account, amountCents);
        }
    }

    record Transfer(String user, String from, String to, long amountCents) implements Op {
        @Override
        public Op resolve(List<String> bookedLoans) {
            return new Transfer(user, resolveLoan(from, bookedLoans), resolveLoan(to, bookedLoans), amountCents);
        }

        @Override
        public Outcome<Transaction> runOn(Ledger ledger) {
            return Tellers.transfer(ledger, caller(user), from, to, amountCents);
        }
    }

    record ApplyLoan(String user, String checking, long amountCents) implements Op {
        @Override
        public Op resolve(List<String> bookedLoans) {
            return new ApplyLoan(user, resolveLoan(checking, bookedLoans), amountCents);
        }

        @Override
        public Outcome<Transaction> runOn(Ledger ledger) {
            return Tellers.applyLoan(ledger, caller(user), checking, amountCents);
        }
    }

    record PayLoanCheck(String user, String loan, long amountCents) implements Op {
        @Override
        public Op resolve(List<String> bookedLoans) {
            return new PayLoanCheck(user, resolveLoan(loan, bookedLoans), amountCents);
        }

        @Override
        public Outcome<Transaction> runOn(Ledger ledger) {
            return Tellers.payLoanCheck(ledger, caller(user), loan, amountCents);
        }
    }

    record PayLoanTransfer(String user, String from, String loan, long amountCents) implements Op {
        @Override
        public Op resolve(List<String> bookedLoans) {
            return new PayLoanTransfer(
                    user, resolveLoan(from, bookedLoans), resolveLoan(loan, bookedLoans), amountCents);
        }

        @Override
        public Outcome<Transaction> runOn(Ledger ledger) {
            return Tellers.payLoanTransfer(ledger, caller(user), from, loan, amountCents);
        }
    }

    private static Caller caller(String user) {
        return user.equals(AUDITOR) ? Caller.auditor(user) : Caller.customer(user);
    }

    /**
     * {@code loan#k} as the k-th loan number booked, counting round if fewer were booked, or {@link #UNBOOKED_LOAN}
     * if none was; any other name as is. Counting round keeps payments on target in scripts that book one loan.
     */
    private static String resolveLoan(String name, List<String> bookedLoans) {
        if (name == null || !name.startsWith("loan#")) {
            return name;
        }
        int k = Integer.parseInt(name.substring("loan#".length()));
        return bookedLoans.isEmpty() ? UNBOOKED_LOAN : bookedLoans.get(k % bookedLoans.size());
    }

    // ---------------------------------------------------------------- running a script

    /** What a property checks after each operation; {@code op} is resolved, snapshots are of the whole ledger. */
    private interface Step {
        void after(int index, Op op, Outcome<Transaction> outcome, Snapshot before, Snapshot after);
    }

    /** Runs {@code script} on {@code ledger} one operation at a time, with a snapshot before and after each. */
    private static void play(Ledger ledger, List<Op> script, Step step) {
        List<String> bookedLoans = new ArrayList<>();
        Snapshot before = ledger.snapshot();
        assertEquals(0, before.lastSeq(), "a new ledger has no transactions");
        for (int i = 0; i < script.size(); i++) {
            Op op = script.get(i).resolve(bookedLoans);
            Outcome<Transaction> outcome = op.runOn(ledger);
            Snapshot after = ledger.snapshot();
            if (outcome.isOk() && outcome.value().type() == TxType.LOAN) {
                bookedLoans.add(outcome.value().opened());
            }
            step.after(i, op, outcome, before, after);
            before = after;
        }
    }

    private static Map<String, Long> balances(Snapshot snapshot) {
        Map<String, Long> balances = new HashMap<>();
        for (AccountView account : snapshot.accounts()) {
            assertNull(balances.put(account.number(), account.balanceCents()), "account twice in " + snapshot);
        }
        return balances;
    }

    /** Per customer, the sum of -balance over their loan accounts. */
    private static Map<String, Long> outstandingByOwner(Snapshot snapshot) {
        Map<String, Long> owed = new HashMap<>();
        for (AccountView account : snapshot.accounts()) {
            if (account.kind() == AccountKind.LOAN) {
                owed.merge(account.owner(), -account.balanceCents(), Long::sum);
            }
        }
        return owed;
    }

    // ---------------------------------------------------------------- the model

    /**
     * The rules, written out once more, as plainly as possible: customer accounts as maps, the vault shards as
     * one total. Checks run in the order Ledger runs them: caller and amount first, then the account
     * arguments left to right (exists, is the caller's where money leaves it, is of the right kind), then
     * the money (funds, overpayment, limit).
     */
    static final class Model {
        private final long loanLimitCents;
        private final Map<String, AccountKind> kinds = new HashMap<>();
        private final Map<String, String> owners = new HashMap<>();
        private final Map<String, Long> balances = new HashMap<>();
        private long vaultCents;

        Model(long loanLimitCents) {
            this.loanLimitCents = loanLimitCents;
        }

        /** Why the ledger must refuse {@code op}, or {@code null} if it must accept it. */
        ErrorCode expect(Op op) {
            if (op.user().equals(AUDITOR)) {
                return ErrorCode.FORBIDDEN;
            }
            if (op instanceof Create c) {
                if (c.number() == null || !c.number().matches("[0-9]{4,12}")) {
                    return ErrorCode.INVALID_ACCOUNT_NUMBER;
                }
                if (c.openingDepositCents() != 0 && !valid(c.openingDepositCents())) {
                    return ErrorCode.INVALID_AMOUNT;
                }
                return kinds.containsKey(c.number()) ? ErrorCode.DUPLICATE_ACCOUNT : null;
            }
            if (!valid(op.amountCents())) {
                return ErrorCode.INVALID_AMOUNT;
            }
            long amount = op.amountCents();
            if (op instanceof Deposit d) {
                return ofKind(d.account(), AccountKind.CHECKING);
            }
            if (op instanceof Withdraw w) {
                return firstOf(ownChecking(w.user(), w.account()), funds(w.account(), amount));
            }
            if (op instanceof Transfer t) {
                if (t.from() != null && t.from().equals(t.to())) { // null names no account, so not the same one
                    return ErrorCode.SAME_ACCOUNT;
                }
                ErrorCode source = ownChecking(t.user(), t.from());
                if (source != null) {
                    return source;
                }
                return firstOf(ofKind(t.to(), AccountKind.CHECKING), funds(t.from(), amount));
            }
            if (op instanceof ApplyLoan a) {
                ErrorCode target = ownChecking(a.user(), a.checking());
                if (target != null) {
                    return target;
                }
                return outstanding(a.user()) + amount > loanLimitCents ? ErrorCode.LOAN_LIMIT_EXCEEDED : null;
            }
            if (op instanceof PayLoanCheck p) {
                return firstOf(ofKind(p.loan(), AccountKind.LOAN), payoff(p.loan(), amount));
            }
            if (op instanceof PayLoanTransfer p) {
                if (p.from() != null && p.from().equals(p.loan())) {
                    return ErrorCode.SAME_ACCOUNT;
                }
                ErrorCode source = ownChecking(p.user(), p.from());
                if (source != null) {
                    return source;
                }
                ErrorCode target = ofKind(p.loan(), AccountKind.LOAN);
                if (target != null) {
                    return target;
                }
                return firstOf(funds(p.from(), amount), payoff(p.loan(), amount));
            }
            throw new AssertionError("no rule for " + op);
        }

        /** Applies an operation the ledger accepted (and the model expected it to). */
        void commit(Op op, Transaction tx) {
            long amount = op.amountCents();
            if (op instanceof Create c) {
                open(c.number(), AccountKind.CHECKING, c.user(), amount);
                vaultCents -= amount;
            } else if (op instanceof Deposit d) {
                add(d.account(), amount);
                vaultCents -= amount;
            } else if (op instanceof Withdraw w) {
                add(w.account(), -amount);
                vaultCents += amount;
            } else if (op instanceof Transfer t) {
                add(t.from(), -amount);
                add(t.to(), amount);
            } else if (op instanceof ApplyLoan a) {
                assertEquals(TxType.LOAN, tx.type(), "a loan's transaction");
                assertNotNull(tx.opened(), "a loan must open an account");
                assertTrue(
                        !kinds.containsKey(tx.opened()) && !tx.opened().equals(UNBOOKED_LOAN),
                        "loan number " + tx.opened() + " is not fresh");
                open(tx.opened(), AccountKind.LOAN, a.user(), -amount);
                add(a.checking(), amount);
            } else if (op instanceof PayLoanCheck p) {
                add(p.loan(), amount);
                vaultCents -= amount;
            } else if (op instanceof PayLoanTransfer p) {
                add(p.from(), -amount);
                add(p.loan(), amount);
            }
        }

        /** Every customer account of the snapshot is the model's, with its kind, owner and balance; no others. */
        void assertMatches(Snapshot snapshot, String where) {
            Map<String, Long> customerBalances = new HashMap<>();
            long vault = 0;
            for (AccountView account : snapshot.accounts()) {
                if (account.kind() == AccountKind.INTERNAL) {
                    vault += account.balanceCents();
                    continue;
                }
                customerBalances.put(account.number(), account.balanceCents());
                assertEquals(kinds.get(account.number()), account.kind(), where + ": kind of " + account);
                assertEquals(owners.get(account.number()), account.owner(), where + ": owner of " + account);
            }
            assertEquals(balances, customerBalances, where + ": customer balances");
            assertEquals(vaultCents, vault, where + ": vault total");
        }

        private static boolean valid(long amountCents) {
            return amountCents > 0 && amountCents <= Money.MAX_AMOUNT_CENTS;
        }

        private static ErrorCode firstOf(ErrorCode first, ErrorCode second) {
            return first != null ? first : second;
        }

        /** A customer account of {@code kind}: unknown (vault shards included) or of another kind is refused. */
        private ErrorCode ofKind(String number, AccountKind kind) {
            if (!kinds.containsKey(number)) {
                return ErrorCode.UNKNOWN_ACCOUNT;
            }
            return kinds.get(number) == kind ? null : ErrorCode.WRONG_ACCOUNT_KIND;
        }

        /** A checking account money may leave at {@code user}'s request: it must exist and be theirs. */
        private ErrorCode ownChecking(String user, String number) {
            if (!kinds.containsKey(number)) {
                return ErrorCode.UNKNOWN_ACCOUNT;
            }
            if (!owners.get(number).equals(user)) {
                return ErrorCode.FORBIDDEN;
            }
            return ofKind(number, AccountKind.CHECKING);
        }

        /** Null when {@code number} (a known checking account) holds at least {@code amount}. */
        private ErrorCode funds(String number, long amount) {
            return !kinds.containsKey(number) || balances.get(number) >= amount ? null : ErrorCode.INSUFFICIENT_FUNDS;
        }

        /** Null when {@code number} (a known loan) has at least {@code amount} outstanding. */
        private ErrorCode payoff(String number, long amount) {
            return !kinds.containsKey(number) || -balances.get(number) >= amount ? null : ErrorCode.LOAN_OVERPAYMENT;
        }

        private long outstanding(String user) {
            long owed = 0;
            for (Map.Entry<String, AccountKind> account : kinds.entrySet()) {
                if (account.getValue() == AccountKind.LOAN
                        && owners.get(account.getKey()).equals(user)) {
                    owed -= balances.get(account.getKey());
                }
            }
            return owed;
        }

        private void open(String number, AccountKind kind, String owner, long balanceCents) {
            kinds.put(number, kind);
            owners.put(number, owner);
            balances.put(number, balanceCents);
        }

        private void add(String number, long amountCents) {
            balances.merge(number, amountCents, Long::sum);
        }
    }
}
