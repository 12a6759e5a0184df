package com.abcbank.client;

import com.abcbank.protocol.Reply;
import com.abcbank.protocol.Request;
import com.abcbank.protocol.Scram;
import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * Changes USER's password, the auditor's included: logs in with the current one, derives the new one's SCRAM
 * verifier here (the server never sees a password), sends it, and, if the credentials file held USER's secret,
 * puts the new keys there in its place.
 */
@Command(
        name = "passwd",
        description = {
            "Change USER's password (the auditor's too). Logs in with the current password as usual; the new one is",
            "read from --new-password-file, else asked twice on the terminal. Only its SCRAM verifier is sent.",
            "If the credentials file held USER's secret, the new keys replace it."
        })
final class PasswdCommand implements Callable<Integer> {
    @ParentCommand
    BankCli cli;

    @Spec
    CommandSpec spec;

    @Option(
            names = "--new-password-file",
            paramLabel = "FILE",
            description = "Read the new password from the first line of FILE.")
    Path newPasswordFile;

    @Override
    public Integer call() {
        char[] password = newPassword();
        try {
            RegisterCommand.checkPassword(new String(password));
            Login any = cli.login(spec);
            Optional<String> old = any.password();
            // With --servers, at the first node that connects; its login finds a secret saved for any of them.
            List<Endpoint> servers = cli.servers(spec);
            FailoverConnection.Connected connected = FailoverConnection.connectFirst(
                    servers,
                    0,
                    (server, enrol) -> any.at(server, servers).connect(false),
                    false,
                    spec.commandLine().getErr());
            Login login = any.at(servers.get(connected.index()), servers);
            try (BankConnection bank = connected.bank()) {
                Scram.ClientKeys keys = Scram.newKeys(password, Scram.PASSWORD_ITERATIONS);
                Reply reply = bank.call(new Request.Passwd(keys.verifier()));
                if (!reply.ok()) {
                    throw ClientException.refused(reply.error());
                }
                PrintWriter out = spec.commandLine().getOut();
                out.println("Password changed for " + login.user());
                // The secret the login used may have become keys in the file by now: look it up afresh.
                Optional<String> saved = login.savedSecret();
                if (old.isPresent() && saved.isPresent()) {
                    if (login.replaceSaved(saved.get(), keys)) {
                        out.println("Its new login keys replace the old secret in "
                                + login.credentials().path());
                    } else {
                        spec.commandLine()
                                .getErr()
                                .println("warning: " + login.credentials().path() + " still holds the old secret of "
                                        + login.user() + ": replace it, or later logins will fail");
                    }
                }
            } catch (IOException e) {
                throw new ClientException(
                        ExitCodes.AUTH,
                        "the password changed, but the credentials file could not be updated: "
                                + ClientException.describe(e),
                        e);
            }
            return ExitCodes.OK;
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    private char[] newPassword() {
        if (newPasswordFile != null) {
            try (BufferedReader reader = Files.newBufferedReader(newPasswordFile, StandardCharsets.UTF_8)) {
                String first = reader.readLine();
                if (first == null || first.isEmpty()) {
                    throw new ClientException(
                            ExitCodes.USAGE, "no password in " + newPasswordFile + ": its first line is empty");
                }
                return first.toCharArray();
            } catch (IOException e) {
                throw new ClientException(
                        ExitCodes.USAGE, "cannot read " + newPasswordFile + ": " + ClientException.describe(e), e);
            }
        }
        Console console = System.console();
        if (console == null) {
            throw new ClientException(
                    ExitCodes.USAGE, "no terminal to ask for the new password: use --new-password-file");
        }
        char[] first = console.readPassword("New password for %s: ", cli.user(spec));
        char[] again = console.readPassword("Again: ");
        if (first == null || again == null || !Arrays.equals(first, again)) {
            throw new ClientException(ExitCodes.USAGE, "the two passwords differ; nothing changed");
        }
        Arrays.fill(again, '\0');
        return first;
    }
}
