package com.abcbank.ledger;

import static com.abcbank.ledger.ErrorCode.DUPLICATE_ACCOUNT;
import static com.abcbank.ledger.ErrorCode.FORBIDDEN;
import static com.abcbank.ledger.ErrorCode.INSUFFICIENT_FUNDS;
import static com.abcbank.ledger.ErrorCode.INVALID_ACCOUNT_NUMBER;
import static com.abcbank.ledger.ErrorCode.INVALID_AMOUNT;
import static com.abcbank.ledger.ErrorCode.INVALID_ARGUMENT;
import static com.abcbank.ledger.ErrorCode.LOAN_LIMIT_EXCEEDED;
import static com.abcbank.ledger.ErrorCode.LOAN_OVERPAYMENT;
import static com.abcbank.ledger.ErrorCode.SAME_ACCOUNT;
import static com.abcbank.ledger.ErrorCode.UNKNOWN_ACCOUNT;
import static com.abcbank.ledger.ErrorCode.WRONG_ACCOUNT_KIND;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The ledger's operations, one state at a time (JUnit's {@code TestingAStackDemo}): every success checks
 * balances, postings and sequence numbers; every refusal checks its code and that the books did not move.
 */
class LedgerTest {
    static final Instant T0 = Instant.parse("2024-03-01T09:00:00Z");
    static final Caller ALICE = Caller.customer("alice");
    static final Caller BOB = Caller.customer("bob");
    static final Caller AUDITOR = Caller.auditor("audrey");
    static final String A = "1001";
    static final String B = "2003"; // not on 1001's vault shard (VAULT-00), so vault filters tell them apart
    static final long MAX = Money.MAX_AMOUNT_CENTS;

    TestClock clock;
    Ledger ledger;

    @BeforeEach
    void newLedger() {
        clock = new TestClock(T0);
        ledger = new Ledger(LedgerConfig.defaults(), clock);
    }

    // ---------------------------------------------------------------- helpers

    /** Runs {@code op}, asserts it was refused with {@code expected}, and that the books are exactly as before. */
    Outcome<?> assertRefusedUnchanged(ErrorCode expected, Supplier<Outcome<?>> op) {
        Snapshot before = ledger.snapshot();
        long seqBefore = ledger.lastSeq();
        List<Transaction> journalBefore = journal();
        Outcome<?> outcome = op.get();
        assertFalse(outcome.isOk(), () -> "expected " + expected + ", got " + outcome);
        assertEquals(expected, outcome.error(), outcome::toString);
        assertNotNull(outcome.message());
        assertFalse(outcome.message().isBlank());
        assertEquals(seqBefore, ledger.lastSeq(), "a refusal must not take a sequence number");
        assertEquals(before, ledger.snapshot(), "a refusal must not change any balance or account");
        assertEquals(journalBefore, journal(), "a refusal must not reach the journal");
        return outcome;
    }

    static <T> T ok(Outcome<T> outcome) {
        assertTrue(outcome.isOk(), outcome::toString);
        assertNull(outcome.error());
        assertNull(outcome.message());
        return outcome.value();
    }

    /** The whole journal, read page by page through the auditor's cursor. */
    List<Transaction> journal() {
        List<Transaction> all = new ArrayList<>();
        TransactionQuery query = TransactionQuery.firstPage().limit(TransactionQuery.MAX_LIMIT);
        while (true) {
            Page<Transaction> page = ok(ledger.transactions(AUDITOR, query));
            all.addAll(page.items());
            if (page.next() == null) {
                return all;
            }
            query = query.after(page.next());
        }
    }

    long balanceOf(String number) {
        return ok(ledger.balance(AUDITOR, number)).balanceCents();
    }

    List<HistoryEntry> historyOf(Caller caller, String number) {
        Page<HistoryEntry> page = ok(ledger.history(caller, number, 0, TransactionQuery.MAX_LIMIT));
        assertNull(page.next());
        return page.items();
    }

    static HistoryEntry last(List<HistoryEntry> entries) {
        return entries.get(entries.size() - 1);
    }

    static List<Long> seqs(List<Transaction> txs) {
        return txs.stream().map(Transaction::seq).toList();
    }

    static List<Long> entrySeqs(List<HistoryEntry> entries) {
        return entries.stream().map(HistoryEntry::seq).toList();
    }

    /** Postings sum to zero, and each names the balance its account has right after. */
    void assertBalancedAndCurrent(Transaction tx) {
        assertEquals(0, tx.postings().stream().mapToLong(Posting::amountCents).sum(), "postings must sum to zero");
        if (tx.seq() == ledger.lastSeq()) {
            for (Posting posting : tx.postings()) {
                assertEquals(posting.balanceAfterCents(), balanceOf(posting.account()), posting::toString);
            }
        }
    }

    void assertBooksBalance() {
        Snapshot snapshot = ledger.snapshot();
        assertEquals(0, snapshot.sumCents());
        assertEquals(ledger.lastSeq(), snapshot.lastSeq());
        assertEquals(oneTo(ledger.lastSeq()), seqs(journal()), "sequence numbers 1..n, no gaps");
    }

    static HistoryEntry entry(
            long seq,
            Instant time,
            TxType type,
            String user,
            long amountCents,
            String counterparty,
            long balanceAfterCents) {
        return new HistoryEntry(seq, time, type, user, amountCents, counterparty, balanceAfterCents);
    }

    static List<Long> oneTo(long last) {
        List<Long> list = new ArrayList<>();
        for (long i = 1; i <= last; i++) {
            list.add(i);
        }
        return list;
    }

    /** A clock the test moves by hand: a fixed clock, replaced by an offset of itself to advance or go back. */
    static final class TestClock extends Clock {
        private volatile Clock current;

        TestClock(Instant start) {
            current = Clock.fixed(start, ZoneOffset.UTC);
        }

        void advance(Duration by) {
            current = Clock.offset(current, by);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException("not needed");
        }

        @Override
        public Instant instant() {
            return current.instant();
        }
    }

    // ---------------------------------------------------------------- states

    @Nested
    @DisplayName("an empty bank")
    class EmptyBank {

        @Test
        @DisplayName("has only the vault shards, all at zero, and no transactions")
        void onlyTheVault() {
            Snapshot snapshot = ledger.snapshot();
            assertEquals(0, snapshot.lastSeq());
            assertEquals(0, ledger.lastSeq());
            assertEquals(LedgerConfig.DEFAULT_VAULT_SHARDS, snapshot.accounts().size());
            for (int i = 0; i < snapshot.accounts().size(); i++) {
                AccountView shard = snapshot.accounts().get(i);
                assertEquals(String.format("VAULT-%02d", i), shard.number());
                assertEquals(AccountKind.INTERNAL, shard.kind());
                assertEquals("bank", shard.owner());
                assertNull(shard.created(), "internal accounts have no opening: the same after every restart");
                assertEquals(0, shard.balanceCents());
                assertEquals(0, shard.outstandingCents());
            }
            assertEquals(0, snapshot.sumCents());
            assertEquals(List.of(), journal());
        }

        @Test
        void vaultShardsFollowTheConfig() {
            ledger = new Ledger(LedgerConfig.defaults().withVaultShards(3), clock);
            assertEquals(
                    List.of("VAULT-00", "VAULT-01", "VAULT-02"),
                    ledger.snapshot().accounts().stream()
                            .map(AccountView::number)
                            .toList());
        }

        @Test
        void reportIsAllZeroAndBalanced() {
            Report report = ok(ledger.report(AUDITOR));
            assertEquals(0, report.asOfSeq());
            assertEquals(0, report.transactions());
            assertEquals(0, report.customers());
            assertEquals(0, report.checkingAccounts());
            assertEquals(0, report.checkingTotalCents());
            assertEquals(0, report.loanAccounts());
            assertEquals(0, report.loanOutstandingCents());
            assertEquals(0, report.internalTotalCents());
            assertEquals(
                    LedgerConfig.DEFAULT_VAULT_SHARDS, report.internalAccounts().size());
            assertEquals(0, report.sumCents());
            assertTrue(report.balanced());
        }

        @Test
        void noHolders() {
            assertEquals(List.of(), ok(ledger.holders(AUDITOR)));
        }

        @Test
        void emptyJournalPage() {
            Page<Transaction> page = ok(ledger.transactions(AUDITOR, TransactionQuery.firstPage()));
            assertEquals(List.of(), page.items());
            assertNull(page.next());
        }

        @Test
        @DisplayName("create_account without a deposit: one transaction, no postings, balance 0")
        void createAccountWithoutDeposit() {
            Transaction tx = ok(Tellers.createAccount(ledger, ALICE, A, 0));
            assertEquals(1, tx.seq());
            assertEquals(T0, tx.time());
            assertEquals(TxType.OPEN_ACCOUNT, tx.type());
            assertEquals("alice", tx.user());
            assertEquals(A, tx.opened());
            assertEquals(List.of(), tx.postings());
            assertEquals(0, tx.amountCents());
            assertEquals(1, ledger.lastSeq());

            assertEquals(new AccountView(A, AccountKind.CHECKING, "alice", T0, 0), ok(ledger.balance(ALICE, A)));
            assertEquals(List.of(entry(1, T0, TxType.OPEN_ACCOUNT, "alice", 0, null, 0)), historyOf(ALICE, A));
            assertBooksBalance();
        }

