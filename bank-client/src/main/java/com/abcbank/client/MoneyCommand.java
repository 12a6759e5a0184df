package com.abcbank.client;

import com.abcbank.protocol.Result;
import picocli.CommandLine.Option;

/**
 * A command that moves money, and so sends an idempotency key with its request: a new one each time the request
 * is built, that is once per command and once per batch line, unless {@code --key} names one.
 *
 * <p>{@code --key} is for finishing a command whose outcome is unknown: when the client gives up (the connection
 * broke twice, or the server answered INTERNAL_ERROR or STORAGE_FAILED), it names the key it used, and the same
 * command run again with that key happens at most once in all.
 */
abstract class MoneyCommand extends OperationCommand<Result.Tx> {
    static final String KEY_HELP = "Idempotency key (1 to 64 printable ASCII characters, no spaces); default: a new"
            + " random one. Give the key of an earlier run whose outcome was unknown to finish it at most once.";

    @Option(names = "--key", paramLabel = "KEY", converter = IdempotencyKeys.Converter.class, description = KEY_HELP)
    String givenKey;

    /** Every money movement answers with the transaction it made. */
    MoneyCommand() {
        super(Result.Tx.class);
    }

    /** --key, else a new key. Call once per request built: each call without --key is a new key. */
    final String key() {
        return givenKey != null ? givenKey : IdempotencyKeys.fresh();
    }
}
