package com.abcbank.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abcbank.protocol.Request;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BatchScriptTest {
    @TempDir
    Path home;

    private static BatchScript script() {
        BankCli cli = new BankCli(Map.of(), new ByteArrayInputStream(new byte[0]), Path.of("."), 1, 1);
        return new BatchScript(BankCli.commandLine(cli).getSubcommands());
    }

    private static List<BatchScript.Step> parse(String text) throws Exception {
        return script().parse(new StringReader(text));
    }

    @Test
    void eachCommandLineBecomesAStepWithItsLineNumber() throws Exception {
        List<BatchScript.Step> steps = parse("""
                # opening
                create_account 1001 500

                deposit 1001 200
                  withdraw   1001   19.99\t
                transfer 1001 1002 1,000.00
                history 1001 --limit 5
                deposit 1002 1""");
        assertEquals(
                List.of(2, 4, 5, 6, 7, 8),
                steps.stream().map(BatchScript.Step::line).toList());
        assertEquals(
                List.of(
                        new Request.CreateAccount("1001", 50_000L),
                        new Request.Deposit("1001", 20_000),
                        new Request.Withdraw("1001", 1_999),
                        new Request.Transfer("1001", "1002", 100_000),
                        new Request.History("1001", null, 5),
                        new Request.Deposit("1002", 100)),
                steps.stream()
                        .map(BatchScript.Step::request)
                        .map(FakeBankServer::withoutKey)
                        .toList());
        assertTrue(steps.get(0).operation() instanceof CreateAccountCommand);
    }

    @Test
    void everyMoneyLineHasAFreshKeyAndReadsHaveNone() throws Exception {
        List<BatchScript.Step> steps = parse("""
                deposit 1001 200
                deposit 1001 200
                withdraw 1001 5 --key mine-1
                balance 1001
                withdraw 1001 5
                """);
        List<String> keys =
                steps.stream().map(step -> IdempotencyKeys.of(step.request())).toList();
        assertTrue(keys.get(0).matches(BankCliTest.UUID), keys.get(0));
        assertTrue(keys.get(1).matches(BankCliTest.UUID), keys.get(1));
        assertNotEquals(keys.get(0), keys.get(1), "the same line twice is two deposits, not one sent twice");
        assertEquals("mine-1", keys.get(2));
        assertNull(keys.get(3));
        assertTrue(keys.get(4).matches(BankCliTest.UUID), "--key of line 3 leaked into line 5: " + keys.get(4));
    }

    @Test
    void anEmptyBatchHasNoSteps() throws Exception {
        assertEquals(List.of(), parse("\n# nothing\n   \n"));
    }

    @Test
    void crlfLineEndingsAreFine() throws Exception {
        assertEquals(
                List.of(new Request.Balance("1001"), new Request.Balance("1002")),
                parse("balance 1001\r\nbalance 1002\r\n").stream()
                        .map(BatchScript.Step::request)
                        .toList());
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "deposit 1001 -5                 | line 3: deposit: invalid AMOUNT '-5': amount must be positive",
                "deposit 1001                    | line 3: deposit: Missing required parameter: 'AMOUNT'",
                "depositt 1001 5                 | line 3: not a command: 'depositt'",
                "batch other.txt                 | line 3: 'batch' cannot run inside a batch",
                "register                        | line 3: 'register' cannot run inside a batch",
                "history 1001 --all              | line 3: --all is not available in a batch",
                "balance 1001 --json             | line 3: balance: Unknown option: '--json'",
                "--host elsewhere balance 1001   | line 3: not a command: '--host'",
                "Alice deposit 1001 5            | line 3: not a command: 'Alice'",
                "show_history --from noon        | line 3: show_history: Invalid value for option '--from': not an ISO-8601 instant",
            })
    void aBadLineIsReportedByItsNumber(String bad, String message) {
        BatchScript.InvalidLine e = assertThrows(
                BatchScript.InvalidLine.class,
                () -> parse("deposit 1001 5\n# fine so far\n" + bad + "\ndeposit 1001 5\n"));
        assertTrue(e.getMessage().startsWith(message), e.getMessage());
    }

    @Test
    void anOverlongLineIsRefusedBeforeItIsHeldInMemory() {
        String line = "deposit 1001 " + "9".repeat(BatchScript.MAX_LINE_CHARS);
        BatchScript.InvalidLine e = assertThrows(BatchScript.InvalidLine.class, () -> parse("balance 1001\n" + line));
        assertTrue(e.getMessage().startsWith("line 2: longer than"), e.getMessage());
    }

    @Test
    void aBadLineFailsTheWholeBatchWithExit2AndNothingIsSent() throws IOException {
        Path file = Files.writeString(
                home.resolve("jobs.txt"), "deposit 1001 200\nwithdraw 1001 50\ntransfer 1001 1002 12.345\n");
        // Nothing listens on the port: had the client connected, it would exit 75.
        Map<String, String> env =
                Map.of("BANK_PORT", Integer.toString(FakeBankServer.closedPort()), "BANK_PASSWORD", "pw");
        CliRunner.Run run = CliRunner.run(env, home, "Alice", "batch", file.toString());
        assertEquals(ExitCodes.USAGE, run.exitCode(), run.err());
        assertTrue(run.err().startsWith("error: line 3: transfer: "), run.err());
        assertTrue(
                run.err()
                        .startsWith(
                                "error: line 3: transfer: invalid AMOUNT '12.345': amount has more than two decimal places\n"),
                run.err());
        assertEquals("", run.out());
    }

    @Test
    void aMissingFileIsAUsageError() throws IOException {
        Map<String, String> env =
                Map.of("BANK_PORT", Integer.toString(FakeBankServer.closedPort()), "BANK_PASSWORD", "pw");
        Path missing = home.resolve("none.txt");
        CliRunner.Run run = CliRunner.run(env, home, "Alice", "batch", missing.toString());
        assertEquals(ExitCodes.USAGE, run.exitCode());
        assertTrue(run.err().startsWith("error: cannot read " + missing + ": no such file\n"), run.err());
    }
}