        @Test
        @DisplayName("create_account with a deposit: cash from the vault into the new account")
        void createAccountWithDeposit() {
            Transaction tx = ok(Tellers.createAccount(ledger, ALICE, A, 20_050));
            assertEquals(1, tx.seq());
            assertEquals(TxType.OPEN_ACCOUNT, tx.type());
            assertEquals(A, tx.opened());
            assertEquals(2, tx.postings().size());
            Posting vault = tx.postings().get(0);
            assertTrue(vault.account().startsWith("VAULT-"), vault::toString);
            assertEquals(new Posting(vault.account(), -20_050, -20_050), vault);
            assertEquals(new Posting(A, 20_050, 20_050), tx.postingTo(A));
            assertEquals(20_050, tx.amountCents());
            assertBalancedAndCurrent(tx);

            assertEquals(20_050, ok(ledger.balance(ALICE, A)).balanceCents());
            assertEquals(-20_050, balanceOf(vault.account()));
            assertEquals(
                    List.of(entry(1, T0, TxType.OPEN_ACCOUNT, "alice", 20_050, vault.account(), 20_050)),
                    historyOf(ALICE, A));
            assertBooksBalance();
        }

        @Test
        void createAccountWithTheMaximumDeposit() {
            ok(Tellers.createAccount(ledger, ALICE, A, MAX));
            assertEquals(MAX, balanceOf(A));
            assertBooksBalance();
        }

        @ParameterizedTest(name = "\"{0}\"")
        @ValueSource(strings = {"0000", "1234", "000000000001", "999999999999", "12345678"})
        void accountNumbersOfFourToTwelveDigits(String number) {
            assertEquals(
                    number, ok(Tellers.createAccount(ledger, ALICE, number, 0)).opened());
            assertEquals(number, ok(ledger.balance(ALICE, number)).number());
        }

        @ParameterizedTest(name = "\"{0}\"")
        @NullAndEmptySource
        @ValueSource(
                strings = {
                    "123",
                    "1234567890123",
                    "abcd",
                    "12a4",
                    " 1234",
                    "1234 ",
                    "12 34",
                    "-1234",
                    "+1234",
                    "12.34",
                    "L100001",
                    "VAULT-00",
                    "\u0661\u0662\u0663\u0664",
                    "1234\n"
                })
        void invalidAccountNumbers(String number) {
            assertRefusedUnchanged(INVALID_ACCOUNT_NUMBER, () -> Tellers.createAccount(ledger, ALICE, number, 100));
            assertRefusedUnchanged(INVALID_ACCOUNT_NUMBER, () -> Tellers.createAccount(ledger, ALICE, number, 0));
        }

        @ParameterizedTest(name = "{0} cents")
        @ValueSource(longs = {-1, -100, Long.MIN_VALUE, MAX + 1, Long.MAX_VALUE})
        void invalidOpeningDeposits(long cents) {
            assertRefusedUnchanged(INVALID_AMOUNT, () -> Tellers.createAccount(ledger, ALICE, A, cents));
            assertFalse(ledger.mayRead(ALICE, A), "the refused account must not exist");
        }

        @Test
        void theAuditorHoldsNoAccounts() {
            assertRefusedUnchanged(FORBIDDEN, () -> Tellers.createAccount(ledger, AUDITOR, A, 0));
            assertRefusedUnchanged(FORBIDDEN, () -> Tellers.createAccount(ledger, AUDITOR, A, 100));
        }

        @Test
        @DisplayName("create_account precedence: FORBIDDEN, then INVALID_ACCOUNT_NUMBER, then INVALID_AMOUNT")
        void createAccountPrecedence() {
            assertRefusedUnchanged(FORBIDDEN, () -> Tellers.createAccount(ledger, AUDITOR, "x", -1));
            assertRefusedUnchanged(INVALID_ACCOUNT_NUMBER, () -> Tellers.createAccount(ledger, ALICE, "x", -1));
        }

        @Test
        @DisplayName("every operation on an account that does not exist is UNKNOWN_ACCOUNT")
        void unknownAccounts() {
            assertAll(
                    () -> assertRefusedUnchanged(UNKNOWN_ACCOUNT, () -> Tellers.deposit(ledger, ALICE, A, 100)),
                    () -> assertRefusedUnchanged(UNKNOWN_ACCOUNT, () -> Tellers.withdraw(ledger, ALICE, A, 100)),
                    () -> assertRefusedUnchanged(UNKNOWN_ACCOUNT, () -> Tellers.transfer(ledger, ALICE, A, B, 100)),
                    () -> assertRefusedUnchanged(UNKNOWN_ACCOUNT, () -> Tellers.applyLoan(ledger, ALICE, A, 100)),
                    () -> assertRefusedUnchanged(
                            UNKNOWN_ACCOUNT, () -> Tellers.payLoanCheck(ledger, ALICE, "L100001", 100)),
                    () -> assertRefusedUnchanged(
                            UNKNOWN_ACCOUNT, () -> Tellers.payLoanTransfer(ledger, ALICE, A, "L100001", 100)),
                    () -> assertRefusedUnchanged(UNKNOWN_ACCOUNT, () -> ledger.balance(ALICE, A)),
                    () -> assertRefusedUnchanged(UNKNOWN_ACCOUNT, () -> ledger.balance(AUDITOR, A)),
                    () -> assertRefusedUnchanged(UNKNOWN_ACCOUNT, () -> ledger.history(ALICE, A, 0, 10)),
                    () -> assertRefusedUnchanged(UNKNOWN_ACCOUNT, () -> ledger.history(AUDITOR, A, 0, 10)),
                    () -> assertFalse(ledger.mayRead(AUDITOR, A)),
                    () -> assertFalse(ledger.mayMoveMoneyOut(ALICE, A)));
        }

        @Test
        @DisplayName("the vault is invisible to customers (even one called \"bank\") and readable by the auditor")
        void vaultIsInternal() {
            Caller bank = Caller.customer("bank");
            for (Caller customer : List.of(ALICE, bank)) {
                assertAll(
                        customer.user(),
                        () -> assertRefusedUnchanged(UNKNOWN_ACCOUNT, () -> ledger.balance(customer, "VAULT-00")),
                        () -> assertRefusedUnchanged(UNKNOWN_ACCOUNT, () -> ledger.history(customer, "VAULT-00", 0, 1)),
                        () -> assertRefusedUnchanged(
                                UNKNOWN_ACCOUNT, () -> Tellers.deposit(ledger, customer, "VAULT-00", 1)),
                        () -> assertRefusedUnchanged(
                                UNKNOWN_ACCOUNT, () -> Tellers.withdraw(ledger, customer, "VAULT-00", 1)),
                        () -> assertRefusedUnchanged(
                                UNKNOWN_ACCOUNT, () -> Tellers.applyLoan(ledger, customer, "VAULT-00", 1)),
                        () -> assertRefusedUnchanged(
                                UNKNOWN_ACCOUNT, () -> Tellers.payLoanCheck(ledger, customer, "VAULT-00", 1)),
                        () -> assertFalse(ledger.mayRead(customer, "VAULT-00")),
                        () -> assertFalse(ledger.mayMoveMoneyOut(customer, "VAULT-00")));
            }
            // Vault shards have no creation time: they exist as long as the books do, whenever the server started.
            assertEquals(
                    new AccountView("VAULT-00", AccountKind.INTERNAL, "bank", null, 0),
                    ok(ledger.balance(AUDITOR, "VAULT-00")));
            assertEquals(
                    List.of(), ok(ledger.history(AUDITOR, "VAULT-00", 0, 10)).items());
            assertTrue(ledger.mayRead(AUDITOR, "VAULT-00"));
            assertFalse(ledger.mayMoveMoneyOut(AUDITOR, "VAULT-00"));
        }

        @Test
        @DisplayName("customers may not call the audit views")
        void auditViewsAreForTheAuditor() {
            assertRefusedUnchanged(FORBIDDEN, () -> ledger.holders(ALICE));
            assertRefusedUnchanged(FORBIDDEN, () -> ledger.report(ALICE));
            assertRefusedUnchanged(FORBIDDEN, () -> ledger.transactions(ALICE, TransactionQuery.firstPage()));
        }
    }

    @Nested
    @DisplayName("with Alice (1001: 500.00) and Bob (2003: 100.00)")
    class WithAliceAndBob {
        Transaction aliceOpened;
        Transaction bobOpened;
        String aliceVault;

        @BeforeEach
        void openAccounts() {
            aliceOpened = ok(Tellers.createAccount(ledger, ALICE, A, 50_000));
            bobOpened = ok(Tellers.createAccount(ledger, BOB, B, 10_000));
            aliceVault = aliceOpened.postings().get(0).account();
            assertNotEquals(aliceVault, bobOpened.postings().get(0).account(), "test setup: distinct vault shards");
        }

        @Test
        void openingsAreNumberedOneAndTwo() {
            assertEquals(1, aliceOpened.seq());
            assertEquals(2, bobOpened.seq());
            assertEquals(2, ledger.lastSeq());
            assertEquals(50_000, balanceOf(A));
            assertEquals(10_000, balanceOf(B));
            assertBooksBalance();
        }

