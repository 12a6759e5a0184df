package com.abcbank.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine.TypeConversionException;

class CentsConverterTest {
    private final CentsConverter converter = new CentsConverter();

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "200        | 20000",
                "200.5      | 20050",
                "19.99      | 1999",
                "0.01       | 1",
                "1,000.00   | 100000",
                "1,000,000  | 100000000",
            })
    void convertsWhatAPersonTypesToCents(String typed, long cents) {
        assertEquals(cents, converter.convert(typed));
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "-5         | amount must be positive",
                "0          | amount must be positive",
                "12.345     | more than two decimal places",
                "abc        | not an amount",
                "1e3        | not an amount",
                ".5         | not an amount",
                "5.         | not an amount",
                "1000000.01 | above the maximum",
            })
    void refusesWithMoneysOwnMessage(String typed, String reason) {
        TypeConversionException e = assertThrows(TypeConversionException.class, () -> converter.convert(typed));
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }

    /** The usage error names the value once (invalid AMOUNT '12.505': ...), so the reason leaves it out. */
    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "-5         | amount must be positive",
                "0          | amount must be positive",
                "12.505     | amount has more than two decimal places",
                "abc        | not an amount (write it like 200, 19.99 or 1,000.00)",
                "1000000.01 | amount is above the maximum of 1,000,000.00",
            })
    void theReasonLeavesTheValueOut(String typed, String reason) {
        assertEquals(
                reason,
                assertThrows(TypeConversionException.class, () -> converter.convert(typed))
                        .getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " 5", "5 ", "1,00"})
    void refusesOddSpacingAndGrouping(String typed) {
        assertThrows(TypeConversionException.class, () -> converter.convert(typed));
    }
}
