package com.abcbank.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.abcbank.journal.Durability;
import com.abcbank.journal.Journal;
import com.abcbank.ledger.AccountKind;
import com.abcbank.ledger.AccountView;
import com.abcbank.ledger.Caller;
import com.abcbank.ledger.ErrorCode;
import com.abcbank.ledger.Ledger;
import com.abcbank.ledger.LedgerConfig;
import com.abcbank.ledger.Outcome;
import com.abcbank.ledger.Snapshot;
import com.abcbank.protocol.Failure;
import com.abcbank.protocol.Json;
import com.abcbank.protocol.Request;
import com.abcbank.server.auth.Users;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * Coverage-guided fuzzing of the {@link Dispatcher} over a real ledger: a fresh small bank per input, then the
 * input's lines, each parsed as {@code Connection} parses it and dispatched as {@code Connection} dispatches it.
 *
 * <p>An input is request lines separated by {@code \n}. A line starting with {@code !} is sent by the auditor,
 * with {@code @} by Bob, else by Alice (the prefix is cut off). At most {@link #MAX_LINES} lines count. Register and
 * login are not dispatched (they are {@code Users}'s, not the ledger's, and change nothing in the books).
 *
 * <p>What must hold after every line: no exception; no internal or storage error; a refused request ({@code ok:
 * false}) changed nothing, nor did a read, compared on the whole state (every account's balance, the last sequence
 * number); a money request commits at most one transaction; no checking account below 0, no loan above 0; the
 * books sum to 0; the reply can be written. After the last line, the committed transactions replayed into a new
 * ledger give the same books (the in-memory ledger's {@code verify}: the journal here keeps nothing, so the
 * auditor's {@code verify} is refused, which is itself a refusal that must change nothing; scripts/soak.sh runs
 * the real one).
 *
 * <p>Without {@code JAZZER_FUZZ} this runs as a regression test on the empty input and the files under
 * {@code src/test/resources/com/abcbank/server/DispatcherFuzzTestInputs/dispatch/}; scripts/fuzz.sh fuzzes it.
 */
class DispatcherFuzzTest {
    /** Set by scripts/fuzz.sh: Jazzer mutates inputs instead of running the committed ones. */
    private static final boolean FUZZING = System.getenv("JAZZER_FUZZ") != null
            && !System.getenv("JAZZER_FUZZ").isEmpty();
    /** The most one input may take in a regression run (a seed takes milliseconds). */
    private static final Duration INPUT_TIME_LIMIT = Duration.ofSeconds(10);

    static final int MAX_LINES = 64;
    private static final Instant NOW = Instant.parse("2026-12-02T10:00:00Z");
    private static final Caller ALICE = Caller.customer("Alice");
    private static final Caller BOB = Caller.customer("Bob");
    private static final Caller AUDITOR = Caller.auditor("Audit");
    /** What a request that reached the dispatcher may never be answered with. */
    private static final Set<ErrorCode> NEVER = EnumSet.of(
            ErrorCode.INTERNAL_ERROR,
            ErrorCode.STORAGE_FAILED,
            ErrorCode.MALFORMED_REQUEST,
            ErrorCode.UNKNOWN_OP,
            ErrorCode.LINE_TOO_LONG);

    @TempDir
    static Path usersDir;

    private static Users users;

    @BeforeAll
    static void openUsers() throws IOException {
        // The Dispatcher needs the users for login, which this test does not send: one set for every input.
        users = Users.open(
                usersDir,
                TestServer.PBKDF2_ITERATIONS,
                Clock.systemUTC(),
                new PrintStream(OutputStream.nullOutputStream()));
    }

    @FuzzTest(maxDuration = "60s")
    @DictionaryEntries({
        "{\"op\":\"",
        "\"account\":\"1001\"",
        "\"account\":\"1002\"",
        "\"account\":\"2001\"",
        "\"from\":\"1001\"",
        "\"to\":\"2001\"",
        "\"loan\":\"L100001\"",
        "\"amount\":",
        "\"key\":\"k\"",
        "\"after\":",
        "\"limit\":",
        "\"user\":\"Alice\"",
        "\"from\":\"2026-12-02T09:00:00Z\"",
        "deposit",
        "withdraw",
        "transfer",
        "create_account",
        "apply_loan",
        "pay_loan_check",
        "pay_loan_transfer",
        "balance",
        "history",
        "show_history",
        "show_accountholders",
        "report",
        "verify",
        "9223372036854775807",
        "-9223372036854775808",
        "\\x0a!", // libFuzzer dictionary syntax: a newline, then the auditor's prefix
        "\\x0a@"
    })
    void dispatch(byte[] input) throws IOException {
        // A hang fails too. Fuzzing, libFuzzer's -timeout (scripts/fuzz.sh) catches it and keeps the input; a JUnit
        // @Timeout would bound the whole fuzzing run instead of one input.
        if (FUZZING) {
            dispatchAll(input);
        } else {
            assertTimeoutPreemptively(INPUT_TIME_LIMIT, () -> dispatchAll(input));
        }
    }

    private static void dispatchAll(byte[] input) throws IOException {
        Bank bank = new Bank();
        int count = 0;
        for (byte[] line : lines(input)) {
            if (++count > MAX_LINES) {
                break;
            }
            bank.send(line);
        }
        bank.replayedBooksAreTheSame();
    }

    /** One small bank: Alice with two checking accounts and a loan, Bob with one; in memory, as of {@link #NOW}. */
    private static final class Bank {
        private final Ledger ledger;
        private final Dispatcher dispatcher;

        Bank() {
            Journal journal = new Journal(Path.of("unused"), Durability.NONE, 0, Journal.DEFAULT_SEGMENT_BYTES);
            ledger = new Ledger(LedgerConfig.defaults(), Clock.fixed(NOW, ZoneOffset.UTC), journal);
            dispatcher = new Dispatcher(ledger, users, journal);
            setUp(ALICE, new Request.CreateAccount("1001", 100_000L));
            setUp(ALICE, new Request.CreateAccount("1002", null));
            setUp(ALICE, new Request.ApplyLoan("1001", 50_000));
            setUp(BOB, new Request.CreateAccount("2001", 5_000L));
            assertEquals(4, ledger.lastSeq());
            assertEquals(-50_000, balance("L100001"), "the set-up loan is not L100001: update the seeds");
        }

        private void setUp(Caller caller, Request request) {
            Outcome<?> outcome = dispatcher.dispatch(caller, request);
            assertTrue(outcome.isOk(), () -> "set-up " + request + ": " + outcome);
        }

        private long balance(String number) {
            return ledger.snapshot().accounts().stream()
                    .filter(account -> account.number().equals(number))
                    .findFirst()
                    .orElseThrow()
                    .balanceCents();
        }

        void send(byte[] raw) throws IOException {
            Caller caller = ALICE;
            byte[] line = raw;
            if (raw.length > 0 && (raw[0] == '!' || raw[0] == '@')) {
                caller = raw[0] == '!' ? AUDITOR : BOB;
                line = Arrays.copyOfRange(raw, 1, raw.length);
            }
            Json.Parsed parsed = Json.parseRequest(line);
            if (parsed.failure() != null || LoginSession.handles(parsed.request())) {
                return; // the parser's refusal (RequestParserFuzzTest), or Users's business
            }
            Request request = parsed.request();
            String what = caller.user() + ": " + request;
            Snapshot before = ledger.snapshot();
            Outcome<?> outcome;
            try {
                outcome = dispatcher.dispatch(caller, request);
            } catch (RuntimeException e) {
                throw new AssertionError("the dispatcher threw on " + what, e);
            }
            Snapshot after = ledger.snapshot();

            assertNotNull(outcome, what);
            if (!outcome.isOk()) {
                Outcome<?> refused = outcome;
                assertFalse(NEVER.contains(refused.error()), () -> what + " -> " + refused);
                assertNotNull(refused.message(), what);
                assertFalse(refused.message().isBlank(), what);
                assertEquals(before, after, () -> "a refused request changed the books: " + what + " -> " + refused);
            } else if (!(request instanceof Request.Money)) {
                assertEquals(before, after, () -> "a read changed the books: " + what);
            } else {
                long committed = after.lastSeq() - before.lastSeq();
                assertTrue(committed == 0 || committed == 1, () -> what + " committed " + committed + " transactions");
            }
            booksHold(after, what);
            writeReply(parsed, outcome, what);
        }

        private static void booksHold(Snapshot books, String what) {
            assertEquals(0, books.sumCents(), () -> "the books do not sum to 0 after " + what);
            for (AccountView account : books.accounts()) {
                if (account.kind() == AccountKind.CHECKING) {
                    assertTrue(account.balanceCents() >= 0, () -> "checking below 0 after " + what + ": " + account);
                } else if (account.kind() == AccountKind.LOAN) {
                    assertTrue(account.balanceCents() <= 0, () -> "a loan above 0 after " + what + ": " + account);
                }
            }
            Map<String, Long> owed = new HashMap<>();
            for (AccountView account : books.accounts()) {
                owed.merge(account.owner() == null ? "" : account.owner(), account.outstandingCents(), Long::sum);
            }
            owed.forEach((owner, cents) -> assertTrue(
                    cents <= LedgerConfig.DEFAULT_LOAN_LIMIT_CENTS,
                    () -> owner + " owes " + cents + ", over the loan limit, after " + what));
        }

        /** As Connection writes it: the result record straight into the stream. */
        private static void writeReply(Json.Parsed parsed, Outcome<?> outcome, String what) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try {
                if (outcome.isOk()) {
                    Json.writeReply(out, parsed, outcome.value());
                } else {
                    Json.writeFailure(out, parsed, new Failure(outcome.error(), outcome.message()));
                }
            } catch (IOException | RuntimeException e) {
                throw new AssertionError("cannot write the reply to " + what, e);
            }
            assertEquals(
                    outcome.isOk(),
                    Json.parseReply(out.toString(java.nio.charset.StandardCharsets.UTF_8)
                                    .strip())
                            .ok());
        }

        /** Every committed transaction, replayed into a new ledger, gives the same books: an in-memory verify. */
        void replayedBooksAreTheSame() {
            Snapshot live = ledger.snapshot();
            Ledger replayed = new Ledger(LedgerConfig.defaults(), Clock.fixed(NOW, ZoneOffset.UTC));
            for (long seq = 1; seq <= live.lastSeq(); seq++) {
                try {
                    replayed.replay(ledger.transaction(seq));
                } catch (RuntimeException e) {
                    fail("transaction " + seq + " does not replay: " + ledger.transaction(seq), e);
                }
            }
            assertEquals(live, replayed.snapshot(), "the replayed journal disagrees with the live books");
        }
    }

    /** The input's lines, split at {@code \n} (a {@code \r} before it is dropped, as LineReader does). */
    static List<byte[]> lines(byte[] input) {
        List<byte[]> lines = new java.util.ArrayList<>();
        int start = 0;
        for (int i = 0; i <= input.length; i++) {
            if (i == input.length || input[i] == '\n') {
                int end = i > start && input[i - 1] == '\r' ? i - 1 : i;
                lines.add(Arrays.copyOfRange(input, start, end));
                start = i + 1;
            }
        }
        return lines;
    }
}
