package com.abcbank.ledger;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Money is a {@code long} count of cents, everywhere. This is the one place that turns what a person
 * types into cents and cents back into text.
 *
 * <p>Accepted input: whole units with at most two decimals ({@code 200}, {@code 200.5}, {@code 19.99}),
 * optionally grouped by commas in threes ({@code 1,000.00}). Rejected, with a reason: anything else
 * (signs, exponents, spaces, {@code .5}, {@code 5.}), zero, more than two decimals, and amounts above
 * {@link #MAX_AMOUNT_CENTS}.
 */
public final class Money {
    /** The largest amount one operation may move: 1,000,000.00. Limits a typo's damage. */
    public static final long MAX_AMOUNT_CENTS = 100_000_000L;

    private static final Pattern AMOUNT = Pattern.compile("(\\d+|\\d{1,3}(,\\d{3})+)(\\.\\d{1,2})?");
    private static final Pattern OVER_PRECISE = Pattern.compile("(\\d+|\\d{1,3}(,\\d{3})+)\\.\\d{3,}");

    private Money() {}

    /**
     * Parses an amount a person typed into cents.
     *
     * @throws IllegalArgumentException with a message fit to show that person
     */
    public static long parseCents(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("amount is missing");
        }
        if (text.startsWith("-")) {
            throw new IllegalArgumentException("amount must be positive: " + text);
        }
        if (OVER_PRECISE.matcher(text).matches()) {
            throw new IllegalArgumentException("amount has more than two decimal places: " + text);
        }
        if (!AMOUNT.matcher(text).matches()) {
            throw new IllegalArgumentException("not an amount: '" + text + "' (write it like 200, 19.99 or 1,000.00)");
        }
        BigDecimal cents = new BigDecimal(text.replace(",", "")).movePointRight(2);
        if (cents.compareTo(BigDecimal.valueOf(MAX_AMOUNT_CENTS)) > 0) {
            throw new IllegalArgumentException(
                    "amount is above the maximum of " + format(MAX_AMOUNT_CENTS) + ": " + text);
        }
        long result = cents.longValueExact();
        if (result == 0) {
            throw new IllegalArgumentException("amount must be positive: " + text);
        }
        return result;
    }

    /** Why {@code amountCents} may not be moved by one operation, or empty if it may. */
    public static Optional<String> problemWith(long amountCents) {
        if (amountCents <= 0) {
            return Optional.of("amount must be positive, got " + amountCents + " cents");
        }
        if (amountCents > MAX_AMOUNT_CENTS) {
            return Optional.of("amount is above the maximum of " + format(MAX_AMOUNT_CENTS) + " per operation");
        }
        return Optional.empty();
    }

    /** Formats cents as {@code 1,234.56}, or {@code -1,234.56}. */
    public static String format(long cents) {
        String sign = cents < 0 ? "-" : "";
        // BigDecimal, not Math.abs: Math.abs(Long.MIN_VALUE) is still negative.
        BigDecimal units = BigDecimal.valueOf(cents).abs().movePointLeft(2);
        return sign + String.format(Locale.ROOT, "%,.2f", units);
    }
}
