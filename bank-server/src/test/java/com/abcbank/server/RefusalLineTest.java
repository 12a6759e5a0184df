package com.abcbank.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abcbank.ledger.ErrorCode;
import com.abcbank.protocol.Json;
import com.abcbank.protocol.Reply;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A connection refused before it is served still gets one valid reply line, whatever its message holds. */
class RefusalLineTest {
    @ParameterizedTest
    @ValueSource(
            strings = {
                "the server is busy; retry later",
                "a \"quoted\" word",
                "a back\\slash",
                "two\nlines",
                "a \u0000 control and \u00e9 accent"
            })
    void aRefusalIsOneLineOfValidJsonCarryingItsMessageIntact(String message) {
        for (ErrorCode code : new ErrorCode[] {ErrorCode.SERVER_BUSY, ErrorCode.SHUTTING_DOWN}) {
            String line = BankServer.refusal(code, message);
            assertTrue(line.endsWith("\n"), "a reply line ends with a newline");
            assertEquals(-1, line.substring(0, line.length() - 1).indexOf('\n'), () -> "not one line: " + line);
            Reply reply = Json.parseReply(line.strip());
            assertFalse(reply.ok());
            assertTrue(reply.id() == null || reply.id().isNull(), "no request, so no id");
            assertEquals(code, reply.error().code());
            assertEquals(message, reply.error().message());
        }
    }
}