        @Test
        @DisplayName("deposit: vault to checking, seq 3")
        void deposit() {
            long vaultBefore = balanceOf(aliceVault);
            Transaction tx = ok(Tellers.deposit(ledger, ALICE, A, 2_550));
            assertEquals(3, tx.seq());
            assertEquals(TxType.DEPOSIT, tx.type());
            assertEquals("alice", tx.user());
            assertNull(tx.opened());
            assertEquals(
                    List.of(new Posting(aliceVault, -2_550, vaultBefore - 2_550), new Posting(A, 2_550, 52_550)),
                    tx.postings(),
                    "a customer account always uses the same vault shard");
            assertBalancedAndCurrent(tx);
            assertEquals(52_550, ok(ledger.balance(ALICE, A)).balanceCents());
            assertEquals(entry(3, T0, TxType.DEPOSIT, "alice", 2_550, aliceVault, 52_550), last(historyOf(ALICE, A)));
            assertBooksBalance();
        }

        @Test
        @DisplayName("deposit into somebody else's account is allowed, and recorded as the depositor's")
        void depositIntoAnotherCustomersAccount() {
            Transaction tx = ok(Tellers.deposit(ledger, ALICE, B, 1_000));
            assertEquals("alice", tx.user());
            assertEquals(11_000, balanceOf(B));
            assertEquals(50_000, balanceOf(A));
            HistoryEntry seenByBob = last(historyOf(BOB, B));
            assertEquals(TxType.DEPOSIT, seenByBob.type());
            assertEquals("alice", seenByBob.user());
            assertEquals(1_000, seenByBob.amountCents());
            assertEquals(11_000, seenByBob.balanceAfterCents());
            assertBooksBalance();
        }

        @Test
        void depositOfTheMaximum() {
            ok(Tellers.deposit(ledger, ALICE, A, MAX));
            assertEquals(50_000 + MAX, balanceOf(A));
            assertBooksBalance();
        }

        @Test
        @DisplayName("withdraw: checking to the same vault shard")
        void withdraw() {
            long vaultBefore = balanceOf(aliceVault);
            Transaction tx = ok(Tellers.withdraw(ledger, ALICE, A, 12_345));
            assertEquals(3, tx.seq());
            assertEquals(TxType.WITHDRAW, tx.type());
            assertEquals(
                    List.of(new Posting(A, -12_345, 37_655), new Posting(aliceVault, 12_345, vaultBefore + 12_345)),
                    tx.postings());
            assertBalancedAndCurrent(tx);
            assertEquals(
                    entry(3, T0, TxType.WITHDRAW, "alice", -12_345, aliceVault, 37_655), last(historyOf(ALICE, A)));
            assertBooksBalance();
        }

        @Test
        void withdrawEverything() {
            ok(Tellers.withdraw(ledger, ALICE, A, 50_000));
            assertEquals(0, balanceOf(A));
            assertRefusedUnchanged(INSUFFICIENT_FUNDS, () -> Tellers.withdraw(ledger, ALICE, A, 1));
            assertBooksBalance();
        }

        @ParameterizedTest(name = "{0} cents from 500.00")
        @ValueSource(longs = {50_001, 100_000, MAX})
        void withdrawMoreThanTheBalance(long cents) {
            Outcome<?> refused =
                    assertRefusedUnchanged(INSUFFICIENT_FUNDS, () -> Tellers.withdraw(ledger, ALICE, A, cents));
            assertTrue(refused.message().contains("500.00"), refused::message);
        }

        @Test
        void withdrawFromAnotherCustomersAccount() {
            assertRefusedUnchanged(FORBIDDEN, () -> Tellers.withdraw(ledger, ALICE, B, 1));
            assertRefusedUnchanged(FORBIDDEN, () -> Tellers.withdraw(ledger, BOB, A, 1));
        }

        @Test
        @DisplayName("transfer: both sides, both statements name the other account")
        void transfer() {
            Transaction tx = ok(Tellers.transfer(ledger, ALICE, A, B, 12_345));
            assertEquals(3, tx.seq());
            assertEquals(TxType.TRANSFER, tx.type());
            assertEquals("alice", tx.user());
            assertEquals(List.of(new Posting(A, -12_345, 37_655), new Posting(B, 12_345, 22_345)), tx.postings());
            assertEquals(12_345, tx.amountCents());
            assertBalancedAndCurrent(tx);
            assertEquals(entry(3, T0, TxType.TRANSFER, "alice", -12_345, B, 37_655), last(historyOf(ALICE, A)));
            assertEquals(entry(3, T0, TxType.TRANSFER, "alice", 12_345, A, 22_345), last(historyOf(BOB, B)));
            assertBooksBalance();
        }

        @Test
        void transferEverythingThenNothingIsLeft() {
            ok(Tellers.transfer(ledger, ALICE, A, B, 50_000));
            assertEquals(0, balanceOf(A));
            assertEquals(60_000, balanceOf(B));
            assertRefusedUnchanged(INSUFFICIENT_FUNDS, () -> Tellers.transfer(ledger, ALICE, A, B, 1));
        }

        @Test
        void transferBetweenTwoOfOnesOwnAccounts() {
            ok(Tellers.createAccount(ledger, ALICE, "1002", 0));
            ok(Tellers.transfer(ledger, ALICE, A, "1002", 100));
            assertEquals(49_900, balanceOf(A));
            assertEquals(100, balanceOf("1002"));
            assertBooksBalance();
        }

        @Test
        void transferRefusals() {
            assertAll(
                    () -> assertRefusedUnchanged(INSUFFICIENT_FUNDS, () -> Tellers.transfer(ledger, BOB, B, A, 10_001)),
                    () -> assertRefusedUnchanged(SAME_ACCOUNT, () -> Tellers.transfer(ledger, ALICE, A, A, 1)),
                    () -> assertRefusedUnchanged(FORBIDDEN, () -> Tellers.transfer(ledger, ALICE, B, A, 1)),
                    () -> assertRefusedUnchanged(UNKNOWN_ACCOUNT, () -> Tellers.transfer(ledger, ALICE, A, "9999", 1)),
                    () -> assertRefusedUnchanged(UNKNOWN_ACCOUNT, () -> Tellers.transfer(ledger, ALICE, "9999", B, 1)),
                    () -> assertRefusedUnchanged(
                            UNKNOWN_ACCOUNT, () -> Tellers.transfer(ledger, ALICE, A, aliceVault, 1)),
                    () -> assertRefusedUnchanged(
                            UNKNOWN_ACCOUNT, () -> Tellers.transfer(ledger, ALICE, aliceVault, A, 1)),
                    () -> assertRefusedUnchanged(UNKNOWN_ACCOUNT, () -> Tellers.transfer(ledger, ALICE, null, A, 1)));
        }

        @ParameterizedTest(name = "{0} cents")
        @ValueSource(longs = {0, -1, -100, Long.MIN_VALUE, MAX + 1, Long.MAX_VALUE})
        @DisplayName("every money movement refuses an invalid amount")
        void invalidAmounts(long cents) {
            assertAll(
                    () -> assertRefusedUnchanged(INVALID_AMOUNT, () -> Tellers.deposit(ledger, ALICE, A, cents)),
                    () -> assertRefusedUnchanged(INVALID_AMOUNT, () -> Tellers.withdraw(ledger, ALICE, A, cents)),
                    () -> assertRefusedUnchanged(INVALID_AMOUNT, () -> Tellers.transfer(ledger, ALICE, A, B, cents)),
                    () -> assertRefusedUnchanged(INVALID_AMOUNT, () -> Tellers.applyLoan(ledger, ALICE, A, cents)),
                    () -> assertRefusedUnchanged(
                            INVALID_AMOUNT, () -> Tellers.payLoanCheck(ledger, ALICE, "L100001", cents)),
                    () -> assertRefusedUnchanged(
                            INVALID_AMOUNT, () -> Tellers.payLoanTransfer(ledger, ALICE, A, "L100001", cents)));
        }

        @Test
        @DisplayName("the auditor moves no money, not even into an account")
        void auditorMovesNoMoney() {
            assertAll(
                    () -> assertRefusedUnchanged(FORBIDDEN, () -> Tellers.deposit(ledger, AUDITOR, A, 100)),
                    () -> assertRefusedUnchanged(FORBIDDEN, () -> Tellers.withdraw(ledger, AUDITOR, A, 100)),
                    () -> assertRefusedUnchanged(FORBIDDEN, () -> Tellers.transfer(ledger, AUDITOR, A, B, 100)),
                    () -> assertRefusedUnchanged(FORBIDDEN, () -> Tellers.applyLoan(ledger, AUDITOR, A, 100)),
                    () -> assertRefusedUnchanged(
                            FORBIDDEN, () -> Tellers.payLoanCheck(ledger, AUDITOR, "L100001", 100)),
                    () -> assertRefusedUnchanged(
                            FORBIDDEN, () -> Tellers.payLoanTransfer(ledger, AUDITOR, A, "L100001", 100)),
                    () -> assertRefusedUnchanged(FORBIDDEN, () -> Tellers.createAccount(ledger, AUDITOR, "3003", 0)));
        }

        @Test
        @DisplayName("an auditor named like a customer is still the auditor")
        void auditorNamedLikeACustomer() {
            Caller impostor = Caller.auditor("alice");
            assertRefusedUnchanged(FORBIDDEN, () -> Tellers.withdraw(ledger, impostor, A, 100));
            assertFalse(ledger.mayMoveMoneyOut(impostor, A));
            assertTrue(ledger.mayRead(impostor, B));
        }

