package com.abcbank.client;

import com.abcbank.ledger.Money;
import com.abcbank.protocol.Json;
import com.abcbank.protocol.Request;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;

/**
 * A command that is one request to the bank (or, with {@code --all}, a run of page requests): what it
 * sends, and how it shows what comes back. {@link BankCli#run} does the rest (connect, log in, report
 * refusals), and {@link BatchCommand} runs many of them over one connection.
 */
interface Operation {
    /** The request, built from the parsed arguments. */
    Request request();

    /**
     * Prints successful results as text: one result, or every page with {@code --all}.
     *
     * <p>Must use nothing but {@code results}: a batch parses every line of one command into the same
     * instance and prints later, when the fields hold the last line's arguments.
     */
    void print(PrintWriter out, List<JsonNode> results);

    /** With {@code --all}, the request for the page after {@code result}; null when there is none. */
    default Request nextPage(JsonNode result) {
        return null;
    }

    /**
     * How to exit once {@code results} came back and were shown: 0, unless the answer itself is bad news
     * ({@code verify} of books that do not verify).
     */
    default int exitCode(List<JsonNode> results) {
        return ExitCodes.OK;
    }

    /** Whether a user with no password yet is enrolled on the spot (create_account). */
    default boolean enrols() {
        return false;
    }

    /** A result as its record; a shape we do not know means the server speaks another protocol. */
    static <T> T as(JsonNode result, Class<T> type) {
        try {
            return Json.convert(result, type);
        } catch (UncheckedIOException | IllegalArgumentException e) {
            throw new ClientException(ExitCodes.PROTOCOL, "protocol error: " + e.getMessage(), e);
        }
    }

    /** Cents as text, tolerating an absent optional field. */
    static String money(Long cents) {
        return cents == null ? "?" : Money.format(cents);
    }

    /** Tables show times to the second, in UTC; {@code --json} keeps the server's full precision. */
    java.time.format.DateTimeFormatter TABLE_TIME =
            java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'").withZone(java.time.ZoneOffset.UTC);

    /** An instant from the wire as a table shows it, tolerating an absent or unexpected value. */
    static String time(String wire) {
        if (wire == null) {
            return "";
        }
        try {
            return TABLE_TIME.format(java.time.Instant.parse(wire));
        } catch (java.time.format.DateTimeParseException e) {
            return wire;
        }
    }

    /** A kind or type from the wire ({@code CHECKING}) as a word in a sentence ({@code checking}). */
    static String word(String wire) {
        return wire == null ? "?" : wire.toLowerCase(Locale.ROOT);
    }
}
