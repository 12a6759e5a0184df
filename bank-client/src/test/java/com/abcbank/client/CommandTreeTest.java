package com.abcbank.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The lean command tree that main builds for a line runs that line as the whole tree does. */
@Timeout(20)
class CommandTreeTest {
    @TempDir
    Path home;

    /** One closed port for both runs of a line: the port is in the messages compared. */
    private int closedPort;

    @BeforeEach
    void findClosedPort() throws IOException {
        closedPort = FakeBankServer.closedPort();
    }

    private record Outcome(int exitCode, String out, String err) {}

    /** Runs {@code line} against a port nobody listens on, so that every command that gets as far as connecting fails there. */
    private Outcome run(boolean lean, String line) {
        Map<String, String> env = Map.of(
                "BANK_PORT",
                Integer.toString(closedPort),
                "BANK_PASSWORD",
                "pw",
                "BANK_CREDENTIALS",
                home.resolve("credentials").toString());
        BankCli cli = new BankCli(env, new ByteArrayInputStream(new byte[0]), home, 2_000, 2_000);
        String[] args = line.isEmpty() ? new String[0] : line.split(" ");
        CommandLine commandLine = lean ? CommandTree.forArgs(cli, args) : CommandTree.all(cli);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exitCode = commandLine.execute(args);
        return new Outcome(exitCode, out.toString(), err.toString());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "Alice balance 1001",
                "Alice balance 1001 --json",
                "--json Alice balance 1001",
                "--port 0 Alice balance 1001",
                "--port 70000 Alice balance 1001",
                "Alice balance 1001 --host",
                "Alice balance",
                "Alice balance 1001 1002",
                "balance 1001",
                "report balance 1001",
                "Alice balnce 1001",
                "Alice balance --help",
                "Alice deposit 1001 200",
                "Alice deposit 1001 12.505",
                "Alice deposit 1001 -5",
                "Alice withdraw 1001 5",
                "Alice transfer 1001 2001 5 --key k1",
                "Alice transfer 1001 2001",
                "Alice create_account 1001 500",
                "Alice apply_loan 1001 100",
                "Alice pay_loan_check L100001 10",
                "Alice pay_loan_transfer 1001 L100001 5",
                "Alice history 1001 --limit 0",
                "Alice history 1001 --all",
                "Audit show_history --after -1",
                "Audit show_accountholders",
                "Audit report",
                "Audit verify",
                "Alice register",
                "Alice",
                "",
                "--help",
                "-V",
                "Alice balance 1001 @missing-file",
                "Alice demo race",
                "demo",
                "demo race --threads 0",
                "demo race --help",
                "demo contention --threads 0",
                "demo contention --help"
            })
    void aLineRunsInTheLeanTreeAsInTheWholeOne(String line) {
        Outcome whole = run(false, line);
        assertEquals(whole, run(true, line));
    }

    @Test
    void aOneShotLineBuildsOnlyItsCommand() {
        assertEquals(List.of("balance"), CommandTree.named(new String[] {"Alice", "balance", "1001"}));
        assertEquals(List.of("balance"), CommandTree.named(new String[] {"--json", "Alice", "balance", "1001"}));
        // A user named like a command: both names, as picocli would see either.
        assertEquals(List.of("balance", "report"), CommandTree.named(new String[] {"report", "balance", "1001"}));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Alice batch", "bench --duration 1", "Alice balance 1001 --help", "-V", "@args", "Alice"})
    void aLineThatNeedsTheWholeTreeGetsIt(String line) {
        assertEquals(List.of(), CommandTree.named(line.split(" ")));
    }

    @Test
    void namesAreTheCommandsOwnNamesInHelpOrder() {
        for (String name : CommandTree.NAMES) {
            Command command = CommandTree.create(name).getClass().getAnnotation(Command.class);
            assertEquals(name, command.name());
        }
        CommandLine whole = CommandTree.all(new BankCli(Map.of(), new ByteArrayInputStream(new byte[0]), home, 1, 1));
        assertEquals(CommandTree.NAMES, List.copyOf(whole.getSubcommands().keySet()));
        String help = whole.getUsageMessage(CommandLine.Help.Ansi.OFF);
        int previous = -1;
        for (String name : CommandTree.NAMES) {
            int at = help.indexOf("  " + name + " ");
            assertTrue(at > previous, name + " listed out of order in:\n" + help);
            previous = at;
        }
    }
}
