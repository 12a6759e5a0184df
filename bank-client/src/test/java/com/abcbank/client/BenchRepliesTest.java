package com.abcbank.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abcbank.ledger.ErrorCode;
import com.abcbank.protocol.Failure;
import com.abcbank.protocol.Json;
import com.abcbank.protocol.Reply;
import com.abcbank.protocol.Result;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The bench's reply scanner reads the envelope the server writes, and refuses what is not a reply. */
class BenchRepliesTest {
    private final BenchReplies replies = new BenchReplies();

    /** Scans {@code line} placed amid other bytes, as it sits in a read buffer. */
    private void scan(String line) throws BenchReplies.BadReply {
        byte[] text = line.getBytes(StandardCharsets.UTF_8);
        byte[] buffer = new byte[text.length + 10];
        java.util.Arrays.fill(buffer, (byte) '}');
        System.arraycopy(text, 0, buffer, 4, text.length);
        replies.scan(buffer, 4, 4 + text.length);
    }

    @Test
    void aSuccessAsJsonWritesIt() throws Exception {
        scan(Json.write(Reply.success(
                Json.tree(7L),
                Json.tree(new Result.Account(
                        "123450000001", "checking", "bench-12345-0", "2026-12-02T06:00:00Z", 1_000_000L, null)))));
        assertEquals(7, replies.id);
        assertTrue(replies.ok);
        assertNull(replies.code);
        assertEquals("7", replies.idText());
    }

    @ParameterizedTest
    @EnumSource(ErrorCode.class)
    void everyErrorCodeAsJsonWritesIt(ErrorCode code) throws Exception {
        String message = "say \"hi\", {\"ok\":true,\"id\":3} [x] \\ \u00e9";
        scan(Json.write(Reply.failure(Json.tree(41L), new Failure(code, message))));
        assertEquals(41, replies.id);
        assertFalse(replies.ok);
        assertEquals(code, replies.code);
    }

    @Test
    void theShapesOfJsonTestAndOfTheDoNothingServers() throws Exception {
        scan("{\"id\":7,\"ok\":true,\"result\":{\"user\":\"alice\",\"role\":\"customer\"}}");
        assertEquals(7, replies.id);
        assertTrue(replies.ok);
        scan("{\"id\":null,\"ok\":false,\"error\":{\"code\":\"LINE_TOO_LONG\",\"message\":\"x\"}}");
        assertEquals(BenchReplies.NO_ID, replies.id);
        assertEquals(ErrorCode.LINE_TOO_LONG, replies.code);
        assertEquals("null", replies.idText());
        scan("{\"id\":\"7\",\"ok\":false,\"error\":{\"code\":\"UNKNOWN_OP\",\"message\":\"no\"}}");
        assertEquals(BenchReplies.OTHER_ID, replies.id, "a string id is never one the bench sent");
        assertEquals("\"7\"", replies.idText());
        scan("{\"id\":5,\"ok\":true,\"result\":{}}"); // scripts/NullServer.java and DoNothingServer
        assertEquals(5, replies.id);
        assertTrue(replies.ok);
        assertNull(replies.code, "nothing left over from the line before");
    }

    @Test
    void membersInAnyOrderWithSpacesAndACarriageReturn() throws Exception {
        scan(" { \"ok\" : false ,\t\"error\" : { \"message\" : \"x\" , \"code\" : \"INSUFFICIENT_FUNDS\" } ,"
                + " \"id\" : 12 }\r");
        assertEquals(12, replies.id);
        assertFalse(replies.ok);
        assertEquals(ErrorCode.INSUFFICIENT_FUNDS, replies.code);
    }

    @Test
    void anEnvelopeInsideTheResultIsNotTheReplys() throws Exception {
        scan("{\"id\":3,\"ok\":true,\"result\":{\"ok\":false,\"id\":99,\"list\":[{\"a\":\"]}\"},[1,2.5e3,null]],"
                + "\"error\":{\"code\":\"INTERNAL_ERROR\"}}}");
        assertEquals(3, replies.id);
        assertTrue(replies.ok);
        assertNull(replies.code);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.5", "-1", "1e3", "1234567890123456789", "01", "{\"n\":1}", "true"})
    void anIdTheBenchNeverSentIsNotANumber(String id) throws Exception {
        scan("{\"id\":" + id + ",\"ok\":true,\"result\":{}}");
        assertEquals(BenchReplies.OTHER_ID, replies.id, id);
        assertEquals(id, replies.idText());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "[]",
                "{}",
                "{\"id\":1}",
                "{\"id\":1,\"ok\":\"yes\",\"result\":{}}",
                "{\"id\":1,\"ok\":true}",
                "{\"id\":1,\"ok\":true,\"result\":null}",
                "{\"id\":1,\"ok\":false}",
                "{\"id\":1,\"ok\":false,\"error\":{\"message\":\"no code\"}}",
                "{\"id\":1,\"ok\":false,\"error\":{\"code\":\"NO_SUCH_CODE\"}}",
                "{\"id\":1,\"ok\":false,\"error\":{\"code\":7}}",
                "{\"id\":1,\"ok\":true,\"result\":{}} x",
                "{\"id\":1,\"ok\":true,\"result\":{}}{}",
                "{\"id\":1,\"ok\":true,\"result\":{\"a\":\"cut",
                "{\"id\":1,\"ok\":true,\"result\":{\"a\":[1,2}",
                "{\"id\":1,\"ok\":true,\"result\":{}",
                "{\"id\":1 \"ok\":true,\"result\":{}}",
                "{\"id\":,\"ok\":true,\"result\":{}}",
                "{id:1,\"ok\":true,\"result\":{}}",
            })
    void whatIsNotAReplyIsAProtocolError(String line) {
        assertThrows(BenchReplies.BadReply.class, () -> scan(line), line);
    }

    @Test
    void aBadLineLeavesTheScannerReadyForTheNext() throws Exception {
        assertThrows(BenchReplies.BadReply.class, () -> scan("{\"id\":1,\"ok\":false,\"error\":{\"code\":\"NOPE\"}}"));
        scan(Json.write(Reply.success(Json.tree(2L), Json.tree(Map.of()))));
        assertEquals(2, replies.id);
        assertTrue(replies.ok);
        assertNull(replies.code);
    }
}
