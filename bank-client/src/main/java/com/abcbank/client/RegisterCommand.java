package com.abcbank.client;

import com.abcbank.protocol.Reply;
import com.abcbank.protocol.Request;
import com.abcbank.protocol.Result;
import com.abcbank.protocol.Scram;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** Explicit enrolment. Not an {@link Operation}: it runs before there is anyone to log in as. */
@Command(
        name = "register",
        description = {
            "Enrol USER as a new customer.",
            "Uses the password from --password-file, BANK_PASSWORD or the credentials file; with none, makes a random"
                    + " one and saves it in the credentials file."
        })
final class RegisterCommand implements Callable<Integer> {
    @ParentCommand
    BankCli cli;

    @Spec
    CommandSpec spec;

    /** The verifier of a password (stretched as a person's password deserves), or of saved keys as they are. */
    static Scram.Verifier verifierOf(String secret) {
        if (Scram.ClientKeys.decode(secret).isEmpty()) {
            checkPassword(secret);
        }
        return Scram.ClientKeys.decode(secret)
                .orElseGet(() -> Scram.newKeys(secret.toCharArray(), Scram.PASSWORD_ITERATIONS))
                .verifier();
    }

    /**
     * The rule a new password must meet: 8 to 1024 characters. The client checks it, since the server never sees
     * the password.
     */
    static void checkPassword(String password) {
        if (password.length() < MIN_PASSWORD || password.length() > MAX_PASSWORD) {
            throw new ClientException(
                    ExitCodes.USAGE, "a password is " + MIN_PASSWORD + " to " + MAX_PASSWORD + " characters");
        }
    }

    static final int MIN_PASSWORD = 8;
    static final int MAX_PASSWORD = 1024;

    @Override
    public Integer call() {
        Login any = cli.login(spec);
        // Connect first, as Login.connect does: an unreachable server (exit 75) before any credentials problem. With
        // --servers, to the first node that connects; new keys are saved for that node, and found at the others.
        List<Endpoint> servers = cli.servers(spec);
        FailoverConnection.Connected connected = FailoverConnection.connectFirst(
                servers,
                0,
                (server, enrol) -> any.at(server, servers).open(),
                false,
                spec.commandLine().getErr());
        Login login = any.at(servers.get(connected.index()), servers);
        try (BankConnection bank = connected.bank()) {
            Optional<String> password = login.password();
            Reply reply = password.isPresent()
                    ? bank.call(new Request.Register(login.user(), verifierOf(password.get())))
                    : login.enrol(bank);
            if (!reply.ok()) {
                throw ClientException.refused(reply.error());
            }
            PrintWriter out = spec.commandLine().getOut();
            if (cli.json()) {
                out.println(reply.prettyResult());
            } else {
                Result.User registered = Operation.as(reply, Result.User.class);
                out.println("Registered " + registered.user() + " (" + Formats.word(registered.role()) + ")");
            }
            return ExitCodes.OK;
        }
    }
}
