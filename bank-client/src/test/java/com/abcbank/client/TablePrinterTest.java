package com.abcbank.client;

import static com.abcbank.client.TablePrinter.left;
import static com.abcbank.client.TablePrinter.right;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class TablePrinterTest {
    private static String print(TablePrinter table) {
        StringWriter text = new StringWriter();
        table.print(new PrintWriter(text, true));
        return text.toString().replace(System.lineSeparator(), "\n");
    }

    @Test
    void columnsAreAsWideAsTheirWidestCellAndNumbersAlignRight() {
        TablePrinter table = new TablePrinter(right("TX"), left("TYPE"), right("AMOUNT"), left("NOTE"));
        table.row("1", "deposit", "200.00", "first");
        table.row("12", "withdraw", "-1,050.00", "");
        table.row("123", "transfer", "5.00", null);
        assertEquals("""
                 TX  TYPE         AMOUNT  NOTE
                  1  deposit      200.00  first
                 12  withdraw  -1,050.00
                123  transfer       5.00
                """, print(table));
    }

    @Test
    void noLineEndsInSpaces() {
        TablePrinter table = new TablePrinter(left("USER"), left("ACCOUNT"));
        table.row("Alice", "");
        table.row("Bartholomew", "1001");
        for (String line : print(table).split("\n", -1)) {
            assertFalse(line.endsWith(" "), "'" + line + "'");
        }
    }

    @Test
    void headerAloneWhenThereAreNoRows() {
        assertEquals("TX  AMOUNT\n", print(new TablePrinter(left("TX"), left("AMOUNT"))));
    }

    @Test
    void widthCountsCodePointsSoSupplementaryLettersStayAligned() {
        TablePrinter table = new TablePrinter(left("USER"), right("BALANCE"));
        table.row("\uD835\uDC00\uD835\uDC01", "1.00"); // two mathematical bold letters: two code points, four chars
        table.row("Bob", "10.00");
        assertEquals("""
                USER  BALANCE
                \uD835\uDC00\uD835\uDC01       1.00
                Bob     10.00
                """, print(table));
    }

    @Test
    void aRowOfTheWrongSizeIsABug() {
        TablePrinter table = new TablePrinter(left("A"), left("B"));
        assertThrows(IllegalArgumentException.class, () -> table.row("only one"));
    }
}
