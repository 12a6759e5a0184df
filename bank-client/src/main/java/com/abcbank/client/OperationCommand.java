package com.abcbank.client;

import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * What every one-request subcommand shares: picocli injects the parent {@link BankCli} and the command's own
 * spec, and running it means {@link BankCli#run}: connect, log in, send, print or report the refusal.
 *
 * @param <R> the result record the command's reply is read as
 */
abstract class OperationCommand<R> implements Callable<Integer>, Operation<R> {
    @ParentCommand
    BankCli cli;

    @Spec
    CommandSpec spec;

    private final Class<R> resultType;

    OperationCommand(Class<R> resultType) {
        this.resultType = resultType;
    }

    @Override
    public final Class<R> resultType() {
        return resultType;
    }

    @Override
    public final Integer call() {
        return cli.run(this, spec);
    }
}
