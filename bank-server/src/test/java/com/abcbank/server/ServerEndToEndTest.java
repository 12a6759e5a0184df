package com.abcbank.server;

import static com.abcbank.server.TestServer.PASSWORD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abcbank.ledger.ErrorCode;
import com.abcbank.protocol.Request;
import com.abcbank.protocol.Result;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every op over a real socket, with every field of its result: the wire contract of docs/protocol.md.
 *
 * <p>Most tests start from {@link #openTheBank()}, one day of two customers that uses every money-moving op
 * once and checks each result as it goes; the read-only views are then checked against what that day did.
 * The numbers, for reference (cents):
 * <pre>
 *  tx  who    op                                    1001     1002   2001   L100001
 *   1  Alice  create_account 1001 50000            50000
 *   2  Alice  create_account 1002                              0
 *   3  Bob    create_account 2001 30000                               30000
 *   4  Alice  deposit 1001 20000                   70000
 *   5  Alice  withdraw 1001 5000                   65000
 *   6  Alice  transfer 1001 -> 1002 15000          50000   15000
 *   7  Bob    deposit 1002 1000                            16000
 *   8  Bob    transfer 2001 -> 1001 10000          60000          20000
 *   9  Alice  apply_loan 1001 100000              160000                  -100000
 *  10  Alice  pay_loan_transfer 1001 L100001 30000 130000                  -70000
 *  11  Bob    pay_loan_check L100001 20000                                 -50000
 * </pre>
 * Checking total 166,000; loans -50,000; so the vault holds -116,000 and the books sum to 0.
 */
class ServerEndToEndTest {
    private static final String VAULT = "VAULT-\\d\\d";

    @TempDir
    Path dataDir;

    private TestServer bank;
    private TestClient alice;
    private TestClient bob;
    /** The time of each transaction, by sequence number, as the op that made it reported it. */
    private final Map<Long, String> times = new HashMap<>();

    @BeforeEach
    void start() throws IOException {
        bank = TestServer.start(TestServer.config(dataDir));
    }

    @AfterEach
    void stop() {
        bank.close();
    }

    @Test
    void registerAndLoginAnswerTheUserAndTheirRole() throws IOException {
        TestClient first = bank.connect();
        assertEquals(new Result.User("Alice", "CUSTOMER"), first.register("Alice", PASSWORD));

        TestClient second = bank.connect();
        assertEquals(new Result.User("Alice", "CUSTOMER"), second.login("Alice", PASSWORD));

        TestClient third = bank.connect();
        assertEquals(new Result.User("Audit", "AUDITOR"), third.login("Audit", bank.auditPassword()));
    }

    @Test
    void everyMoneyMovingOpAnswersTheTransactionItMade() throws IOException {
        openTheBank(); // asserts every result as it goes
        assertEquals(11, times.size());
        Instant previous = Instant.EPOCH;
        for (long seq = 1; seq <= 11; seq++) {
            Instant time = Instant.parse(times.get(seq));
            assertFalse(time.isBefore(previous), "tx " + seq + " is timed before the one before it");
            previous = time;
        }
    }

    @Test
    void balanceShowsACheckingAccountAndALoan() throws IOException {
        openTheBank();
        assertEquals(
                new Result.Account("1001", "CHECKING", "Alice", times.get(1L), 130_000, null), alice.balance("1001"));
        assertEquals(
                new Result.Account("1002", "CHECKING", "Alice", times.get(2L), 16_000, null), alice.balance("1002"));
        assertEquals(
                new Result.Account("L100001", "LOAN", "Alice", times.get(9L), -50_000, 50_000L),
                alice.balance("L100001"));
        assertEquals(new Result.Account("2001", "CHECKING", "Bob", times.get(3L), 20_000, null), bob.balance("2001"));
    }

    @Test
    void historyListsEveryTransactionOfAnAccountWithSignedAmountsCounterpartiesAndBalances() throws IOException {
        openTheBank();
        Result.History all = alice.ok(new Request.History("1001", null, null), Result.History.class);
        assertEquals("1001", all.account());
        assertNull(all.next(), "the whole statement fits the default page");
        List<Result.Entry> entries = all.entries();
        assertEquals(
                List.of(1L, 4L, 5L, 6L, 8L, 9L, 10L),
                entries.stream().map(Result.Entry::tx).toList());
        assertEntry(entries.get(0), 1, "OPEN_ACCOUNT", "Alice", 50_000, VAULT, 50_000);
        assertEntry(entries.get(1), 4, "DEPOSIT", "Alice", 20_000, VAULT, 70_000);
        assertEntry(entries.get(2), 5, "WITHDRAW", "Alice", -5_000, VAULT, 65_000);
        assertEntry(entries.get(3), 6, "TRANSFER", "Alice", -15_000, "1002", 50_000);
        assertEntry(entries.get(4), 8, "TRANSFER", "Bob", 10_000, "2001", 60_000);
        assertEntry(entries.get(5), 9, "LOAN", "Alice", 100_000, "L100001", 160_000);
        assertEntry(entries.get(6), 10, "LOAN_PAYMENT_TRANSFER", "Alice", -30_000, "L100001", 130_000);

        Result.History loan = alice.ok(new Request.History("L100001", null, null), Result.History.class);
        assertEquals(
                List.of(9L, 10L, 11L),
                loan.entries().stream().map(Result.Entry::tx).toList());
        assertEntry(loan.entries().get(0), 9, "LOAN", "Alice", -100_000, "1001", -100_000);
        assertEntry(loan.entries().get(1), 10, "LOAN_PAYMENT_TRANSFER", "Alice", 30_000, "1001", -70_000);
        assertEntry(loan.entries().get(2), 11, "LOAN_PAYMENT_CHECK", "Bob", 20_000, VAULT, -50_000);
    }

    @Test
    void historyPagesByCursorAndSaysWhenItReachedTheEnd() throws IOException {
        openTheBank();
        Result.History page1 = alice.ok(new Request.History("1001", null, 3), Result.History.class);
        assertEquals(
                List.of(1L, 4L, 5L),
                page1.entries().stream().map(Result.Entry::tx).toList());
        assertEquals(5L, page1.next());

        Result.History page2 = alice.ok(new Request.History("1001", page1.next(), 3), Result.History.class);
        assertEquals(
                List.of(6L, 8L, 9L),
                page2.entries().stream().map(Result.Entry::tx).toList());
        assertEquals(9L, page2.next());

        Result.History page3 = alice.ok(new Request.History("1001", page2.next(), 3), Result.History.class);
        assertEquals(
                List.of(10L), page3.entries().stream().map(Result.Entry::tx).toList());
        assertNull(page3.next(), "the last page has no next");

        Result.History exact = alice.ok(new Request.History("1001", null, 7), Result.History.class);
        assertEquals(7, exact.entries().size());
        assertNull(exact.next(), "a page that ends exactly at the last entry has no next");

        Result.History beyond = alice.ok(new Request.History("1001", 10L, 3), Result.History.class);
        assertEquals(List.of(), beyond.entries());
        assertNull(beyond.next());
    }

    @Test
    void showAccountholdersListsEveryCustomerWithAccountsAndNobodyElse() throws IOException {
        openTheBank();
        bank.customer("Carol"); // registered, holds nothing: not an account holder
        Result.Holders holders = bank.audit().ok(new Request.ShowAccountholders(), Result.Holders.class);
        assertEquals(
                List.of(
                        new Result.Holder(
                                "Alice",
                                List.of(
                                        new Result.Account("1001", "CHECKING", "Alice", times.get(1L), 130_000, null),
                                        new Result.Account("1002", "CHECKING", "Alice", times.get(2L), 16_000, null),
                                        new Result.Account(
                                                "L100001", "LOAN", "Alice", times.get(9L), -50_000, 50_000L))),
                        new Result.Holder(
                                "Bob",
                                List.of(new Result.Account("2001", "CHECKING", "Bob", times.get(3L), 20_000, null)))),
                holders.holders());
    }

    @Test
    void showHistoryListsTheJournalWithBalancedPostings() throws IOException {
        openTheBank();
        Result.Transactions all =
                bank.audit().ok(new Request.ShowHistory(null, null, null, null, null, null), Result.Transactions.class);
        assertNull(all.next());
        assertEquals(
                seqRange(1, 11),
                all.entries().stream().map(Result.Transaction::tx).toList());
        for (Result.Transaction tx : all.entries()) {
            assertEquals(
                    0,
                    tx.postings().stream().mapToLong(Result.Posting::amount).sum(),
                    () -> "tx " + tx.tx() + " does not balance");
            assertEquals(times.get(tx.tx()), tx.time());
        }
        Result.Transaction opening = all.entries().get(0);
        assertEquals("OPEN_ACCOUNT", opening.type());
        assertEquals("Alice", opening.user());
        assertEquals("1001", opening.opened());
        assertEquals(2, opening.postings().size());
        assertTrue(opening.postings().get(0).account().matches(VAULT));
        assertEquals(
                new Result.Posting("1001", 50_000, 50_000), opening.postings().get(1));
        assertEquals(
                new Result.Transaction(2, times.get(2L), "OPEN_ACCOUNT", "Alice", "1002", List.of(), null),
                all.entries().get(1),
                "an account opened without a deposit has no postings");
        assertEquals(
                new Result.Transaction(
                        6,
                        times.get(6L),
                        "TRANSFER",
                        "Alice",
                        null,
                        List.of(
                                new Result.Posting("1001", -15_000, 50_000),
                                new Result.Posting("1002", 15_000, 15_000)),
                        null),
                all.entries().get(5));
        assertEquals(
                new Result.Transaction(
                        9,
                        times.get(9L),
                        "LOAN",
                        "Alice",
                        "L100001",
                        List.of(
                                new Result.Posting("L100001", -100_000, -100_000),
                                new Result.Posting("1001", 100_000, 160_000)),
                        null),
                all.entries().get(8));
    }

    @Test
    void showHistoryFiltersByAccountUserAndTimeAndPages() throws IOException {
        openTheBank();
        TestClient audit = bank.audit();
        assertEquals(
                List.of(2L, 6L, 7L),
                seqs(audit, new Request.ShowHistory(null, null, "1002", null, null, null)),
                "by account: the opening (no postings) counts");
        assertEquals(
                List.of(3L, 7L, 8L, 11L), seqs(audit, new Request.ShowHistory(null, null, null, "Bob", null, null)));
        assertEquals(List.of(8L), seqs(audit, new Request.ShowHistory(null, null, "1001", "Bob", null, null)));
        assertEquals(List.of(), seqs(audit, new Request.ShowHistory(null, null, null, "Nobody", null, null)));

        Result.Transactions page1 =
                audit.ok(new Request.ShowHistory(null, 4, null, null, null, null), Result.Transactions.class);
        assertEquals(
                List.of(1L, 2L, 3L, 4L),
                page1.entries().stream().map(Result.Transaction::tx).toList());
        assertEquals(4L, page1.next());
        Result.Transactions page2 =
                audit.ok(new Request.ShowHistory(page1.next(), 4, null, null, null, null), Result.Transactions.class);
        assertEquals(
                List.of(5L, 6L, 7L, 8L),
                page2.entries().stream().map(Result.Transaction::tx).toList());
        assertEquals(8L, page2.next());
        Result.Transactions page3 =
                audit.ok(new Request.ShowHistory(page2.next(), 4, null, null, null, null), Result.Transactions.class);
        assertEquals(
                List.of(9L, 10L, 11L),
                page3.entries().stream().map(Result.Transaction::tx).toList());
        assertNull(page3.next());

        // [from, to): from inclusive, to exclusive. Times may repeat between transactions, so the expectation is
        // computed from the times the ops reported; tx 4 is in (from is its time), tx 9 is out (to is its time).
        String from = times.get(4L);
        String to = times.get(9L);
        List<Long> expected = times.entrySet().stream()
                .filter(e -> !Instant.parse(e.getValue()).isBefore(Instant.parse(from))
                        && Instant.parse(e.getValue()).isBefore(Instant.parse(to)))
                .map(Map.Entry::getKey)
                .sorted()
                .toList();
        List<Long> between = seqs(audit, new Request.ShowHistory(null, null, null, null, from, to));
        assertEquals(expected, between);
        assertTrue(between.contains(4L) && !between.contains(9L), () -> "from is inclusive, to exclusive: " + between);
        assertEquals(
                List.of(),
                seqs(
                        audit,
                        new Request.ShowHistory(
                                null, null, null, null, "2000-01-01T00:00:00Z", "2000-01-02T00:00:00Z")));

        assertEquals(
                ErrorCode.INVALID_ARGUMENT,
                audit.error(new Request.ShowHistory(null, null, null, null, "yesterday", null)));
        assertEquals(
                ErrorCode.INVALID_ARGUMENT,
                audit.error(new Request.ShowHistory(null, null, null, null, to, from)),
                "a range that ends before it starts");
        assertEquals(ErrorCode.INVALID_ARGUMENT, audit.error(new Request.ShowHistory(null, 0, null, null, null, null)));
        assertEquals(
                ErrorCode.INVALID_ARGUMENT, audit.error(new Request.ShowHistory(null, 1_001, null, null, null, null)));
        assertEquals(
                ErrorCode.INVALID_ARGUMENT, audit.error(new Request.ShowHistory(-1L, null, null, null, null, null)));
    }

    @Test
    void reportSumsToZeroWithTotalsPerKind() throws IOException {
        openTheBank();
        Result.Report report = bank.audit().report();
        assertEquals(0, report.sum());
        assertTrue(report.balanced());
        assertEquals(11, report.transactions());
        assertEquals(11, report.asOf());
        assertEquals(2, report.customers());
        assertEquals(Map.of("checking", 166_000L, "loan", -50_000L, "internal", -116_000L), report.totals());
        assertEquals(Map.of("checking", 3, "loan", 1, "internal", 16), report.accounts());
        assertEquals(50_000, report.outstanding());
        assertEquals(
                IntStream.range(0, 16)
                        .mapToObj(i -> String.format("VAULT-%02d", i))
                        .toList(),
                report.internal().stream().map(Result.Account::account).toList());
        assertTrue(report.internal().stream()
                .allMatch(a -> a.kind().equals("INTERNAL") && a.owner().equals("bank")));
        assertEquals(
                -116_000,
                report.internal().stream().mapToLong(Result.Account::balance).sum());
    }

    @Test
    void reportOfAnEmptyBankIsZero() throws IOException {
        Result.Report report = bank.audit().report();
        assertEquals(0, report.sum());
        assertTrue(report.balanced());
        assertEquals(0, report.transactions());
        assertEquals(0, report.customers());
        assertEquals(Map.of("checking", 0L, "loan", 0L, "internal", 0L), report.totals());
    }

    @Test
    void ledgerRefusalsArriveWithTheirCodesAndChangeNothing() throws IOException {
        openTheBank();
        var before = bank.books();
        assertEquals(ErrorCode.INSUFFICIENT_FUNDS, alice.error(new Request.Withdraw("1001", 130_001)));
        assertEquals(ErrorCode.INSUFFICIENT_FUNDS, alice.error(new Request.Transfer("1002", "2001", 16_001)));
        assertEquals(ErrorCode.INSUFFICIENT_FUNDS, alice.error(new Request.PayLoanTransfer("1002", "L100001", 16_001)));
        assertEquals(ErrorCode.SAME_ACCOUNT, alice.error(new Request.Transfer("1001", "1001", 1)));
        assertEquals(ErrorCode.WRONG_ACCOUNT_KIND, alice.error(new Request.Deposit("L100001", 1)));
        assertEquals(ErrorCode.WRONG_ACCOUNT_KIND, alice.error(new Request.Withdraw("L100001", 1)));
        assertEquals(ErrorCode.WRONG_ACCOUNT_KIND, alice.error(new Request.Transfer("1001", "L100001", 1)));
        assertEquals(ErrorCode.WRONG_ACCOUNT_KIND, alice.error(new Request.PayLoanCheck("1001", 1)));
        assertEquals(ErrorCode.WRONG_ACCOUNT_KIND, alice.error(new Request.PayLoanTransfer("1001", "1002", 1)));
        assertEquals(ErrorCode.LOAN_OVERPAYMENT, alice.error(new Request.PayLoanCheck("L100001", 50_001)));
        assertEquals(ErrorCode.LOAN_OVERPAYMENT, alice.error(new Request.PayLoanTransfer("1001", "L100001", 50_001)));
        assertEquals(
                ErrorCode.LOAN_LIMIT_EXCEEDED,
                alice.error(new Request.ApplyLoan("1001", 4_950_001)),
                "50,000.00 limit, 500.00 owed");
        assertEquals(ErrorCode.DUPLICATE_ACCOUNT, alice.error(new Request.CreateAccount("1001", null)));
        assertEquals(
                ErrorCode.DUPLICATE_ACCOUNT,
                bob.error(new Request.CreateAccount("1001", 100L)),
                "taken by someone else");
        assertEquals(ErrorCode.INVALID_ACCOUNT_NUMBER, alice.error(new Request.CreateAccount("123", null)));
        assertEquals(ErrorCode.INVALID_ACCOUNT_NUMBER, alice.error(new Request.CreateAccount("1234567890123", null)));
        assertEquals(ErrorCode.INVALID_ACCOUNT_NUMBER, alice.error(new Request.CreateAccount("12a4", null)));
        assertEquals(ErrorCode.INVALID_ACCOUNT_NUMBER, alice.error(new Request.CreateAccount("L100002", null)));
        assertEquals(ErrorCode.UNKNOWN_ACCOUNT, alice.error(new Request.Transfer("1001", "9999", 1)));
        assertEquals(ErrorCode.UNKNOWN_ACCOUNT, alice.error(new Request.PayLoanCheck("L999999", 1)));
        assertEquals(ErrorCode.UNKNOWN_ACCOUNT, alice.error(new Request.Balance("9999")));
        assertEquals(
                ErrorCode.UNKNOWN_ACCOUNT,
                alice.error(new Request.Deposit("VAULT-00", 1)),
                "the vault is no customer's");
        assertEquals(ErrorCode.UNKNOWN_ACCOUNT, alice.error(new Request.Transfer("1001", "VAULT-00", 1)));
        assertEquals(ErrorCode.UNKNOWN_ACCOUNT, alice.error(new Request.Balance("VAULT-00")));
        assertEquals(ErrorCode.INVALID_ARGUMENT, alice.error(new Request.History("1001", null, 0)));
        assertEquals(ErrorCode.INVALID_ARGUMENT, alice.error(new Request.History("1001", null, 1_001)));
        assertEquals(ErrorCode.INVALID_ARGUMENT, alice.error(new Request.History("1001", -1L, null)));
        assertEquals(before, bank.books(), "a refused request changed the books");

        // The refused loan gave back what it had reserved against the limit: the whole rest still fits.
        Result.Tx loan = alice.ok(new Request.ApplyLoan("1001", 4_950_000), Result.Tx.class);
        assertEquals(5_000_000 - 50_000, loan.outstanding());
        assertEquals(ErrorCode.LOAN_LIMIT_EXCEEDED, alice.error(new Request.ApplyLoan("1002", 1)));
    }

    // ------------------------------------------------------------ the day of business

    /** Runs the day in the class comment, checking every result in full. */
    private void openTheBank() throws IOException {
        alice = bank.customer("Alice");
        bob = bank.customer("Bob");

        expectTx(
                alice.ok(new Request.CreateAccount("1001", 50_000L), Result.Tx.class),
                1,
                "OPEN_ACCOUNT",
                50_000,
                "1001",
                50_000L,
                null,
                null,
                null,
                null,
                null,
                null);
        expectTx(
                alice.ok(new Request.CreateAccount("1002", null), Result.Tx.class),
                2,
                "OPEN_ACCOUNT",
                0,
                "1002",
                0L,
                null,
                null,
                null,
                null,
                null,
                null);
        expectTx(
                bob.ok(new Request.CreateAccount("2001", 30_000L), Result.Tx.class),
                3,
                "OPEN_ACCOUNT",
                30_000,
                "2001",
                30_000L,
                null,
                null,
                null,
                null,
                null,
                null);
        expectTx(
                alice.ok(new Request.Deposit("1001", 20_000), Result.Tx.class),
                4,
                "DEPOSIT",
                20_000,
                "1001",
                70_000L,
                null,
                null,
                null,
                null,
                null,
                null);
        expectTx(
                alice.ok(new Request.Withdraw("1001", 5_000), Result.Tx.class),
                5,
                "WITHDRAW",
                5_000,
                "1001",
                65_000L,
                null,
                null,
                null,
                null,
                null,
                null);
        expectTx(
                alice.ok(new Request.Transfer("1001", "1002", 15_000), Result.Tx.class),
                6,
                "TRANSFER",
                15_000,
                null,
                null,
                "1001",
                50_000L,
                "1002",
                15_000L,
                null,
                null);
        expectTx(
                bob.ok(new Request.Deposit("1002", 1_000), Result.Tx.class),
                7,
                "DEPOSIT",
                1_000,
                "1002",
                16_000L,
                null,
                null,
                null,
                null,
                null,
                null);
        expectTx(
                bob.ok(new Request.Transfer("2001", "1001", 10_000), Result.Tx.class),
                8,
                "TRANSFER",
                10_000,
                null,
                null,
                "2001",
                20_000L,
                "1001",
                60_000L,
                null,
                null);
        expectTx(
                alice.ok(new Request.ApplyLoan("1001", 100_000), Result.Tx.class),
                9,
                "LOAN",
                100_000,
                "1001",
                160_000L,
                null,
                null,
                null,
                null,
                "L100001",
                100_000L);
        expectTx(
                alice.ok(new Request.PayLoanTransfer("1001", "L100001", 30_000), Result.Tx.class),
                10,
                "LOAN_PAYMENT_TRANSFER",
                30_000,
                "1001",
                130_000L,
                null,
                null,
                null,
                null,
                "L100001",
                70_000L);
        expectTx(
                bob.ok(new Request.PayLoanCheck("L100001", 20_000), Result.Tx.class),
                11,
                "LOAN_PAYMENT_CHECK",
                20_000,
                null,
                null,
                null,
                null,
                null,
                null,
                "L100001",
                50_000L);
    }

    /** Every field of a {@link Result.Tx}; a field that does not apply to the op must be absent. */
    private void expectTx(
            Result.Tx actual,
            long seq,
            String type,
            long amount,
            String account,
            Long balance,
            String from,
            Long fromBalance,
            String to,
            Long toBalance,
            String loan,
            Long outstanding) {
        Instant.parse(actual.time()); // an ISO-8601 instant, or this throws
        assertEquals(
                new Result.Tx(
                        seq,
                        actual.time(),
                        type,
                        amount,
                        account,
                        balance,
                        from,
                        fromBalance,
                        to,
                        toBalance,
                        loan,
                        outstanding),
                actual);
        times.put(seq, actual.time());
    }

    private void assertEntry(
            Result.Entry entry, long seq, String type, String user, long amount, String counterparty, long balance) {
        Predicate<String> counterpartyMatches =
                counterparty.equals(VAULT) ? c -> c != null && c.matches(VAULT) : counterparty::equals;
        assertTrue(counterpartyMatches.test(entry.counterparty()), () -> "tx " + seq + " counterparty: " + entry);
        assertEquals(new Result.Entry(seq, times.get(seq), type, user, amount, entry.counterparty(), balance), entry);
    }

    private static List<Long> seqs(TestClient audit, Request.ShowHistory query) throws IOException {
        return audit.ok(query, Result.Transactions.class).entries().stream()
                .map(Result.Transaction::tx)
                .toList();
    }

    private static List<Long> seqRange(long first, long last) {
        return LongStream.rangeClosed(first, last).boxed().toList();
    }
}
