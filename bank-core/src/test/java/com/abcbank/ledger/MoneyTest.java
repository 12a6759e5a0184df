package com.abcbank.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/** Money is the one place text becomes cents and back: every accepted and every refused shape. */
class MoneyTest {

    private static final String HINT = " (write it like 200, 19.99 or 1,000.00)";

    @Test
    @DisplayName("the maximum per operation is 1,000,000.00")
    void maximumIsOneMillionUnits() {
        assertEquals(100_000_000L, Money.MAX_AMOUNT_CENTS);
    }

    @Nested
    @DisplayName("parseCents accepts")
    class ParseCentsAccepts {

        @ParameterizedTest(name = "\"{0}\" is {1} cents")
        @CsvSource(delimiter = '|', textBlock = """
                200            | 20000
                200.5          | 20050
                200.50         | 20050
                19.99          | 1999
                0.01           | 1
                0.1            | 10
                0.10           | 10
                1              | 100
                1,000.00       | 100000
                1,000          | 100000
                123,456.7      | 12345670
                007            | 700
                0001.50        | 150
                001,000        | 100000
                00000000000000000000000000000001 | 100
                999,999.99     | 99999999
                1000000        | 100000000
                1,000,000      | 100000000
                1,000,000.00   | 100000000
                1000000.0      | 100000000
                """)
        void validAmounts(String text, long expectedCents) {
            assertEquals(expectedCents, Money.parseCents(text));
        }

        @Test
        @DisplayName("exactly MAX_AMOUNT_CENTS, written out")
        void exactlyTheMaximum() {
            assertEquals(Money.MAX_AMOUNT_CENTS, Money.parseCents(Money.format(Money.MAX_AMOUNT_CENTS)));
        }

        @ParameterizedTest(name = "{0} cents survives format then parse")
        @ValueSource(longs = {1, 9, 10, 99, 100, 101, 1_999, 100_000, 23_456_789, 99_999_999, 100_000_000})
        void formatThenParseIsIdentity(long cents) {
            assertEquals(cents, Money.parseCents(Money.format(cents)));
        }
    }

    @Nested
    @DisplayName("parseCents refuses")
    class ParseCentsRefuses {

        @ParameterizedTest(name = "missing: \"{0}\"")
        @NullAndEmptySource
        void missing(String text) {
            assertRefused("amount is missing", text);
        }

        @ParameterizedTest(name = "negative: \"{0}\"")
        @ValueSource(strings = {"-5", "-0.01", "-1,000.00", "-0", "-12.505", "-"})
        void negative(String text) {
            assertRefused("amount must be positive: " + text, text);
        }

        @ParameterizedTest(name = "zero: \"{0}\"")
        @ValueSource(strings = {"0", "0.0", "0.00", "000", "0,000", "0,000.00"})
        void zero(String text) {
            assertRefused("amount must be positive: " + text, text);
        }

        @ParameterizedTest(name = "over-precise: \"{0}\"")
        @ValueSource(strings = {"12.505", "0.001", "12.500", "1,000.001", "1.23456789", "0.000"})
        void moreThanTwoDecimals(String text) {
            assertRefused("amount has more than two decimal places: " + text, text);
        }

        @ParameterizedTest(name = "not an amount: \"{0}\"")
        @ValueSource(
                strings = {
                    "abc",
                    "1e3",
                    "1E3",
                    " 5",
                    "5 ",
                    " ",
                    "\t5",
                    "5\n",
                    ".5",
                    "5.",
                    ".",
                    "+5",
                    "1,00",
                    "1,0000",
                    "1000,000",
                    ",100",
                    "100,",
                    "1,000,00",
                    "1.000,00",
                    "1_000",
                    "0x10",
                    "NaN",
                    "Infinity",
                    "5 00",
                    "5..0",
                    "5.0.0",
                    "$5",
                    "5$",
                    "12.5a",
                    "\u0661\u0662",
                    "\uff11\uff12",
                    "1,000.5.5"
                })
        void notAnAmount(String text) {
            assertRefused("not an amount: '" + text + "'" + HINT, text);
        }

