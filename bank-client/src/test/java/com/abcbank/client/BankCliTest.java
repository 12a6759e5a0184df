package com.abcbank.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abcbank.protocol.Request;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.ParseResult;

/** Argument parsing of every command: what each command line turns into, and what is a usage error. */
class BankCliTest {
    @TempDir
    Path home;

    /** Every run points at a port where nothing listens: a usage error that still connected would exit 75, not 2. */
    private Map<String, String> env;

    @BeforeEach
    void environment() throws IOException {
        env = new HashMap<>(Map.of(
                "BANK_PORT",
                Integer.toString(FakeBankServer.closedPort()),
                "BANK_PASSWORD",
                "secret",
                "BANK_CREDENTIALS",
                home.resolve("credentials").toString()));
    }

    private BankCli cli(Map<String, String> environment) {
        return new BankCli(environment, new ByteArrayInputStream(new byte[0]), home, 1_000, 1_000);
    }

    private static Request requestOf(ParseResult parsed) {
        return ((Operation) parsed.subcommand().commandSpec().userObject()).request();
    }

    static Stream<Arguments> commandLines() {
        return Stream.of(
                Arguments.of("Alice create_account 1001 500", new Request.CreateAccount("1001", 50_000L)),
                Arguments.of("Alice create_account 1001", new Request.CreateAccount("1001", null)),
                Arguments.of("Alice create_account 1001 0", new Request.CreateAccount("1001", null)),
                Arguments.of("Alice create_account 1001 0.00", new Request.CreateAccount("1001", null)),
                Arguments.of("Alice deposit 1001 200", new Request.Deposit("1001", 20_000)),
                Arguments.of("Alice deposit 1001 19.99", new Request.Deposit("1001", 1_999)),
                Arguments.of("Alice deposit 1001 1,000.00", new Request.Deposit("1001", 100_000)),
                Arguments.of("Alice withdraw 1001 50", new Request.Withdraw("1001", 5_000)),
                Arguments.of("Alice transfer 1001 1002 50", new Request.Transfer("1001", "1002", 5_000)),
                Arguments.of("Alice apply_loan 1001 1000", new Request.ApplyLoan("1001", 100_000)),
                Arguments.of("Alice pay_loan_check L100001 100", new Request.PayLoanCheck("L100001", 10_000)),
                Arguments.of(
                        "Alice pay_loan_transfer 1001 L100001 100",
                        new Request.PayLoanTransfer("1001", "L100001", 10_000)),
                Arguments.of("Alice balance 1001", new Request.Balance("1001")),
                Arguments.of("Alice history 1001", new Request.History("1001", null, null)),
                Arguments.of("Alice history 1001 --after 5 --limit 10", new Request.History("1001", 5L, 10)),
                Arguments.of("Alice history --limit=10 1001 --all", new Request.History("1001", null, 10)),
                Arguments.of("Audit show_accountholders", new Request.ShowAccountholders()),
                Arguments.of("Audit show_history", new Request.ShowHistory(null, null, null, null, null, null)),
                Arguments.of(
                        "Audit show_history --after 3 --limit 50 --account 1001 --user Bob"
                                + " --from 2026-11-23T10:00:00Z --to 2026-11-24T00:00:00Z",
                        new Request.ShowHistory(3L, 50, "1001", "Bob", "2026-11-23T10:00:00Z", "2026-11-24T00:00:00Z")),
                Arguments.of("Audit report", new Request.Report()),
                Arguments.of("Audit verify", new Request.Verify()),
                Arguments.of(
                        "Audit show_security_events",
                        new Request.ShowSecurityEvents(null, null, null, null, null, null)),
                Arguments.of(
                        "Audit show_security_events --after 3 --limit 50 --kind login_failed --user Bob"
                                + " --from 2026-11-23T10:00:00Z --to 2026-11-24T00:00:00Z",
                        new Request.ShowSecurityEvents(
                                3L, 50, "LOGIN_FAILED", "Bob", "2026-11-23T10:00:00Z", "2026-11-24T00:00:00Z")),
                Arguments.of("Alice withdraw 1001 50 --key retry-7", new Request.Withdraw("1001", 5_000, "retry-7")),
                Arguments.of(
                        "Alice create_account --key=" + "k".repeat(64) + " 1001",
                        new Request.CreateAccount("1001", null, "k".repeat(64))));
    }

