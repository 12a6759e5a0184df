/**
 * The command-line client: {@code client [OPTIONS] USER COMMAND [ARGS]}. {@link com.abcbank.client.BankCli} is the
 * entry point and the one public class; everything else is package-private and may change freely.
 *
 * <p>How it is put together: one class per subcommand (an {@code Operation} knows its request, the type of its
 * result and how to print it), {@code BankCli.run} as the one way to run an operation, {@code Endpoint} (where the
 * server is), {@code Login} (connect, password sources, enrolment), {@code BankConnection} (one TCP connection,
 * bounded waits, replies checked in order), {@code ClientTls} ({@code --tls}: trust, host check, a bounded
 * handshake), {@code RetryingConnection} and {@code BatchCommand} (one resend with
 * the same idempotency keys after a break), {@code FailoverConnection} ({@code --servers}: the same request to the
 * next node of a cluster, in bounded rounds), {@code Replicas} (the nodes' table and chain-head check of
 * {@code cluster} and {@code verify}), {@code CliHelp} (help and usage errors), {@code Formats} and
 * {@code TablePrinter} (text output), {@code CommandTree} (the commands by name, and the lean tree that {@code main}
 * builds with only the ones a line names), {@code CdsTraining} (not a command: the build's training run for the
 * class-data-sharing archive that {@code scripts/client} maps). {@code client bench} (the load generator, no USER) is {@code BenchCommand}
 * over the {@code Bench*} parts: accounts, workload, setup, schedule, links, event loops and channels (NIO), the
 * request encoder and reply scanner, tally, runner, report. It speaks the wire only through
 * {@code com.abcbank.protocol}, and knows no JSON library; the one exception is the bench's hot path, which writes
 * its requests from byte templates ({@code BenchRequests}) and scans reply envelopes in place ({@code BenchReplies}),
 * both tested byte for byte against {@code com.abcbank.protocol.Json}.
 *
 * <p><b>What is stable</b> is what a person or a script sees, not the Java: the command names, arguments and
 * options, the exit codes ({@code ExitCodes}: scripts branch on them), the {@code --json} output (the server's
 * result as sent), the batch file syntax, the environment variables ({@code BANK_HOST}, {@code BANK_PORT},
 * {@code BANK_SERVERS}, {@code BANK_PASSWORD}, {@code BANK_CREDENTIALS}, {@code HOME}) and the credentials file format
 * ({@code host:port:user:password}, mode 600). The text output is for people and may be reworded.
 */
package com.abcbank.client;