        @Test
        @DisplayName("a number is taken by whoever opened it first")
        void duplicateAccounts() {
            assertRefusedUnchanged(DUPLICATE_ACCOUNT, () -> Tellers.createAccount(ledger, ALICE, A, 0));
            assertRefusedUnchanged(DUPLICATE_ACCOUNT, () -> Tellers.createAccount(ledger, ALICE, A, 100));
            assertRefusedUnchanged(DUPLICATE_ACCOUNT, () -> Tellers.createAccount(ledger, BOB, A, 100));
            assertEquals("alice", ok(ledger.balance(AUDITOR, A)).owner());
        }

        @Test
        void balanceReads() {
            assertEquals(new AccountView(A, AccountKind.CHECKING, "alice", T0, 50_000), ok(ledger.balance(ALICE, A)));
            assertEquals(new AccountView(B, AccountKind.CHECKING, "bob", T0, 10_000), ok(ledger.balance(AUDITOR, B)));
            assertEquals(0, ok(ledger.balance(ALICE, A)).outstandingCents());
            assertRefusedUnchanged(FORBIDDEN, () -> ledger.balance(ALICE, B));
            assertRefusedUnchanged(FORBIDDEN, () -> ledger.history(BOB, A, 0, 10));
            assertRefusedUnchanged(UNKNOWN_ACCOUNT, () -> ledger.balance(ALICE, "9999"));
            assertRefusedUnchanged(UNKNOWN_ACCOUNT, () -> ledger.balance(ALICE, null));
            assertRefusedUnchanged(UNKNOWN_ACCOUNT, () -> ledger.history(ALICE, null, 0, 10));
        }

        @Test
        void authorization() {
            assertAll(
                    () -> assertTrue(ledger.mayMoveMoneyOut(ALICE, A)),
                    () -> assertFalse(ledger.mayMoveMoneyOut(ALICE, B)),
                    () -> assertFalse(ledger.mayMoveMoneyOut(BOB, A)),
                    () -> assertFalse(ledger.mayMoveMoneyOut(AUDITOR, A)),
                    () -> assertFalse(ledger.mayMoveMoneyOut(ALICE, "9999")),
                    () -> assertFalse(ledger.mayMoveMoneyOut(ALICE, aliceVault)),
                    () -> assertTrue(ledger.mayRead(ALICE, A)),
                    () -> assertFalse(ledger.mayRead(ALICE, B)),
                    () -> assertTrue(ledger.mayRead(BOB, B)),
                    () -> assertTrue(ledger.mayRead(AUDITOR, A)),
                    () -> assertTrue(ledger.mayRead(AUDITOR, aliceVault)),
                    () -> assertFalse(ledger.mayRead(ALICE, aliceVault)),
                    () -> assertFalse(ledger.mayRead(AUDITOR, "9999")));
        }

        @Test
        void holders() {
            ok(Tellers.createAccount(ledger, ALICE, "0999", 0));
            assertEquals(
                    List.of(
                            new Holder(
                                    "alice",
                                    List.of(
                                            new AccountView("0999", AccountKind.CHECKING, "alice", T0, 0),
                                            new AccountView(A, AccountKind.CHECKING, "alice", T0, 50_000))),
                            new Holder("bob", List.of(new AccountView(B, AccountKind.CHECKING, "bob", T0, 10_000)))),
                    ok(ledger.holders(AUDITOR)));
        }

        @Test
        void report() {
            ok(Tellers.transfer(ledger, ALICE, A, B, 5_000));
            Report report = ok(ledger.report(AUDITOR));
            assertEquals(3, report.asOfSeq());
            assertEquals(3, report.transactions());
            assertEquals(2, report.customers());
            assertEquals(2, report.checkingAccounts());
            assertEquals(60_000, report.checkingTotalCents());
            assertEquals(0, report.loanAccounts());
            assertEquals(0, report.loanOutstandingCents());
            assertEquals(-60_000, report.internalTotalCents());
            assertEquals(
                    -60_000,
                    report.internalAccounts().stream()
                            .mapToLong(AccountView::balanceCents)
                            .sum());
            assertTrue(report.internalAccounts().stream().allMatch(a -> a.kind() == AccountKind.INTERNAL));
            assertEquals(0, report.sumCents());
            assertTrue(report.balanced());
        }

        @Test
        @DisplayName("a snapshot is a copy: later transactions do not change it")
        void snapshotIsACopy() {
            Snapshot before = ledger.snapshot();
            ok(Tellers.deposit(ledger, ALICE, A, 1));
            Snapshot after = ledger.snapshot();
            assertEquals(2, before.lastSeq());
            assertEquals(3, after.lastSeq());
            assertNotEquals(before, after);
            AccountView aliceBefore = before.accounts().stream()
                    .filter(a -> a.number().equals(A))
                    .findFirst()
                    .orElseThrow();
            assertEquals(50_000, aliceBefore.balanceCents());
            assertEquals(0, before.sumCents());
            assertEquals(0, after.sumCents());
            List<String> order =
                    after.accounts().stream().map(AccountView::number).toList();
            assertEquals(
                    List.of(A, B),
                    order.subList(LedgerConfig.DEFAULT_VAULT_SHARDS, order.size()),
                    "accounts in creation order, after the vault");
        }