    /**
     * A money movement carries a key: the one --key gives, else a new UUID (compared here key aside, since it is
     * random). A read carries none.
     */
    @ParameterizedTest
    @MethodSource("commandLines")
    void everyCommandParsesToItsRequest(String line, Request expected) {
        ParseResult parsed = BankCli.commandLine(cli(env)).parseArgs(line.split(" ", -1));
        assertEquals(line.split(" ", -1)[0], ((BankCli) parsed.commandSpec().userObject()).user);
        Request actual = requestOf(parsed);
        String key = IdempotencyKeys.of(actual);
        if (!(parsed.subcommand().commandSpec().userObject() instanceof MoneyCommand)) {
            assertNull(key, line);
            assertEquals(expected, actual);
        } else if (IdempotencyKeys.of(expected) != null) {
            assertEquals(expected, actual);
        } else {
            assertTrue(key != null && key.matches(UUID), line + ": " + key);
            assertEquals(expected, FakeBankServer.withoutKey(actual));
        }
    }

    static final String UUID = "\\p{XDigit}{8}-\\p{XDigit}{4}-4\\p{XDigit}{3}-[89ab]\\p{XDigit}{3}-\\p{XDigit}{12}";

    @Test
    void globalOptionsGoBeforeTheUserOrAfterTheCommand() {
        BankCli before = cli(env);
        ParseResult first = BankCli.commandLine(before)
                .parseArgs("--host", "bank.example", "--port", "6000", "--json", "Alice", "balance", "1001");
        BankCli after = cli(env);
        ParseResult second = BankCli.commandLine(after)
                .parseArgs("Alice", "balance", "1001", "--json", "--port=6001", "--host=other");
        Endpoint beforeEndpoint = before.endpoint(first.commandSpec());
        Endpoint afterEndpoint = after.endpoint(second.commandSpec());
        assertEquals(
                List.of("bank.example", 6000, true),
                List.of(beforeEndpoint.host(), beforeEndpoint.port(), before.json()));
        assertEquals(List.of("other", 6001, true), List.of(afterEndpoint.host(), afterEndpoint.port(), after.json()));
    }

