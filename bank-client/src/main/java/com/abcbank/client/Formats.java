package com.abcbank.client;

import com.abcbank.ledger.Money;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * How values from the wire read in the client's text output (sentences and {@link TablePrinter} tables).
 * Each tolerates an absent or unexpected value: the output is for a person, and one odd field must not hide
 * the rest of an answer. {@code --json} bypasses all of this and prints what the server sent.
 */
final class Formats {
    /** Tables show times to the second, in UTC; {@code --json} keeps the server's full precision. */
    static final DateTimeFormatter TABLE_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

    private Formats() {}

    /** Cents as text ({@code 1,000.00}), tolerating an absent optional field. */
    static String money(Long cents) {
        return cents == null ? "?" : Money.format(cents);
    }

    /** An instant from the wire as a table shows it, tolerating an absent or unexpected value. */
    static String time(String wire) {
        if (wire == null) {
            return "";
        }
        try {
            return TABLE_TIME.format(Instant.parse(wire));
        } catch (DateTimeParseException e) {
            return wire;
        }
    }

    /** A kind or type from the wire ({@code CHECKING}) as a word in a sentence ({@code checking}). */
    static String word(String wire) {
        return wire == null ? "?" : wire.toLowerCase(Locale.ROOT);
    }
}
