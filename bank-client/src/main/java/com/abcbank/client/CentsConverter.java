package com.abcbank.client;

import com.abcbank.ledger.Money;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Turns an amount as typed ({@code 200}, {@code 19.99}, {@code 1,000.00}) into cents through
 * {@link Money#parseCents}, the one parser, so the client refuses exactly what the ledger would. A bad
 * amount is a usage error (exit 2) carrying Money's reason, and is never sent.
 *
 * <p>The reason goes without the value ({@code amount has more than two decimal places}): the usage error
 * names the parameter and the value itself ({@code invalid AMOUNT '12.505': ...}, {@link CliHelp#message}).
 */
final class CentsConverter implements ITypeConverter<Long> {
    /** The help of every AMOUNT parameter. */
    static final String HELP = "Decimal, e.g. 200 or 19.99; at most two decimals.";

    @Override
    public Long convert(String value) {
        try {
            return Money.parseCents(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(withoutValue(e.getMessage(), value));
        }
    }

    /** Money's message less the value it quotes at the end ({@code : 12.505}) or inside ({@code : 'abc'}). */
    static String withoutValue(String message, String value) {
        if (value.isEmpty()) {
            return message;
        }
        String reason = message.replace(": '" + value + "'", "");
        return reason.endsWith(": " + value) ? reason.substring(0, reason.length() - value.length() - 2) : reason;
    }

    /**
     * An opening deposit (create_account): as {@link CentsConverter}, except that zero ({@code 0}, {@code 0.00}) is
     * no deposit at all and converts to {@code null}, the same request as leaving AMOUNT out. A person opening an
     * empty account types 0; every other money command still refuses it, as moving nothing is a mistake there.
     */
    static final class OpeningDeposit implements ITypeConverter<Long> {
        /** Zero as Money's grammar writes it: whole units and at most two decimals, no sign. */
        private static final Pattern ZERO = Pattern.compile("0+(\\.0{1,2})?");

        @Override
        public Long convert(String value) {
            return ZERO.matcher(value).matches() ? null : new CentsConverter().convert(value);
        }
    }
}
