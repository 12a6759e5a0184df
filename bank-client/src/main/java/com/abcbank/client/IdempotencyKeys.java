package com.abcbank.client;

import com.abcbank.protocol.Request;
import com.abcbank.protocol.Wire;
import java.util.UUID;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Idempotency keys: the {@code key} a money-moving request carries so that sending it twice moves money once.
 * The server answers a repeat of a key (same user, same request) with the first attempt's result, and the same
 * key with another request with {@code KEY_REUSED}; it remembers keys for a day, across restarts.
 *
 * <p>A key is made where the request is built ({@link MoneyCommand#key}), once per command and once per batch
 * line, and travels inside the {@link Request} record from then on, so a resent request is the same record
 * with the same key: the retry code never has to know which requests carry one.
 */
final class IdempotencyKeys {
    private IdempotencyKeys() {}

    /** A new key: a random UUID, 122 random bits, so two commands never share one by chance. */
    static String fresh() {
        return UUID.randomUUID().toString();
    }

    /** The key {@code request} carries, or null for a request that has none (a read). */
    static String of(Request request) {
        // By the sealed Request.Money, not by record: a money op added later is covered without a change here.
        return request instanceof Request.Money money ? money.key() : null;
    }

    /** What to do about a money movement whose outcome is unknown, sent with {@code key}. */
    static String finishHint(String key) {
        return "Its key is " + key + ": run the same command again with --key " + key
                + " to finish it at most once, or look at the account's history to see whether it happened";
    }

    /** {@code --key}: a usage error (exit 2) unless the server would take it. */
    static final class Converter implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            if (!Wire.isKey(value)) { // the server's rule (docs/protocol.md), checked before anything is sent
                throw new TypeConversionException(Wire.KEY_RULE);
            }
            return value;
        }
    }
}
