package com.abcbank.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * One reply line per request line, in request order:
 * {@code {"id":7,"ok":true,"result":{...}}} or {@code {"id":7,"ok":false,"error":{"code":"...","message":"..."}}}.
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
}
