package com.abcbank.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * One reply line per request line, in request order:
 * {@code {"id":7,"ok":true,"result":{...}}} or {@code {"id":7,"ok":false,"error":{"code":"...","message":"..."}}}.
 *
 * <p>The methods below the factories are for a reader of replies (the client): they answer its questions
 * about the id and the result without handing it Jackson's types.
 *
 * @param id     the request's {@code id}, echoed as given (any JSON value; {@code null} when it had none or
 *               the line could not be read)
 * @param result on success, the op's result object (see docs/protocol.md)
 * @param error  on failure, why
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Reply(@JsonInclude(JsonInclude.Include.ALWAYS) JsonNode id, boolean ok, JsonNode result, Failure error) {
    public static Reply success(JsonNode id, JsonNode result) {
        return new Reply(id, true, result, null);
    }

    public static Reply failure(JsonNode id, Failure error) {
        return new Reply(id, false, null, error);
    }

    /** This reply under another (numeric) id, the rest unchanged: a batch numbers its replies by line. */
    public Reply withId(long newId) {
        return new Reply(Json.tree(newId), ok, result, error);
    }

    /** Whether this reply's id is the whole number {@code expected}: the check that replies come back in order. */
    public boolean answers(long expected) {
        return id != null && id.isIntegralNumber() && id.canConvertToLong() && id.asLong() == expected;
    }

    /** Whether the reply carries no id (absent or JSON null): the server could not read the request's. */
    public boolean unidentified() {
        return id == null || id.isNull();
    }

    /** The id as it was on the wire ({@code 7}, {@code "abc"}), for messages; {@code null} when absent. */
    public String idText() {
        return id == null ? "null" : id.toString();
    }

    /**
     * The result as a value of {@code type}, such as a {@link Result} record.
     *
     * @throws java.io.UncheckedIOException if the reply has no result or it does not have that shape (the other
     *     end speaks another protocol)
     */
    public <T> T resultAs(Class<T> type) {
        if (result == null) {
            throw new java.io.UncheckedIOException(new java.io.IOException("a reply without a result"));
        }
        return Json.convert(result, type);
    }

    /** The result exactly as the server sent it, as pretty-printed JSON text ({@code --json}). */
    public String prettyResult() {
        return Json.pretty(result);
    }
}
