package com.abcbank.client;

import com.abcbank.protocol.Reply;
import com.abcbank.protocol.Request;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * A command that is one request to the bank (or, with {@code --all}, a run of page requests): what it
 * sends, the type of what comes back, and how to show it. {@link BankCli#run} does the rest (connect, log in,
 * report refusals), and {@link BatchCommand} runs many of them over one connection.
 *
 * @param <R> the result record of a successful reply ({@link com.abcbank.protocol.Result}); a reply of another
 *            shape means the server speaks another protocol (exit {@link ExitCodes#PROTOCOL})
 */
interface Operation<R> {
    /** The request, built from the parsed arguments. */
    Request request();

    /** The type a successful reply's result is read as. */
    Class<R> resultType();

    /**
     * Prints successful results as text: one result, or every page with {@code --all}.
     *
     * <p>Must use nothing but {@code results}: a batch parses every line of one command into the same
     * instance and prints later, when the fields hold the last line's arguments.
     */
    void print(PrintWriter out, List<R> results);

    /** With {@code --all}, the request for the page after {@code result}; null when there is none. */
    default Request nextPage(R result) {
        return null;
    }

    /**
     * How to exit once {@code results} came back and were shown: 0, unless the answer itself is bad news
     * ({@code verify} of books that do not verify).
     */
    default int exitCode(List<R> results) {
        return ExitCodes.OK;
    }

    /**
     * How long to wait for each reply, given the client's usual bound: longer for an op the server needs long
     * for (verify re-reads the whole journal), so that the client neither gives up on it nor sends it again.
     */
    default int replyTimeoutMs(int usualMs) {
        return usualMs;
    }

    /** Whether a user with no password yet is enrolled on the spot (create_account). */
    default boolean enrols() {
        return false;
    }

    /** A successful reply's result as {@link #resultType}. */
    default R result(Reply reply) {
        return as(reply, resultType());
    }

    /** A successful reply's result as {@code type}; a shape we do not know means the server speaks another protocol. */
    static <T> T as(Reply reply, Class<T> type) {
        try {
            return reply.resultAs(type);
        } catch (UncheckedIOException e) {
            throw new ClientException(ExitCodes.PROTOCOL, "protocol error: " + e.getMessage(), e);
        }
    }
}