        @Test
        @DisplayName("refusals in between leave no gap in the sequence")
        void sequenceHasNoGaps() {
            ok(Tellers.deposit(ledger, ALICE, A, 1));
            assertRefusedUnchanged(INSUFFICIENT_FUNDS, () -> Tellers.withdraw(ledger, BOB, B, 1_000_000));
            ok(Tellers.transfer(ledger, BOB, B, A, 1));
            assertRefusedUnchanged(DUPLICATE_ACCOUNT, () -> Tellers.createAccount(ledger, BOB, B, 0));
            Transaction opened = ok(Tellers.createAccount(ledger, BOB, "2004", 0));
            assertRefusedUnchanged(INVALID_AMOUNT, () -> Tellers.deposit(ledger, BOB, B, 0));
            Transaction loan = ok(Tellers.applyLoan(ledger, BOB, B, 100));
            assertEquals(5, opened.seq());
            assertEquals(6, loan.seq());
            assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), seqs(journal()));
            assertBooksBalance();
        }

        @Nested
        @DisplayName("history paging (Alice's statement has seqs 1, 3, 5, 7)")
        class HistoryPaging {
            @BeforeEach
            void interleave() {
                ok(Tellers.deposit(ledger, ALICE, A, 100)); // 3
                ok(Tellers.deposit(ledger, BOB, B, 1)); // 4
                ok(Tellers.deposit(ledger, ALICE, A, 200)); // 5
                ok(Tellers.deposit(ledger, BOB, B, 2)); // 6
                ok(Tellers.deposit(ledger, ALICE, A, 300)); // 7
            }

            @ParameterizedTest(name = "after {0}, limit {1}: {2}, next {3}")
            @CsvSource(delimiter = '|', nullValues = "null", textBlock = """
                    0    | 2    | 1 3     | 3
                    3    | 2    | 5 7     | null
                    0    | 3    | 1 3 5   | 5
                    0    | 4    | 1 3 5 7 | null
                    0    | 1000 | 1 3 5 7 | null
                    2    | 2    | 3 5     | 5
                    1    | 1    | 3       | 3
                    5    | 1    | 7       | null
                    7    | 10   |         | null
                    1000 | 1    |         | null
                    """)
            void pages(long after, int limit, String expectedSeqs, Long expectedNext) {
                Page<HistoryEntry> page = ok(ledger.history(ALICE, A, after, limit));
                assertEquals(parseSeqs(expectedSeqs), entrySeqs(page.items()));
                assertEquals(expectedNext, page.next());
            }

            @Test
            @DisplayName("following the cursor visits every entry once, with running balances")
            void walkTheStatement() {
                List<HistoryEntry> all = new ArrayList<>();
                long cursor = 0;
                Page<HistoryEntry> page;
                do {
                    page = ok(ledger.history(ALICE, A, cursor, 1));
                    all.addAll(page.items());
                    cursor = page.next() == null ? -1 : page.next();
                } while (page.next() != null);
                assertEquals(
                        List.of(
                                entry(1, T0, TxType.OPEN_ACCOUNT, "alice", 50_000, aliceVault, 50_000),
                                entry(3, T0, TxType.DEPOSIT, "alice", 100, aliceVault, 50_100),
                                entry(5, T0, TxType.DEPOSIT, "alice", 200, aliceVault, 50_300),
                                entry(7, T0, TxType.DEPOSIT, "alice", 300, aliceVault, 50_600)),
                        all);
            }

            @ParameterizedTest(name = "after {0}, limit {1}")
            @CsvSource({
                "-1, 10",
                "0, 0",
                "0, -1",
                "0, 1001",
                "-1, 0",
                "0, 2147483647",
                "0, -2147483648",
                "-9223372036854775808, 10"
            })
            void badPageArguments(long after, int limit) {
                assertRefusedUnchanged(INVALID_ARGUMENT, () -> ledger.history(ALICE, A, after, limit));
                assertRefusedUnchanged(INVALID_ARGUMENT, () -> ledger.history(AUDITOR, A, after, limit));
                // INVALID_ARGUMENT comes before looking the account up: it reveals nothing about it.
                assertRefusedUnchanged(INVALID_ARGUMENT, () -> ledger.history(ALICE, "9999", after, limit));
                assertRefusedUnchanged(INVALID_ARGUMENT, () -> ledger.history(ALICE, B, after, limit));
            }

            @Test
            void pageLimitEdgesAreAccepted() {
                assertEquals(1, ok(ledger.history(ALICE, A, 0, 1)).items().size());
                assertEquals(
                        4,
                        ok(ledger.history(ALICE, A, 0, TransactionQuery.MAX_LIMIT))
                                .items()
                                .size());
            }
        }

        @Nested
        @DisplayName("the auditor's journal (seqs 1..7: Alice 1,3,5,7 and Bob 2,4,6)")
        class Journal {
            @BeforeEach
            void interleave() {
                ok(Tellers.deposit(ledger, ALICE, A, 100)); // 3
                ok(Tellers.deposit(ledger, BOB, B, 1)); // 4
                ok(Tellers.deposit(ledger, ALICE, A, 200)); // 5
                ok(Tellers.transfer(ledger, BOB, B, A, 2)); // 6 touches both, asked by Bob
                ok(Tellers.deposit(ledger, ALICE, A, 300)); // 7
            }

            @ParameterizedTest(name = "after {0}, limit {1}: {2}, next {3}")
            @CsvSource(delimiter = '|', nullValues = "null", textBlock = """
                    0 | 3    | 1 2 3         | 3
                    3 | 3    | 4 5 6         | 6
                    6 | 3    | 7             | null
                    0 | 7    | 1 2 3 4 5 6 7 | null
                    0 | 1000 | 1 2 3 4 5 6 7 | null
                    5 | 1    | 6             | 6
                    7 | 1    |               | null
                    8 | 1    |               | null
                    """)
            void pages(long after, int limit, String expectedSeqs, Long expectedNext) {
                Page<Transaction> page = ok(ledger.transactions(
                        AUDITOR, TransactionQuery.firstPage().after(after).limit(limit)));
                assertEquals(parseSeqs(expectedSeqs), seqs(page.items()));
                assertEquals(expectedNext, page.next());
            }

            @Test
            void byAccount() {
                assertEquals(
                        List.of(1L, 3L, 5L, 6L, 7L),
                        seqs(filtered(TransactionQuery.firstPage().account(A))));
                assertEquals(
                        List.of(2L, 4L, 6L),
                        seqs(filtered(TransactionQuery.firstPage().account(B))));
                assertEquals(
                        List.of(), seqs(filtered(TransactionQuery.firstPage().account("9999"))));
                assertEquals(
                        List.of(1L, 3L, 5L, 7L),
                        seqs(filtered(TransactionQuery.firstPage().account(aliceVault))));
            }

            @Test
            void byUser() {
                assertEquals(
                        List.of(1L, 3L, 5L, 7L),
                        seqs(filtered(TransactionQuery.firstPage().user("alice"))));
                assertEquals(
                        List.of(2L, 4L, 6L),
                        seqs(filtered(TransactionQuery.firstPage().user("bob"))));
                assertEquals(
                        List.of(6L),
                        seqs(filtered(TransactionQuery.firstPage().user("bob").account(A))));
                assertEquals(
                        List.of(), seqs(filtered(TransactionQuery.firstPage().user("audrey"))));
            }

            @Test
            @DisplayName("a filtered page of 2 by account 1001: cursor after the 2nd match, then the rest")
            void filteredPaging() {
                Page<Transaction> first = ok(ledger.transactions(
                        AUDITOR, TransactionQuery.firstPage().account(A).limit(2)));
                assertEquals(List.of(1L, 3L), seqs(first.items()));
                assertEquals(3L, first.next());
                Page<Transaction> second = ok(ledger.transactions(
                        AUDITOR,
                        TransactionQuery.firstPage().account(A).limit(2).after(first.next())));
                assertEquals(List.of(5L, 6L), seqs(second.items()));
                assertEquals(6L, second.next());
                Page<Transaction> third = ok(ledger.transactions(
                        AUDITOR,
                        TransactionQuery.firstPage().account(A).limit(2).after(second.next())));
                assertEquals(List.of(7L), seqs(third.items()));
                assertNull(third.next());
            }

            @Test
            @DisplayName(
                    "a full filtered page points on even when no later transaction matches; the next page is empty")
            void fullFilteredPageMayPointToAnEmptyOne() {
                Page<Transaction> first = ok(ledger.transactions(
                        AUDITOR, TransactionQuery.firstPage().user("bob").limit(3)));
                assertEquals(List.of(2L, 4L, 6L), seqs(first.items()));
                assertEquals(6L, first.next(), "seq 7 is committed after it, so the page did not reach the end");
                Page<Transaction> second = ok(ledger.transactions(
                        AUDITOR,
                        TransactionQuery.firstPage().user("bob").limit(3).after(first.next())));
                assertEquals(List.of(), second.items());
                assertNull(second.next());
            }

            /** Every match, following the cursor with a small page so the filter meets page ends. */
            List<Transaction> filtered(TransactionQuery query) {
                List<Transaction> all = new ArrayList<>();
                TransactionQuery q = query.limit(2);
                for (int pages = 0; pages < 20; pages++) {
                    Page<Transaction> page = ok(ledger.transactions(AUDITOR, q));
                    all.addAll(page.items());
                    if (page.next() == null) {
                        return all;
                    }
                    q = q.after(page.next());
                }
                throw new AssertionError("cursor did not reach the end in 20 pages");
            }

            @ParameterizedTest(name = "after {0}, limit {1}")
            @CsvSource({"-1, 10", "0, 0", "0, -1", "0, 1001", "0, 2147483647", "-9223372036854775808, 1"})
            void badPageArguments(long after, int limit) {
                assertRefusedUnchanged(
                        INVALID_ARGUMENT,
                        () -> ledger.transactions(
                                AUDITOR,
                                TransactionQuery.firstPage().after(after).limit(limit)));
                // The customer learns only that the view is not theirs.
                assertRefusedUnchanged(
                        FORBIDDEN,
                        () -> ledger.transactions(
                                ALICE, TransactionQuery.firstPage().after(after).limit(limit)));
            }
        }

        @Nested
        @DisplayName("loans")
        class Loans {
            @Test
            @DisplayName("apply_loan opens L100001 and pays the principal into checking")
            void applyLoan() {
                Transaction tx = ok(Tellers.applyLoan(ledger, ALICE, A, 150_000));
                assertEquals(3, tx.seq());
                assertEquals(TxType.LOAN, tx.type());
                assertEquals("alice", tx.user());
                assertEquals("L100001", tx.opened());
                assertEquals(
                        List.of(new Posting("L100001", -150_000, -150_000), new Posting(A, 150_000, 200_000)),
                        tx.postings());
                assertBalancedAndCurrent(tx);
                AccountView loan = ok(ledger.balance(ALICE, "L100001"));
                assertEquals(new AccountView("L100001", AccountKind.LOAN, "alice", T0, -150_000), loan);
                assertEquals(150_000, loan.outstandingCents());
                assertEquals(200_000, balanceOf(A));
                assertEquals(
                        List.of(entry(3, T0, TxType.LOAN, "alice", -150_000, A, -150_000)),
                        historyOf(ALICE, "L100001"));
                assertEquals(
                        entry(3, T0, TxType.LOAN, "alice", 150_000, "L100001", 200_000), last(historyOf(ALICE, A)));
                assertEquals("L100002", ok(Tellers.applyLoan(ledger, BOB, B, 1)).opened());
                assertBooksBalance();
            }

            @Test
            @DisplayName("up to the default limit of 50,000.00, not a cent more")
            void defaultLimit() {
                assertRefusedUnchanged(
                        LOAN_LIMIT_EXCEEDED,
                        () -> Tellers.applyLoan(ledger, ALICE, A, LedgerConfig.DEFAULT_LOAN_LIMIT_CENTS + 1));
                ok(Tellers.applyLoan(ledger, ALICE, A, LedgerConfig.DEFAULT_LOAN_LIMIT_CENTS));
                assertRefusedUnchanged(LOAN_LIMIT_EXCEEDED, () -> Tellers.applyLoan(ledger, ALICE, A, 1));
            }

            @Test
            void aZeroLimitRefusesEveryLoan() {
                ledger = new Ledger(LedgerConfig.defaults().withLoanLimitCents(0), clock);
                ok(Tellers.createAccount(ledger, ALICE, A, 0));
                assertRefusedUnchanged(LOAN_LIMIT_EXCEEDED, () -> Tellers.applyLoan(ledger, ALICE, A, 1));
            }

            @Test
            void intoSomebodyElsesAccountOrNowhere() {
                assertRefusedUnchanged(FORBIDDEN, () -> Tellers.applyLoan(ledger, ALICE, B, 100));
                assertRefusedUnchanged(UNKNOWN_ACCOUNT, () -> Tellers.applyLoan(ledger, ALICE, "9999", 100));
                assertRefusedUnchanged(UNKNOWN_ACCOUNT, () -> Tellers.applyLoan(ledger, ALICE, null, 100));
            }
        }

        @Nested
        @DisplayName("null account numbers are unknown accounts, never an exception")
        class NullAccountNumbers {
            @Test
            void createAccount() {
                assertRefusedUnchanged(INVALID_ACCOUNT_NUMBER, () -> Tellers.createAccount(ledger, ALICE, null, 0));
            }

            @Test
            void depositIntoNull() {
                assertRefusedUnchanged(UNKNOWN_ACCOUNT, () -> Tellers.deposit(ledger, ALICE, null, 100));
            }

            @Test
            void withdrawFromNull() {
                assertRefusedUnchanged(UNKNOWN_ACCOUNT, () -> Tellers.withdraw(ledger, ALICE, null, 100));
            }

            @Test
            void transferFromNull() {
                assertRefusedUnchanged(UNKNOWN_ACCOUNT, () -> Tellers.transfer(ledger, ALICE, null, B, 100));
                assertRefusedUnchanged(UNKNOWN_ACCOUNT, () -> Tellers.transfer(ledger, ALICE, null, null, 100));
            }

            @Test
            void transferToNull() {
                assertRefusedUnchanged(UNKNOWN_ACCOUNT, () -> Tellers.transfer(ledger, ALICE, A, null, 100));
            }

            @Test
            void loans() {
                assertRefusedUnchanged(UNKNOWN_ACCOUNT, () -> Tellers.payLoanCheck(ledger, ALICE, null, 100));
                assertRefusedUnchanged(
                        UNKNOWN_ACCOUNT, () -> Tellers.payLoanTransfer(ledger, ALICE, null, "L100001", 100));
                assertRefusedUnchanged(UNKNOWN_ACCOUNT, () -> Tellers.payLoanTransfer(ledger, ALICE, A, null, 100));
            }

            @Test
            void mayReadNull() {
                assertFalse(ledger.mayRead(ALICE, null));
                assertFalse(ledger.mayRead(AUDITOR, null));
            }

            @Test
            void mayMoveMoneyOutOfNull() {
                assertFalse(ledger.mayMoveMoneyOut(ALICE, null));
            }
        }

        @Nested
        @DisplayName("error precedence")
        class Precedence {
            @Test
            @DisplayName("FORBIDDEN (auditor) before INVALID_AMOUNT")
            void auditorBeforeAmount() {
                assertRefusedUnchanged(FORBIDDEN, () -> Tellers.deposit(ledger, AUDITOR, "9999", 0));
                assertRefusedUnchanged(FORBIDDEN, () -> Tellers.transfer(ledger, AUDITOR, A, A, -1));
            }

            @Test
            @DisplayName("INVALID_AMOUNT before anything about the accounts")
            void amountBeforeAccounts() {
                assertRefusedUnchanged(INVALID_AMOUNT, () -> Tellers.deposit(ledger, ALICE, "9999", 0));
                assertRefusedUnchanged(INVALID_AMOUNT, () -> Tellers.withdraw(ledger, ALICE, B, 0));
                assertRefusedUnchanged(INVALID_AMOUNT, () -> Tellers.transfer(ledger, ALICE, A, A, 0));
            }

            @Test
            @DisplayName("SAME_ACCOUNT before looking the account up, even for a number nobody holds")
            void sameAccountFirst() {
                assertRefusedUnchanged(SAME_ACCOUNT, () -> Tellers.transfer(ledger, ALICE, "9999", "9999", 1));
                assertRefusedUnchanged(SAME_ACCOUNT, () -> Tellers.transfer(ledger, ALICE, B, B, 1));
            }

            @Test
            @DisplayName("the source is checked before the target")
            void sourceBeforeTarget() {
                assertRefusedUnchanged(FORBIDDEN, () -> Tellers.transfer(ledger, ALICE, B, "9999", 1));
                assertRefusedUnchanged(UNKNOWN_ACCOUNT, () -> Tellers.transfer(ledger, ALICE, "9999", B, 1));
            }

            @Test
            @DisplayName("create_account: INVALID_ACCOUNT_NUMBER, then INVALID_AMOUNT, then DUPLICATE_ACCOUNT")
            void amountBeforeDuplicate() {
                assertRefusedUnchanged(INVALID_AMOUNT, () -> Tellers.createAccount(ledger, ALICE, A, -1));
                assertRefusedUnchanged(INVALID_ACCOUNT_NUMBER, () -> Tellers.createAccount(ledger, ALICE, "12", -1));
            }

            @Test
            @DisplayName("the target is looked up before the source's funds are checked")
            void targetBeforeFunds() {
                assertRefusedUnchanged(UNKNOWN_ACCOUNT, () -> Tellers.transfer(ledger, BOB, B, "9999", 1_000_000));
            }
        }
    }

    @Nested
    @DisplayName("with Alice's loan L100001 of 1,500.00 under a limit of 2,000.00")
    class WithALoan {
        static final String LOAN = "L100001";
        static final long LIMIT = 200_000;

        @BeforeEach
        void borrow() {
            ledger = new Ledger(LedgerConfig.defaults().withLoanLimitCents(LIMIT), clock);
            ok(Tellers.createAccount(ledger, ALICE, A, 50_000)); // 1
            ok(Tellers.createAccount(ledger, BOB, B, 10_000)); // 2
            assertEquals(LOAN, ok(Tellers.applyLoan(ledger, ALICE, A, 150_000)).opened()); // 3
        }

        @Test
        void theLoanIsOnTheBooks() {
            AccountView loan = ok(ledger.balance(ALICE, LOAN));
            assertEquals(150_000, loan.outstandingCents());
            assertEquals(-150_000, loan.balanceCents());
            assertEquals(200_000, balanceOf(A));
            assertEquals(150_000, ok(ledger.balance(AUDITOR, LOAN)).outstandingCents());
            assertRefusedUnchanged(FORBIDDEN, () -> ledger.balance(BOB, LOAN));
            assertRefusedUnchanged(FORBIDDEN, () -> ledger.history(BOB, LOAN, 0, 10));
            assertBooksBalance();
        }

        @Test
        void holdersIncludeTheLoan() {
            assertEquals(
                    List.of(
                            new Holder(
                                    "alice",
                                    List.of(
                                            new AccountView(A, AccountKind.CHECKING, "alice", T0, 200_000),
                                            new AccountView(LOAN, AccountKind.LOAN, "alice", T0, -150_000))),
                            new Holder("bob", List.of(new AccountView(B, AccountKind.CHECKING, "bob", T0, 10_000)))),
                    ok(ledger.holders(AUDITOR)));
        }

        @Test
        void reportCountsTheLoan() {
            Report report = ok(ledger.report(AUDITOR));
            assertEquals(3, report.asOfSeq());
            assertEquals(2, report.customers());
            assertEquals(2, report.checkingAccounts());
            assertEquals(210_000, report.checkingTotalCents());
            assertEquals(1, report.loanAccounts());
            assertEquals(150_000, report.loanOutstandingCents());
            assertEquals(-60_000, report.internalTotalCents());
            assertEquals(0, report.sumCents());
            assertTrue(report.balanced());
        }

        @Test
        @DisplayName("deposit, withdraw, transfer and apply_loan want a checking account")
        void wrongKinds() {
            assertAll(
                    () -> assertRefusedUnchanged(WRONG_ACCOUNT_KIND, () -> Tellers.deposit(ledger, ALICE, LOAN, 100)),
                    () -> assertRefusedUnchanged(WRONG_ACCOUNT_KIND, () -> Tellers.deposit(ledger, BOB, LOAN, 100)),
                    () -> assertRefusedUnchanged(WRONG_ACCOUNT_KIND, () -> Tellers.withdraw(ledger, ALICE, LOAN, 100)),
                    () -> assertRefusedUnchanged(
                            WRONG_ACCOUNT_KIND, () -> Tellers.transfer(ledger, ALICE, LOAN, B, 100)),
                    () -> assertRefusedUnchanged(
                            WRONG_ACCOUNT_KIND, () -> Tellers.transfer(ledger, ALICE, A, LOAN, 100)),
                    () -> assertRefusedUnchanged(
                            WRONG_ACCOUNT_KIND, () -> Tellers.applyLoan(ledger, ALICE, LOAN, 100)));
        }

        @Test
        @DisplayName("paying a checking account as if it were a loan is WRONG_ACCOUNT_KIND")
        void payingACheckingAccount() {
            assertRefusedUnchanged(WRONG_ACCOUNT_KIND, () -> Tellers.payLoanCheck(ledger, ALICE, A, 100));
            assertRefusedUnchanged(WRONG_ACCOUNT_KIND, () -> Tellers.payLoanCheck(ledger, ALICE, B, 100));
            assertRefusedUnchanged(WRONG_ACCOUNT_KIND, () -> Tellers.payLoanTransfer(ledger, ALICE, A, B, 100));
        }

        @Test
        @DisplayName("paying from a loan is WRONG_ACCOUNT_KIND; from itself SAME_ACCOUNT")
        void payingFromALoan() {
            String second = ok(Tellers.applyLoan(ledger, ALICE, A, 10_000)).opened();
            assertEquals("L100002", second);
            assertRefusedUnchanged(WRONG_ACCOUNT_KIND, () -> Tellers.payLoanTransfer(ledger, ALICE, LOAN, second, 100));
            assertRefusedUnchanged(SAME_ACCOUNT, () -> Tellers.payLoanTransfer(ledger, ALICE, LOAN, LOAN, 100));
            assertRefusedUnchanged(SAME_ACCOUNT, () -> Tellers.payLoanTransfer(ledger, ALICE, A, A, 100));
        }

        @Test
        @DisplayName("ownership is checked before kind: Bob gets FORBIDDEN on Alice's loan, not WRONG_ACCOUNT_KIND")
        void ownershipBeforeKind() {
            assertRefusedUnchanged(FORBIDDEN, () -> Tellers.withdraw(ledger, BOB, LOAN, 100));
            assertRefusedUnchanged(FORBIDDEN, () -> Tellers.transfer(ledger, BOB, LOAN, B, 100));
            assertRefusedUnchanged(FORBIDDEN, () -> Tellers.payLoanTransfer(ledger, BOB, A, LOAN, 100));
            assertRefusedUnchanged(FORBIDDEN, () -> Tellers.applyLoan(ledger, BOB, LOAN, 100));
        }

        @Test
        void unknownLoans() {
            assertRefusedUnchanged(UNKNOWN_ACCOUNT, () -> Tellers.payLoanCheck(ledger, ALICE, "L999999", 100));
            assertRefusedUnchanged(UNKNOWN_ACCOUNT, () -> Tellers.payLoanCheck(ledger, ALICE, "VAULT-00", 100));
            assertRefusedUnchanged(UNKNOWN_ACCOUNT, () -> Tellers.payLoanTransfer(ledger, ALICE, A, "L999999", 100));
            assertRefusedUnchanged(UNKNOWN_ACCOUNT, () -> Tellers.payLoanTransfer(ledger, ALICE, A, "VAULT-00", 100));
            assertRefusedUnchanged(UNKNOWN_ACCOUNT, () -> Tellers.payLoanTransfer(ledger, ALICE, "9999", LOAN, 100));
        }

        @Test
        @DisplayName("pay_loan_check: from the vault, outstanding goes down")
        void payByCheck() {
            Transaction tx = ok(Tellers.payLoanCheck(ledger, ALICE, LOAN, 30_000));
            assertEquals(4, tx.seq());
            assertEquals(TxType.LOAN_PAYMENT_CHECK, tx.type());
            assertEquals(2, tx.postings().size());
            Posting vault = tx.postings().get(0);
            assertTrue(vault.account().startsWith("VAULT-"), vault::toString);
            assertEquals(-30_000, vault.amountCents());
            assertEquals(new Posting(LOAN, 30_000, -120_000), tx.postingTo(LOAN));
            assertBalancedAndCurrent(tx);
            assertEquals(120_000, ok(ledger.balance(ALICE, LOAN)).outstandingCents());
            assertEquals(200_000, balanceOf(A), "a check does not touch checking");
            assertEquals(
                    entry(4, T0, TxType.LOAN_PAYMENT_CHECK, "alice", 30_000, vault.account(), -120_000),
                    last(historyOf(ALICE, LOAN)));
            assertBooksBalance();
        }

        @Test
        @DisplayName("pay_loan_transfer: from checking, outstanding goes down")
        void payByTransfer() {
            Transaction tx = ok(Tellers.payLoanTransfer(ledger, ALICE, A, LOAN, 30_000));
            assertEquals(4, tx.seq());
            assertEquals(TxType.LOAN_PAYMENT_TRANSFER, tx.type());
            assertEquals(List.of(new Posting(A, -30_000, 170_000), new Posting(LOAN, 30_000, -120_000)), tx.postings());
            assertBalancedAndCurrent(tx);
            assertEquals(120_000, ok(ledger.balance(ALICE, LOAN)).outstandingCents());
            assertEquals(
                    entry(4, T0, TxType.LOAN_PAYMENT_TRANSFER, "alice", -30_000, LOAN, 170_000),
                    last(historyOf(ALICE, A)));
            assertEquals(
                    entry(4, T0, TxType.LOAN_PAYMENT_TRANSFER, "alice", 30_000, A, -120_000),
                    last(historyOf(ALICE, LOAN)));
            assertBooksBalance();
        }

        @Test
        @DisplayName("paying it all leaves 0 outstanding; one more cent is LOAN_OVERPAYMENT")
        void payInFull() {
            ok(Tellers.payLoanCheck(ledger, ALICE, LOAN, 100_000));
            ok(Tellers.payLoanTransfer(ledger, ALICE, A, LOAN, 50_000));
            AccountView loan = ok(ledger.balance(ALICE, LOAN));
            assertEquals(0, loan.outstandingCents());
            assertEquals(0, loan.balanceCents());
            assertRefusedUnchanged(LOAN_OVERPAYMENT, () -> Tellers.payLoanCheck(ledger, ALICE, LOAN, 1));
            assertRefusedUnchanged(LOAN_OVERPAYMENT, () -> Tellers.payLoanTransfer(ledger, ALICE, A, LOAN, 1));
            assertEquals(0, ok(ledger.report(AUDITOR)).loanOutstandingCents());
            assertBooksBalance();
        }

        @ParameterizedTest(name = "{0} cents against 1,500.00 outstanding")
        @ValueSource(longs = {150_001, 200_000})
        void overpayment(long cents) {
            assertRefusedUnchanged(LOAN_OVERPAYMENT, () -> Tellers.payLoanCheck(ledger, ALICE, LOAN, cents));
            assertRefusedUnchanged(LOAN_OVERPAYMENT, () -> Tellers.payLoanTransfer(ledger, ALICE, A, LOAN, cents));
        }

        @Test
        @DisplayName("INSUFFICIENT_FUNDS before LOAN_OVERPAYMENT when both hold")
        void insufficientFunds() {
            assertRefusedUnchanged(INSUFFICIENT_FUNDS, () -> Tellers.payLoanTransfer(ledger, BOB, B, LOAN, 10_001));
            assertRefusedUnchanged(INSUFFICIENT_FUNDS, () -> Tellers.payLoanTransfer(ledger, BOB, B, LOAN, 150_001));
        }

        @Test
        @DisplayName("auditor and invalid amounts, for the loan operations")
        void auditorAndAmounts() {
            assertRefusedUnchanged(FORBIDDEN, () -> Tellers.payLoanCheck(ledger, AUDITOR, LOAN, 100));
            assertRefusedUnchanged(FORBIDDEN, () -> Tellers.payLoanTransfer(ledger, AUDITOR, A, LOAN, 100));
            assertRefusedUnchanged(INVALID_AMOUNT, () -> Tellers.payLoanCheck(ledger, ALICE, LOAN, 0));
            assertRefusedUnchanged(INVALID_AMOUNT, () -> Tellers.payLoanTransfer(ledger, ALICE, A, LOAN, -5));
            assertRefusedUnchanged(INVALID_AMOUNT, () -> Tellers.payLoanTransfer(ledger, ALICE, A, LOAN, MAX + 1));
        }

        @ParameterizedTest(name = "{0} cents more")
        @ValueSource(longs = {50_001, 100_000, MAX})
        @DisplayName("a second loan beyond the room left is LOAN_LIMIT_EXCEEDED")
        void limitExceeded(long cents) {
            Outcome<?> refused =
                    assertRefusedUnchanged(LOAN_LIMIT_EXCEEDED, () -> Tellers.applyLoan(ledger, ALICE, A, cents));
            assertTrue(refused.message().contains("2,000.00"), refused::message);
        }

        @Test
        @DisplayName("the room left is exactly the limit minus what is owed, and a refusal uses no loan number")
        void exactlyTheRoomLeft() {
            assertRefusedUnchanged(LOAN_LIMIT_EXCEEDED, () -> Tellers.applyLoan(ledger, ALICE, A, 50_001));
            assertEquals(
                    "L100002", ok(Tellers.applyLoan(ledger, ALICE, A, 50_000)).opened());
            assertRefusedUnchanged(LOAN_LIMIT_EXCEEDED, () -> Tellers.applyLoan(ledger, ALICE, A, 1));
            assertEquals(2, ok(ledger.report(AUDITOR)).loanAccounts());
            assertEquals(LIMIT, ok(ledger.report(AUDITOR)).loanOutstandingCents());
        }

        @Test
        @DisplayName("refusals before the limit check leave the room untouched")
        void earlierRefusalsLeaveTheRoom() {
            assertRefusedUnchanged(FORBIDDEN, () -> Tellers.applyLoan(ledger, ALICE, B, 50_000));
            assertRefusedUnchanged(WRONG_ACCOUNT_KIND, () -> Tellers.applyLoan(ledger, ALICE, LOAN, 50_000));
            ok(Tellers.applyLoan(ledger, ALICE, A, 50_000));
        }

        @Test
        @DisplayName("each customer has their own limit")
        void limitIsPerCustomer() {
            assertEquals("L100002", ok(Tellers.applyLoan(ledger, BOB, B, LIMIT)).opened());
            assertRefusedUnchanged(LOAN_LIMIT_EXCEEDED, () -> Tellers.applyLoan(ledger, BOB, B, 1));
            assertRefusedUnchanged(LOAN_LIMIT_EXCEEDED, () -> Tellers.applyLoan(ledger, ALICE, A, 50_001));
        }

        @Test
        @DisplayName("paying by check restores room under the limit")
        void payingByCheckRestoresRoom() {
            ok(Tellers.payLoanCheck(ledger, ALICE, LOAN, 30_000));
            assertRefusedUnchanged(LOAN_LIMIT_EXCEEDED, () -> Tellers.applyLoan(ledger, ALICE, A, 80_001));
            ok(Tellers.applyLoan(ledger, ALICE, A, 80_000));
            assertRefusedUnchanged(LOAN_LIMIT_EXCEEDED, () -> Tellers.applyLoan(ledger, ALICE, A, 1));
        }

        @Test
        @DisplayName("paying by transfer restores room under the limit")
        void payingByTransferRestoresRoom() {
            ok(Tellers.payLoanTransfer(ledger, ALICE, A, LOAN, 30_000));
            assertRefusedUnchanged(LOAN_LIMIT_EXCEEDED, () -> Tellers.applyLoan(ledger, ALICE, A, 80_001));
            ok(Tellers.applyLoan(ledger, ALICE, A, 80_000));
        }

        @Test
        @DisplayName("paying in full restores the whole limit")
        void payingInFullRestoresTheWholeLimit() {
            ok(Tellers.payLoanTransfer(ledger, ALICE, A, LOAN, 150_000));
            ok(Tellers.applyLoan(ledger, ALICE, A, LIMIT));
            assertRefusedUnchanged(LOAN_LIMIT_EXCEEDED, () -> Tellers.applyLoan(ledger, ALICE, A, 1));
            assertBooksBalance();
        }

        @Test
        @DisplayName("a refused payment restores no room")
        void refusedPaymentRestoresNoRoom() {
            assertRefusedUnchanged(LOAN_OVERPAYMENT, () -> Tellers.payLoanCheck(ledger, ALICE, LOAN, 150_001));
            assertRefusedUnchanged(INSUFFICIENT_FUNDS, () -> Tellers.payLoanTransfer(ledger, BOB, B, LOAN, 20_000));
            assertRefusedUnchanged(LOAN_LIMIT_EXCEEDED, () -> Tellers.applyLoan(ledger, ALICE, A, 50_001));
        }

        @Test
        @DisplayName("anybody may pay Alice's loan; it is Alice's room that comes back, not the payer's")
        void somebodyElsePays() {
            Transaction tx = ok(Tellers.payLoanTransfer(ledger, BOB, B, LOAN, 10_000));
            assertEquals("bob", tx.user());
            assertEquals(0, balanceOf(B));
            ok(Tellers.payLoanCheck(ledger, BOB, LOAN, 20_000));
            assertEquals(120_000, ok(ledger.balance(ALICE, LOAN)).outstandingCents());
            ok(Tellers.applyLoan(ledger, ALICE, A, 80_000));
            assertRefusedUnchanged(LOAN_LIMIT_EXCEEDED, () -> Tellers.applyLoan(ledger, ALICE, A, 1));
            ok(Tellers.applyLoan(ledger, BOB, B, LIMIT));
            assertBooksBalance();
        }

        @Test
        void journalByLoanAccount() {
            ok(Tellers.payLoanCheck(ledger, ALICE, LOAN, 1));
            ok(Tellers.deposit(ledger, ALICE, A, 1));
            ok(Tellers.payLoanTransfer(ledger, ALICE, A, LOAN, 1));
            Page<Transaction> page =
                    ok(ledger.transactions(AUDITOR, TransactionQuery.firstPage().account(LOAN)));
            assertEquals(List.of(3L, 4L, 6L), seqs(page.items()));
            assertNull(page.next());
        }

        @Test
        @DisplayName("money leaves only its holder's checking accounts: never a loan, not even its holder's")
        void authorizationOnTheLoan() {
            assertTrue(ledger.mayRead(ALICE, LOAN));
            assertFalse(ledger.mayRead(BOB, LOAN));
            assertTrue(ledger.mayRead(AUDITOR, LOAN));
            assertFalse(ledger.mayMoveMoneyOut(BOB, LOAN));
            assertFalse(ledger.mayMoveMoneyOut(AUDITOR, LOAN));
            assertFalse(ledger.mayMoveMoneyOut(ALICE, LOAN));
            assertTrue(ledger.mayMoveMoneyOut(ALICE, "1001"));
        }

        @Test
        void snapshotListsTheLoanLast() {
            Snapshot snapshot = ledger.snapshot();
            AccountView lastAccount =
                    snapshot.accounts().get(snapshot.accounts().size() - 1);
            assertEquals(LOAN, lastAccount.number());
            assertEquals(150_000, lastAccount.outstandingCents());
            assertEquals(0, snapshot.sumCents());
            assertEquals(3, snapshot.lastSeq());
        }
    }

    @Nested
    @DisplayName("over time: 1001 at 09:00, 2003 at 10:00, deposits at 11:00 and 12:00")
    class OverTime {
        final Instant t1 = T0.plus(Duration.ofHours(1));
        final Instant t2 = T0.plus(Duration.ofHours(2));
        final Instant t3 = T0.plus(Duration.ofHours(3));

        @BeforeEach
        void spreadOut() {
            ok(Tellers.createAccount(ledger, ALICE, A, 0)); // 1 at T0
            clock.advance(Duration.ofHours(1));
            ok(Tellers.createAccount(ledger, BOB, B, 10_000)); // 2 at t1
            clock.advance(Duration.ofHours(1));
            ok(Tellers.deposit(ledger, ALICE, A, 100)); // 3 at t2
            clock.advance(Duration.ofHours(1));
            ok(Tellers.deposit(ledger, BOB, A, 200)); // 4 at t3
        }

        @Test
        void transactionsCarryTheClock() {
            List<Transaction> all = journal();
            assertEquals(
                    List.of(T0, t1, t2, t3), all.stream().map(Transaction::time).toList());
            assertEquals(T0, ok(ledger.balance(ALICE, A)).created());
            assertEquals(t1, ok(ledger.balance(BOB, B)).created());
            assertEquals(
                    List.of(T0, t2, t3),
                    historyOf(ALICE, A).stream().map(HistoryEntry::time).toList());
        }

        @ParameterizedTest(name = "[{0}h, {1}h) -> {2}")
        @CsvSource(delimiter = '|', nullValues = "null", textBlock = """
                0    | 4    | 1 2 3 4
                1    | 3    | 2 3
                1    | 1    |
                0    | 1    | 1
                3    | 4    | 4
                4    | 5    |
                -1   | 0    |
                2    | null | 3 4
                null | 2    | 1 2
                null | null | 1 2 3 4
                """)
        void timeRange(Integer fromHours, Integer toHours, String expectedSeqs) {
            Instant from = fromHours == null ? null : T0.plus(Duration.ofHours(fromHours));
            Instant to = toHours == null ? null : T0.plus(Duration.ofHours(toHours));
            Page<Transaction> page =
                    ok(ledger.transactions(AUDITOR, TransactionQuery.firstPage().between(from, to)));
            assertEquals(parseSeqs(expectedSeqs), seqs(page.items()));
            assertNull(page.next());
        }

        @Test
        @DisplayName("from is inclusive and to exclusive, to the nanosecond")
        void boundaries() {
            Duration nano = Duration.ofNanos(1);
            assertEquals(
                    List.of(3L),
                    seqs(ok(ledger.transactions(
                                    AUDITOR, TransactionQuery.firstPage().between(t2, t2.plus(nano))))
                            .items()));
            assertEquals(
                    List.of(),
                    seqs(ok(ledger.transactions(
                                    AUDITOR, TransactionQuery.firstPage().between(t2.plus(nano), t3)))
                            .items()));
            assertEquals(
                    List.of(2L),
                    seqs(ok(ledger.transactions(
                                    AUDITOR, TransactionQuery.firstPage().between(t1.minus(nano), t2)))
                            .items()));
        }

        @Test
        void timeRangeWithOtherFilters() {
            assertEquals(
                    List.of(4L),
                    seqs(ok(ledger.transactions(
                                    AUDITOR,
                                    TransactionQuery.firstPage()
                                            .between(t1, null)
                                            .account(A)
                                            .user("bob")))
                            .items()));
            assertEquals(
                    List.of(3L),
                    seqs(ok(ledger.transactions(
                                    AUDITOR,
                                    TransactionQuery.firstPage().between(t1, t3).account(A)))
                            .items()));
            assertEquals(
                    List.of(3L),
                    seqs(ok(ledger.transactions(
                                    AUDITOR,
                                    TransactionQuery.firstPage().between(T0, t3).after(2)))
                            .items()));
        }

        @Test
        void aRangeThatEndsBeforeItStarts() {
            assertRefusedUnchanged(
                    INVALID_ARGUMENT,
                    () -> ledger.transactions(
                            AUDITOR, TransactionQuery.firstPage().between(t3, t1)));
            assertRefusedUnchanged(
                    INVALID_ARGUMENT,
                    () -> ledger.transactions(
                            AUDITOR, TransactionQuery.firstPage().between(t1, t1.minusNanos(1))));
            assertRefusedUnchanged(
                    FORBIDDEN,
                    () -> ledger.transactions(BOB, TransactionQuery.firstPage().between(t3, t1)));
        }

        @Test
        @DisplayName("a clock that steps back does not make time run backwards in the journal")
        void clockStepsBack() {
            clock.advance(Duration.ofHours(2)); // 14:00
            Transaction at14 = ok(Tellers.deposit(ledger, ALICE, A, 1));
            clock.advance(Duration.ofHours(-1)); // back to 13:00
            Transaction after = ok(Tellers.deposit(ledger, ALICE, A, 1));
            assertEquals(T0.plus(Duration.ofHours(5)), at14.time());
            assertEquals(at14.time(), after.time());
            assertEquals(at14.seq() + 1, after.seq());
            assertEquals(
                    List.of(6L),
                    seqs(ok(ledger.transactions(
                                    AUDITOR,
                                    TransactionQuery.firstPage()
                                            .between(T0.plus(Duration.ofHours(5)), null)
                                            .after(5)))
                            .items()));
        }
    }

    static List<Long> parseSeqs(String spaceSeparated) {
        if (spaceSeparated == null || spaceSeparated.isBlank()) {
            return List.of();
        }
        List<Long> seqs = new ArrayList<>();
        for (String s : spaceSeparated.trim().split("\\s+", -1)) {
            seqs.add(Long.parseLong(s));
        }
        return seqs;
    }
}
