package com.abcbank.ledger;

import static org.jetbrains.lincheck.datastructures.ManagedStrategyGuaranteeKt.forClasses;

import java.lang.reflect.Method;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Formatter;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jetbrains.kotlinx.lincheck.Actor;
import org.jetbrains.kotlinx.lincheck.execution.ExecutionScenario;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.LongGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.junit.jupiter.api.Test;

/**
 * Linearizability of the ledger, checked by Lincheck's model checker over a few fixed scenarios: every result
 * that the threads of a scenario can see, under every interleaving the checker explores, must be explained by
 * some serial order of the same operations that respects real time.
 *
 * <p>Each instance is a fresh bank (Lincheck makes one per interleaving, and one more to run serial orders on):
 * Alice holds checking 1001 (3.00) and 1002 (0.00) and owes 5.00 on a loan against a limit of 8.00; Bob holds
 * 2001 (10.00). Amounts are small so that the scenarios sit on the edges: near the loan
 * limit, near an empty account.
 *
 * <p>What keeps the checker from false alarms and within seconds: {@link Money} (formatting refusal messages)
 * is one atomic step, the clock is fixed, the vault has one shard, and the loop bound is raised, since the JDK
 * collections the ledger uses loop more than Lincheck's default bound. Only fixed scenarios run here (no random
 * ones: {@code iterations(0)}); {@code scripts/lincheck.sh} runs a wide random search, which takes minutes.
 */
@Param(name = "account", gen = IntGen.class, conf = "0:2")
@Param(name = "amount", gen = LongGen.class, conf = "1:600")
public class LedgerLinearizabilityTest {
    /** Accounts are passed to operations by index into {@link #NUMBERS}, so that random scenarios name real ones. */
    static final int A1 = 0;

    static final int A2 = 1;
    static final int B = 2;
    private static final List<String> NUMBERS = List.of("1001", "1002", "2001");
    private static final Caller ALICE = Caller.customer("alice");
    private static final Caller BOB = Caller.customer("bob");
    private static final Caller AUDITOR = Caller.auditor("audit");
    private static final long LIMIT_CENTS = 800;
    /** Interleavings explored per fixed scenario in the build: enough to find the loan anomaly, bounded in time. */
    private static final int INVOCATIONS = 50;

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-01T00:00:00Z"), ZoneOffset.UTC);

    private final Ledger ledger = new Ledger(new LedgerConfig(LIMIT_CENTS, 1), CLOCK);
    private final String aliceLoan;

    public LedgerLinearizabilityTest() {
        ledger.createAccount(ALICE, "1001", 300, null).value();
        ledger.createAccount(ALICE, "1002", 0, null).value();
        ledger.createAccount(BOB, "2001", 1_000, null).value();
        aliceLoan = ledger.applyLoan(ALICE, "1002", 500, null).value().opened();
        ledger.withdraw(ALICE, "1002", 500, null).value();
    }

    // ------------------------------------------------------------ operations: results are values to compare

    @Operation
    public String deposit(@Param(name = "account") int account, @Param(name = "amount") long amountCents) {
        return result(ledger.deposit(BOB, NUMBERS.get(account), amountCents, null));
    }

    @Operation
    public String withdraw(@Param(name = "account") int account, @Param(name = "amount") long amountCents) {
        return result(ledger.withdraw(ownerOf(account), NUMBERS.get(account), amountCents, null));
    }

    @Operation
    public String transfer(
            @Param(name = "account") int from,
            @Param(name = "account") int to,
            @Param(name = "amount") long amountCents) {
        return result(ledger.transfer(ownerOf(from), NUMBERS.get(from), NUMBERS.get(to), amountCents, null));
    }

    @Operation
    public String applyLoan(@Param(name = "account") int checking, @Param(name = "amount") long amountCents) {
        return result(ledger.applyLoan(ALICE, NUMBERS.get(checking), amountCents, null));
    }

    /** Pays Alice's first loan down from her checking account {@code from}. */
    @Operation
    public String payLoan(@Param(name = "account") int from, @Param(name = "amount") long amountCents) {
        return result(ledger.payLoanTransfer(ALICE, NUMBERS.get(from), aliceLoan, amountCents, null));
    }

    @Operation
    public long balance(@Param(name = "account") int account) {
        return ledger.balance(AUDITOR, NUMBERS.get(account)).value().balanceCents();
    }

