package com.abcbank.client;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine;

/** Runs the client in-process with a given environment and standard input, capturing out and err. */
final class CliRunner {
    record Run(int exitCode, String out, String err) {}

    private CliRunner() {}

    static Run run(Map<String, String> env, Path home, String stdin, int readTimeoutMs, String... args) {
        BankCli cli = new BankCli(
                env, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), home, 2_000, readTimeoutMs);
        CommandLine commandLine = CommandTree.forArgs(cli, args); // as main builds it
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exitCode = commandLine.execute(args);
        return new Run(exitCode, out.toString(), err.toString());
    }

    static Run run(Map<String, String> env, Path home, String... args) {
        return run(env, home, "", 5_000, args);
    }
}
