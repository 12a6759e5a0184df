package com.abcbank.client;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A plain text table: a header row, then the rows, each column as wide as its widest cell, two spaces
 * between columns. Numbers align right so that their decimal points line up; text aligns left. The last
 * column is not padded, so no line ends in spaces.
 *
 * <p>Widths count code points, not chars, so a name with letters outside the BMP stays aligned. (East
 * Asian wide characters would still need a terminal-width table; names here are expected to be narrow.)
 */
final class TablePrinter {
    enum Align {
        LEFT,
        RIGHT
    }

    record Column(String header, Align align) {}

    private final List<Column> columns;
    private final List<String[]> rows = new ArrayList<>();

    TablePrinter(Column... columns) {
        this.columns = List.of(columns);
    }

    static Column left(String header) {
        return new Column(header, Align.LEFT);
    }

    static Column right(String header) {
        return new Column(header, Align.RIGHT);
    }

    /** Adds a row; {@code null} cells print empty. */
    TablePrinter row(String... cells) {
        if (cells.length != columns.size()) {
            throw new IllegalArgumentException("a row of " + cells.length + " cells in a table of " + columns.size()
                    + " columns: " + Arrays.toString(cells)); // a bug in the caller
        }
        rows.add(Arrays.stream(cells).map(cell -> cell == null ? "" : cell).toArray(String[]::new));
        return this;
    }

    int size() {
        return rows.size();
    }

    void print(PrintWriter out) {
        int[] widths = new int[columns.size()];
        for (int c = 0; c < widths.length; c++) {
            widths[c] = width(columns.get(c).header());
            for (String[] row : rows) {
                widths[c] = Math.max(widths[c], width(row[c]));
            }
        }
        String[] header = columns.stream().map(Column::header).toArray(String[]::new);
        printRow(out, header, widths);
        for (String[] row : rows) {
            printRow(out, row, widths);
        }
    }

    private void printRow(PrintWriter out, String[] cells, int[] widths) {
        StringBuilder line = new StringBuilder();
        for (int c = 0; c < cells.length; c++) {
            if (c > 0) {
                line.append("  ");
            }
            String padding = " ".repeat(widths[c] - width(cells[c]));
            if (columns.get(c).align() == Align.RIGHT) {
                line.append(padding).append(cells[c]);
            } else {
                line.append(cells[c]).append(padding);
            }
        }
        out.println(line.toString().stripTrailing());
    }

    private static int width(String cell) {
        return cell.codePointCount(0, cell.length());
    }
}
