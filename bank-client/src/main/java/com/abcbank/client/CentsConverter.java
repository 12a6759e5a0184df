package com.abcbank.client;

import com.abcbank.ledger.Money;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Turns an amount as typed ({@code 200}, {@code 19.99}, {@code 1,000.00}) into cents through
 * {@link Money#parseCents}, the one parser, so the client refuses exactly what the ledger would. A bad
 * amount is a usage error (exit 2) carrying Money's message, and is never sent.
 */
final class CentsConverter implements ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
        try {
            return Money.parseCents(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