    @Test
    void hostAndPortComeFromTheEnvironmentElseTheDefaults() {
        BankCli fromEnv = cli(Map.of("BANK_HOST", "10.0.0.7", "BANK_PORT", "7070"));
        ParseResult first = BankCli.commandLine(fromEnv).parseArgs("Alice", "balance", "1001");
        BankCli defaults = cli(Map.of());
        ParseResult second = BankCli.commandLine(defaults).parseArgs("Alice", "balance", "1001");
        Endpoint environment = fromEnv.endpoint(first.commandSpec());
        Endpoint fallback = defaults.endpoint(second.commandSpec());
        assertEquals(List.of("10.0.0.7", 7070), List.of(environment.host(), environment.port()));
        assertEquals(List.of("127.0.0.1", 5050), List.of(fallback.host(), fallback.port()));
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "Alice deposit 1001                     | Missing required parameter: 'AMOUNT'",
                "Alice deposit 1001 -5                  | invalid AMOUNT '-5': amount must be positive",
                "Alice deposit 1001 0                   | invalid AMOUNT '0': amount must be positive",
                "Alice deposit 1001 12.345              | invalid AMOUNT '12.345': amount has more than two decimal places",
                "Alice deposit 1001 abc                 | invalid AMOUNT 'abc': not an amount (write it like 200",
                "Alice deposit 1001 1000000.01          | invalid AMOUNT '1000000.01': amount is above the maximum of 1,000,000.00",
                "Alice deposit 1001 200 300             | Unmatched argument",
                "Alice create_account 1001 1.001        | invalid AMOUNT '1.001': amount has more than two decimal places",
                "Alice create_account 1001 -0           | invalid AMOUNT '-0': amount must be positive",
                "Alice create_account 1001 0.001        | invalid AMOUNT '0.001': amount has more than two decimal places",
                "Alice withdraw 1001 0                  | invalid AMOUNT '0': amount must be positive",
                "Alice transfer 1001 1002 0.00          | invalid AMOUNT '0.00': amount must be positive",
                "Alice apply_loan 1001 0                | invalid AMOUNT '0': amount must be positive",
                "Alice pay_loan_check L100001 0         | invalid AMOUNT '0': amount must be positive",
                "Alice pay_loan_transfer 1001 L100001 0 | invalid AMOUNT '0': amount must be positive",
                "Alice withdraw 1001                    | Missing required parameter: 'AMOUNT'",
                "Alice transfer 1001 1002               | Missing required parameter: 'AMOUNT'",
                "Alice transfer 1001 1002 x             | invalid AMOUNT 'x': not an amount",
                "Alice apply_loan 1001                  | Missing required parameter: 'AMOUNT'",
                "Alice pay_loan_check L100001 -1        | amount must be positive",
                "Alice pay_loan_transfer 1001 L100001   | Missing required parameter: 'AMOUNT'",
                "Alice balance                          | Missing required parameter: 'ACCOUNT'",
                "Alice balance 1001 1002                | Unmatched argument",
                "Alice history                          | Missing required parameter: 'ACCOUNT'",
                "Alice deposit 1001 5 --key             | Missing required parameter for option '--key' (KEY)",
                "Alice withdraw 1001 5 --key k\u00e9y      | Invalid value for option '--key': a key is 1 to 64 printable ASCII characters without spaces",
                "Alice balance 1001 --key k             | Unknown options: '--key', 'k'",
                "Audit verify --key k                   | Unknown options: '--key', 'k'",
                "Audit verify extra                     | Unmatched argument",
                "Alice history 1001 --limit 0           | Invalid value for option '--limit': must be at least 1: 0",
                "Alice history 1001 --after -1          | Invalid value for option '--after': must be 0 or more: -1",
                "Alice history 1001 --limit many        | Invalid value for option '--limit': not a whole number: 'many'",
                "Audit show_history --limit 0           | Invalid value for option '--limit': must be at least 1",
                "Audit show_accountholders extra        | Unmatched argument",
                "Audit show_history --from yesterday    | not an ISO-8601 instant: 'yesterday'",
                "Audit show_history --to 2026-11-23     | not an ISO-8601 instant",
                "Audit show_security_events --kind HACK | Invalid value for option '--kind': not a kind of event: 'HACK'",
                "Audit report --all                     | Unknown option: '--all'",
                "Alice register extra                   | Unmatched argument",
                "Alice withdrawl 1001 5                 | unknown command 'withdrawl'",
                "Alice                                  | missing COMMAND: client [OPTIONS] USER COMMAND [ARGS]",
                "deposit 1001 200                       | Missing required parameter: 'USER'",
                "--port 0 Alice balance 1001            | port must be 1 to 65535: 0",
                "Alice balance 1001 --port 65536        | port must be 1 to 65535: 65536",
            })
    void badUsageExits2WithTheReasonAndSendsNothing(String line, String reason) {
        CliRunner.Run run = CliRunner.run(env, home, line.split(" "));
        assertEquals(ExitCodes.USAGE, run.exitCode(), run.err());
        assertTrue(run.err().startsWith("error: "), run.err());
        assertTrue(run.err().contains(reason), run.err());
        assertEquals("", run.out());
    }

    @Test
    void aPortInTheEnvironmentThatIsNotANumberIsAUsageError() {
        env.put("BANK_PORT", "fifty");
        CliRunner.Run run = CliRunner.run(env, home, "Alice", "balance", "1001");
        assertEquals(ExitCodes.USAGE, run.exitCode());
        assertTrue(run.err().contains("BANK_PORT is not a port number: 'fifty'"), run.err());
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "''                         | missing COMMAND: client [OPTIONS] USER COMMAND [ARGS]",
                "Alice                      | missing COMMAND: client [OPTIONS] USER COMMAND [ARGS]",
                "--json Alice               | missing COMMAND: client [OPTIONS] USER COMMAND [ARGS]",
                "Alice frobnicate 1001      | unknown command 'frobnicate'",
            })
    void noCommandOrAnUnknownOneIsSaidInWordsWithNothingElse(String line, String reason) {
        CliRunner.Run run = CliRunner.run(env, home, line.isEmpty() ? new String[0] : line.split(" "));
        assertEquals(ExitCodes.USAGE, run.exitCode(), run.err());
        assertEquals("error: " + reason + "\nTry 'client --help' for more information.\n", run.err());
        assertEquals("", run.out());
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '"',
            value = {
                "balanc      | 'balance'",
                "Balance     | 'balance'",
                "withdrawl   | 'withdraw'",
                "histroy     | 'history'",
                "creat_account | 'create_account'",
                "loan        | 'apply_loan', 'pay_loan_transfer' or 'pay_loan_check'",
            })
    void anUnknownCommandSuggestsOnlyCloseNames(String typed, String suggested) {
        CliRunner.Run run = CliRunner.run(env, home, "Alice", typed, "1001");
        assertEquals(ExitCodes.USAGE, run.exitCode(), run.err());
        assertEquals(
                List.of(
                        "error: unknown command '" + typed + "'",
                        "Did you mean " + suggested + "?",
                        "Try 'client --help' for more information."),
                run.err().lines().toList());
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "frobnicate | create_account", "frobnicate | batch", "frobnicate | register",
                "histroy    | show_history", "balanc     | batch", "x          | report",
            })
    void aFarNameIsNoSuggestion(String typed, String command) {
        assertFalse(CliHelp.looksLike(typed, command));
    }

    @Test
    void anUnknownOptionAtTheTopIsStillPicocliFindingIt() {
        CliRunner.Run run = CliRunner.run(env, home, "Alice", "--jsn", "balance", "1001");
        assertEquals(ExitCodes.USAGE, run.exitCode());
        assertTrue(run.err().startsWith("error: Unknown option: '--jsn'\n"), run.err());
        assertTrue(run.err().contains("--json"), run.err());
    }

    static Stream<String> commandNames() {
        return BankCli.commandLine(new BankCli(Map.of(), new ByteArrayInputStream(new byte[0]), Path.of("."), 1, 1))
                .getSubcommands()
                .keySet()
                .stream();
    }

    /**
     * Every command that runs as a USER: all but bench, which registers its own (BenchCommandTest), and demo, which
     * runs locally as nobody (DemoCommandTest).
     */
    static Stream<String> userCommandNames() {
        return commandNames().filter(name -> !name.equals(BenchCommand.NAME) && !name.equals(DemoCommand.NAME));
    }

    @ParameterizedTest
    @MethodSource("userCommandNames")
    void everyCommandHasHelpThatShowsWhereTheUserGoes(String name) {
        CliRunner.Run withUser = CliRunner.run(env, home, "Alice", name, "--help");
        CliRunner.Run withoutUser = CliRunner.run(env, home, name, "--help");
        assertEquals(0, withUser.exitCode(), withUser.err());
        assertTrue(withUser.out().startsWith("Usage: client USER " + name + " "), withUser.out());
        assertEquals(withUser, withoutUser);
    }

    @ParameterizedTest
    @MethodSource("userCommandNames")
    void onAColourTerminalTooTheHelpShowsWhereTheUserGoes(String name) {
        CommandLine client = BankCli.commandLine(cli(env));
        client.setColorScheme(CommandLine.Help.defaultColorScheme(CommandLine.Help.Ansi.ON));
        String usage = client.getSubcommands().get(name).getUsageMessage();
        assertTrue(usage.contains("\u001B["), "no colour: the test tests nothing");
        assertTrue(usage.replaceAll("\u001B\\[[\\d;]*m", "").startsWith("Usage: client USER " + name + " "), usage);
    }

    @Test
    void topLevelHelpListsEveryCommandAndEveryExitCode() {
        CliRunner.Run run = CliRunner.run(env, home, "--help");
        assertEquals(0, run.exitCode());
        assertTrue(run.out().startsWith("Usage: client [OPTIONS] USER COMMAND [ARGS]\n"), run.out());
        assertTrue(run.out().lines().anyMatch(l -> l.matches(" +USER +The customer .*")), run.out());
        assertFalse(run.out().contains("[USER]"), run.out());
        commandNames().forEach(name -> assertTrue(run.out().contains("  " + name + " "), name));
        for (int code : new int[] {
            ExitCodes.OK,
            ExitCodes.USAGE,
            ExitCodes.REFUSED,
            ExitCodes.AUTH,
            ExitCodes.UNVERIFIED,
            ExitCodes.DEGRADED,
            ExitCodes.UNAVAILABLE,
            ExitCodes.PROTOCOL
        }) {
            assertTrue(run.out().lines().anyMatch(l -> l.strip().startsWith(code + " ")), "exit code " + code);
        }
        assertTrue(run.out().lines().anyMatch(l -> l.matches(" +5 +the books did not verify")), run.out());
    }

    @Test
    void aKeyLongerThanTheServerTakesIsAUsageError() {
        CliRunner.Run run = CliRunner.run(env, home, "Alice", "deposit", "1001", "5", "--key", "k".repeat(65));
        assertEquals(ExitCodes.USAGE, run.exitCode(), run.err());
        assertTrue(run.err().contains("a key is 1 to 64 printable ASCII characters without spaces"), run.err());
    }

    @Test
    void everyMoneyCommandsHelpOffersKeyAndNoOtherDoes() {
        commandNames().forEach(name -> {
            CliRunner.Run help = CliRunner.run(env, home, name, "--help");
            boolean moves =
                    BankCli.commandLine(cli(env)).getSubcommands().get(name).getCommand() instanceof MoneyCommand;
            assertEquals(moves, help.out().contains("--key=KEY"), name + ": " + help.out());
        });
        assertEquals(
                7,
                commandNames()
                        .filter(name -> BankCli.commandLine(cli(env))
                                        .getSubcommands()
                                        .get(name)
                                        .getCommand()
                                instanceof MoneyCommand)
                        .count());
    }

    @ParameterizedTest
    @MethodSource("commandNames")
    void everyPositionalParameterIsDescribed(String name) {
        CommandLine command = BankCli.commandLine(cli(env)).getSubcommands().get(name);
        for (PositionalParamSpec positional : command.getCommandSpec().positionalParameters()) {
            String description = String.join(" ", positional.description());
            assertFalse(description.isBlank(), name + " " + positional.paramLabel());
            if (positional.paramLabel().equals("AMOUNT")) {
                assertTrue(description.endsWith(CentsConverter.HELP), name + ": " + description);
            }
        }
        CliRunner.Run help = CliRunner.run(env, home, name, "--help");
        for (PositionalParamSpec positional : command.getCommandSpec().positionalParameters()) {
            assertTrue(
                    help.out().lines().anyMatch(l -> l.matches(" +\\[?" + positional.paramLabel() + "]? +\\S.*")),
                    help.out());
        }
    }

    @Test
    void amountHelpSaysHowToWriteOne() {
        CliRunner.Run run = CliRunner.run(env, home, "deposit", "--help");
        assertTrue(
                run.out().contains("AMOUNT                 The amount to pay in. Decimal, e.g. 200 or 19.99;"),
                run.out());
        assertTrue(run.out().contains("at most two decimals."), run.out());
    }

    @Test
    void versionComesFromTheBuild() {
        CliRunner.Run run = CliRunner.run(env, home, "--version");
        assertEquals(0, run.exitCode());
        assertTrue(run.out().matches("client \\d+\\.\\d+\\.\\d+.*\\R"), run.out());
        assertFalse(run.out().contains("${"), run.out());
    }

    @Test
    void aStandAloneCommandForgetsThePreviousLinesArguments() {
        // Guards the batch design: picocli resets fields on each parse of a stand-alone command.
        CommandLine history = new CommandLine(HistoryCommand.class);
        history.parseArgs("1001", "--limit", "5", "--after", "7");
        history.parseArgs("1002");
        assertEquals(new Request.History("1002", null, null), ((Operation) history.getCommand()).request());
        CommandLine showHistory = new CommandLine(ShowHistoryCommand.class);
        showHistory.parseArgs("--user", "Bob", "--from", "2026-11-23T10:00:00Z", "--limit", "3");
        showHistory.parseArgs("--account", "1001");
        assertEquals(
                new Request.ShowHistory(null, null, "1001", null, null, null),
                ((Operation) showHistory.getCommand()).request());
        CommandLine withdraw = new CommandLine(WithdrawCommand.class);
        withdraw.parseArgs("1001", "5", "--key", "first-line");
        withdraw.parseArgs("1001", "5");
        assertTrue(IdempotencyKeys.of(((Operation) withdraw.getCommand()).request())
                .matches(UUID));
    }
}