        @ParameterizedTest(name = "above the maximum: \"{0}\"")
        @ValueSource(
                strings = {
                    "1000000.01",
                    "1,000,000.01",
                    "1000001",
                    "99999999",
                    "9223372036854775807", // Long.MAX_VALUE units
                    "92233720368547758.08", // Long.MIN_VALUE's magnitude in cents: overflows long
                    "9223372036854775808", // one past Long.MAX_VALUE
                    "99999999999999999999999999999999999999",
                    "99,999,999,999,999,999,999.99"
                })
        void aboveTheMaximum(String text) {
            assertRefused("amount is above the maximum of 1,000,000.00: " + text, text);
        }

        @Test
        @DisplayName("a ten-thousand-digit number is refused as too large, not by overflow")
        void hugeDigitString() {
            String huge = "9".repeat(10_000);
            assertRefused("amount is above the maximum of 1,000,000.00: " + huge, huge);
        }

        private void assertRefused(String expectedMessage, String text) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Money.parseCents(text));
            assertEquals(expectedMessage, e.getMessage());
        }
    }

    @Nested
    @DisplayName("problemWith")
    class ProblemWith {

        @ParameterizedTest(name = "{0} cents may move")
        @ValueSource(longs = {1, 2, 100, Money.MAX_AMOUNT_CENTS - 1, Money.MAX_AMOUNT_CENTS})
        void movable(long cents) {
            assertEquals(Optional.empty(), Money.problemWith(cents));
        }

        @ParameterizedTest(name = "{0} cents is not positive")
        @ValueSource(longs = {0, -1, -100, Long.MIN_VALUE, Long.MIN_VALUE + 1})
        void notPositive(long cents) {
            assertEquals(Optional.of("amount must be positive, got " + cents + " cents"), Money.problemWith(cents));
        }

        @ParameterizedTest(name = "{0} cents is too much")
        @ValueSource(longs = {Money.MAX_AMOUNT_CENTS + 1, Money.MAX_AMOUNT_CENTS * 2, Long.MAX_VALUE})
        void aboveTheMaximum(long cents) {
            assertEquals(
                    Optional.of("amount is above the maximum of 1,000,000.00 per operation"), Money.problemWith(cents));
        }

        @ParameterizedTest(name = "\"{0}\"")
        @ValueSource(strings = {"0.01", "19.99", "1,000.00", "1,000,000.00"})
        @DisplayName("whatever parseCents accepts, problemWith accepts")
        void agreesWithParseCents(String text) {
            assertTrue(Money.problemWith(Money.parseCents(text)).isEmpty());
        }
    }

    @Nested
    @DisplayName("format")
    class Format {

        @ParameterizedTest(name = "{0} cents is \"{1}\"")
        @CsvSource(delimiter = '|', textBlock = """
                0                    | 0.00
                1                    | 0.01
                10                   | 0.10
                99                   | 0.99
                100                  | 1.00
                1999                 | 19.99
                100000               | 1,000.00
                123456789            | 1,234,567.89
                100000000            | 1,000,000.00
                -1                   | -0.01
                -100                 | -1.00
                -123456789           | -1,234,567.89
                9223372036854775807  | 92,233,720,368,547,758.07
                -9223372036854775807 | -92,233,720,368,547,758.07
                -9223372036854775808 | -92,233,720,368,547,758.08
                """)
        void formats(long cents, String expected) {
            assertEquals(expected, Money.format(cents));
        }

        @Test
        @DisplayName("Long.MIN_VALUE keeps its sign and its last cent (Math.abs would not)")
        void longMinValue() {
            assertEquals("-92,233,720,368,547,758.08", Money.format(Long.MIN_VALUE));
        }
    }
}
