package com.abcbank.client;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code client demo race|deadlock|contention}: the race and deadlock laboratory ({@code com.abcbank.lab}), run
 * here in the client's own JVM on laboratory accounts of its own. It takes no USER and talks to no server: nothing
 * it does can reach the bank. Exit 0 when the demonstration ran, whatever it showed (a race that lost money is the
 * lesson, not a failure); 1 if the laboratory itself failed (the safe ledger lost money, the deadlock was not
 * found, the ordered run did not finish, a contention run lost a deposit); 2 for usage.
 */
@Command(
        name = DemoCommand.NAME,
        description = {
            "The race and deadlock laboratory, run locally in this JVM (no USER, no server, no bank account"
                    + " touched): 'demo race' shows unsynchronised workers losing money and per-account locks"
                    + " conserving it; 'demo deadlock' shows locks taken in argument order deadlocking, found by"
                    + " the JVM, and the ordered protocol finishing the same work; 'demo contention' shows workers"
                    + " queueing for one account's lock and running side by side on separate accounts, as a"
                    + " timeline."
        },
        subcommands = {DemoRaceCommand.class, DemoDeadlockCommand.class, DemoContentionCommand.class})
final class DemoCommand implements Callable<Integer> {
    static final String NAME = "demo";

    @ParentCommand
    BankCli cli;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        refuseUser(spec);
        throw new ParameterException(spec.commandLine(), "missing demonstration: race, deadlock or contention");
    }

    /** A usage error for {@code client Alice demo ...}: the laboratory runs as nobody. */
    void refuseUser(CommandSpec command) {
        if (cli.user != null) {
            throw new ParameterException(
                    command.commandLine(),
                    "demo takes no USER: it runs locally, touching no account (client demo race|deadlock|contention ...)");
        }
    }

    boolean json() {
        return cli.json();
    }
}
