package com.abcbank.client;

import com.abcbank.protocol.Json;
import com.abcbank.protocol.Reply;
import com.abcbank.protocol.Request;
import com.abcbank.protocol.Result;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** Explicit enrolment. Not an {@link Operation}: it runs before there is anyone to log in as. */
@Command(name = "register", description = {"Enrol USER as a new customer.",
        "Uses the password from --password-file, BANK_PASSWORD or the credentials file; with none, makes a random"
                + " one and saves it in the credentials file."})
final class RegisterCommand implements Callable<Integer> {
    @ParentCommand
    BankCli cli;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        String user = cli.user(spec);
        String host = cli.host();
        int port = cli.port(spec);
        // Connect first, as BankCli.connect does: an unreachable server (exit 75) before any credentials problem.
        try (BankConnection bank = cli.open(host, port)) {
            CredentialsFile credentials = cli.credentials(spec);
            Optional<String> password = cli.password(host, port, user, credentials);
            Reply reply = password.isPresent()
                    ? bank.call(new Request.Register(user, password.get()))
                    : cli.enrol(bank, spec, credentials);
            if (!reply.ok()) {
                throw ClientException.refused(reply.error());
            }
            PrintWriter out = spec.commandLine().getOut();
            if (cli.json()) {
                out.println(Json.pretty(reply.result()));
            } else {
                Result.User registered = Operation.as(reply.result(), Result.User.class);
                out.println("Registered " + registered.user() + " (" + Operation.word(registered.role()) + ")");
            }
            return ExitCodes.OK;
        }
    }
}
