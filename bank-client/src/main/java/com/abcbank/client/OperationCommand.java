package com.abcbank.client;

import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * What every one-request subcommand shares: picocli injects the parent {@link BankCli} and the command's own
 * spec, and running it means {@link BankCli#run}: connect, log in, send, print or report the refusal.
 */
abstract class OperationCommand implements Callable<Integer>, Operation {
    @ParentCommand
    BankCli cli;
    @Spec
    CommandSpec spec;

    @Override
    public final Integer call() {
        return cli.run(this, spec);
    }
}