    /** The audit snapshot as the customer accounts in it and its zero sum: one consistent moment, or not. */
    @Operation
    public String audit() {
        Snapshot snapshot = ledger.snapshot();
        StringBuilder seen = new StringBuilder("sum=").append(snapshot.sumCents());
        for (AccountView account : snapshot.accounts()) {
            if (account.kind() == AccountKind.CHECKING) {
                seen.append(' ').append(account.number()).append('=').append(account.balanceCents());
            }
        }
        return seen.toString();
    }

    /** OK with the credited account's balance after, or the refusal's code. */
    private static String result(Outcome<Transaction> outcome) {
        if (!outcome.isOk()) {
            return outcome.error().name();
        }
        List<Posting> legs = outcome.value().postings();
        Posting credit = legs.get(legs.size() - 1);
        return "OK " + credit.account() + "=" + credit.balanceAfterCents();
    }

    private static Caller ownerOf(int account) {
        return account == B ? BOB : ALICE;
    }

    // ------------------------------------------------------------ the scenarios

    /**
     * Two of Alice's loans near the limit, on two of her checking accounts: 5.00 owed + 3.00 fits, then 1.00 more
     * does not (and the other way round). A refusal of the 1.00 because of the 3.00 must come with the 3.00 visible.
     */
    @Test
    void loansNearTheLimitAreRefusedOnlyByLoansThatAreVisible() {
        check(scenario(
                List.of(List.of(op("applyLoan", A1, 300L)), List.of(op("applyLoan", A2, 100L), op("balance", A1)))));
    }

    /** A payment down and a loan up race at the limit: the loan may use the room only once the payment shows. */
    @Test
    void aLoanPaymentAndALoanAtTheLimitAreOrdered() {
        check(scenario(
                List.of(List.of(op("payLoan", A1, 200L)), List.of(op("applyLoan", A2, 400L), op("balance", A1)))));
    }

    /** The money path: deposits, withdrawals and transfers on shared accounts, and balances read meanwhile. */
    @Test
    void theMoneyPathIsLinearizable() {
        check(scenario(List.of(
                List.of(op("transfer", A1, B, 200L), op("withdraw", A1, 200L)),
                List.of(op("deposit", A1, 100L), op("balance", B)),
                List.of(op("transfer", B, A1, 500L)))));
    }

    /** The audit snapshot is one moment of the sequence order, whatever moves while it is taken. */
    @Test
    void theAuditSnapshotIsOneMoment() {
        check(scenario(List.of(List.of(op("transfer", A1, B, 100L), op("deposit", A2, 50L)), List.of(op("audit")))));
    }

    private static void check(ExecutionScenario scenario) {
        options().addCustomScenario(scenario).check(LedgerLinearizabilityTest.class);
    }

    /**
     * The checker's settings. In the build: the fixed scenario only, and {@value #INVOCATIONS} interleavings of
     * it. {@code scripts/lincheck.sh} raises both through system properties: random scenarios of the same
     * operations ({@code lincheck.iterations}) and more interleavings of each ({@code lincheck.invocations}).
     */
    static ModelCheckingOptions options() {
        return new ModelCheckingOptions()
                .iterations(Integer.getInteger("lincheck.iterations", 0))
                .invocationsPerIteration(Integer.getInteger("lincheck.invocations", INVOCATIONS))
                .loopBound(500)
                // One step each: Money formats refusal messages; the rest are JDK code that is either
                // thread-confined here (regex, formatting) or linearizable by its own contract (the maps).
                .addGuarantee(forClasses(
                                Money.class.getName(),
                                Pattern.class.getName(),
                                Matcher.class.getName(),
                                String.class.getName(),
                                Formatter.class.getName(),
                                ConcurrentHashMap.class.getName(),
                                ConcurrentSkipListMap.class.getName())
                        .allMethods()
                        .treatAsAtomic());
    }

    private static ExecutionScenario scenario(List<List<Actor>> threads) {
        return new ExecutionScenario(List.of(), threads, List.of(), null);
    }

    private static Actor op(String name, Object... arguments) {
        for (Method method : LedgerLinearizabilityTest.class.getMethods()) {
            if (method.getName().equals(name) && method.getParameterCount() == arguments.length) {
                return new Actor(method, new ArrayList<>(Arrays.asList(arguments)));
            }
        }
        throw new IllegalArgumentException("no operation " + name + "/" + arguments.length);
    }
}
