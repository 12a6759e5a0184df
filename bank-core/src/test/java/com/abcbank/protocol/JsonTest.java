package com.abcbank.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abcbank.ledger.ErrorCode;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTest {

    @Test
    void readsEveryFieldOfATransfer() {
        Json.Parsed parsed =
                Json.parseRequest("{\"id\":7,\"op\":\"transfer\",\"from\":\"1001\",\"to\":\"1002\",\"amount\":5000}");
        assertNull(parsed.failure());
        assertEquals(IntNode.valueOf(7), parsed.id());
        assertEquals(new Request.Transfer("1001", "1002", 5000), parsed.request());
    }

    @Test
    void optionalFieldsMayBeLeftOut() {
        assertEquals(
                new Request.CreateAccount("1001", null),
                Json.parseRequest("{\"op\":\"create_account\",\"account\":\"1001\"}")
                        .request());
        assertEquals(
                new Request.ShowHistory(5L, 10, null, "alice", null, null),
                Json.parseRequest("{\"op\":\"show_history\",\"after\":5,\"limit\":10,\"user\":\"alice\"}")
                        .request());
        assertEquals(
                new Request.Report(), Json.parseRequest("{\"op\":\"report\"}").request());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "not JSON               | {op:deposit}",
                "not an object          | [1,2]",
                "a bare string          | \"deposit\"",
                "no op                  | {\"id\":1,\"account\":\"1001\"}",
                "op not a string        | {\"id\":1,\"op\":5}",
                "missing amount         | {\"id\":1,\"op\":\"deposit\",\"account\":\"1001\"}",
                "null amount            | {\"id\":1,\"op\":\"deposit\",\"account\":\"1001\",\"amount\":null}",
                "fractional amount      | {\"id\":1,\"op\":\"deposit\",\"account\":\"1001\",\"amount\":12.5}",
                "amount as a string     | {\"id\":1,\"op\":\"deposit\",\"account\":\"1001\",\"amount\":\"200\"}",
                "amount beyond a long   | {\"id\":1,\"op\":\"deposit\",\"account\":\"1001\",\"amount\":99999999999999999999}",
                "null account           | {\"id\":1,\"op\":\"deposit\",\"account\":null,\"amount\":100}",
                "null optional field    | {\"id\":1,\"op\":\"create_account\",\"account\":\"1001\",\"amount\":null}",
                "account as a number    | {\"id\":1,\"op\":\"deposit\",\"account\":1001,\"amount\":100}",
                "unknown field          | {\"id\":1,\"op\":\"deposit\",\"account\":\"1001\",\"amount\":100,\"amout\":5}",
                "duplicate field        | {\"id\":1,\"op\":\"deposit\",\"account\":\"1001\",\"amount\":1,\"amount\":100000}",
                "trailing garbage       | {\"id\":1,\"op\":\"report\"} x",
                "boolean amount         | {\"id\":1,\"op\":\"deposit\",\"account\":\"1001\",\"amount\":true}",
            })
    void refusesMalformedRequests(String what, String line) {
        Json.Parsed parsed = Json.parseRequest(line);
        assertNull(parsed.request(), what);
        assertEquals(ErrorCode.MALFORMED_REQUEST, parsed.failure().code(), () -> what + ": " + parsed.failure());
    }

    @Test
    void unknownOpIsItsOwnCodeAndKeepsTheId() {
        Json.Parsed parsed = Json.parseRequest("{\"id\":\"abc\",\"op\":\"steal\"}");
        assertEquals(ErrorCode.UNKNOWN_OP, parsed.failure().code());
        assertEquals("abc", parsed.id().asText());
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"id\":{\"a\":[1,2]},\"op\":\"deposit\"}", "{\"op\":\"deposit\",\"id\":{\"a\":[1,2]}}"})
    void idIsEchoedAsGivenEvenWhenTheBodyFails(String line) {
        Json.Parsed parsed = Json.parseRequest(line);
        assertEquals(ErrorCode.MALFORMED_REQUEST, parsed.failure().code());
        assertEquals("{\"a\":[1,2]}", parsed.id().toString());
    }

    @Test
    void passwordsStayOutOfToString() {
        Request login = Json.parseRequest("{\"op\":\"login\",\"user\":\"alice\",\"password\":\"hunter22\"}")
                .request();
        assertFalse(login.toString().contains("hunter22"), login::toString);
        Scram.ClientKeys keys = Scram.newKeys("hunter22".toCharArray(), Scram.MIN_ITERATIONS);
        String storedKey = Scram.base64(keys.verifier().storedKey());
        for (Request request : List.of(
                new Request.Register("alice", keys.verifier()),
                new Request.Passwd(keys.verifier()),
                new Request.LoginFinal("c=biws,r=abc,p=" + storedKey))) {
            assertFalse(request.toString().contains(storedKey), request::toString);
            assertFalse(request.toString().contains(Scram.base64(keys.salt())), request::toString);
        }
        assertFalse(keys.toString().contains(Scram.base64(keys.clientKey())), keys::toString);
    }

    @Test
    void requestsRoundTripThroughTheirWireForm() {
        Request transfer = new Request.PayLoanTransfer("1001", "L100001", 250);
        String line = Json.writeRequest(IntNode.valueOf(3), transfer);
        assertTrue(line.startsWith("{\"id\":3,\"op\":\"pay_loan_transfer\""), line);
        assertEquals(transfer, Json.parseRequest(line).request());
        String open = Json.writeRequest(IntNode.valueOf(4), new Request.CreateAccount("1001", null));
        assertFalse(open.contains("amount"), open);
    }

    @Test
    void repliesKeepANullIdAndLeaveOutTheUnusedHalf() {
        String failure = Json.write(Reply.failure(null, new Failure(ErrorCode.UNKNOWN_OP, "no")));
        assertEquals("{\"id\":null,\"ok\":false,\"error\":{\"code\":\"UNKNOWN_OP\",\"message\":\"no\"}}", failure);
        JsonNode result = Json.tree(new Result.User("alice", "customer"));
        Reply reply = Json.parseReply(Json.write(Reply.success(IntNode.valueOf(1), result)));
        assertTrue(reply.ok());
        assertEquals(new Result.User("alice", "customer"), Json.convert(reply.result(), Result.User.class));
    }

    @Test
    void resultFieldsAreSnakeCase() {
        JsonNode tx = Json.tree(new Result.Tx(9, "t", "TRANSFER", 5, null, null, "1001", 1L, "1002", 2L, null, null));
        assertTrue(tx.has("from_balance") && tx.has("to_balance"), tx::toString);
        assertFalse(tx.has("loan"), tx::toString);
    }

    @Test
    void aReaderOfRepliesAsksAboutIdsWithoutJackson() {
        Reply numbered =
                Json.parseReply("{\"id\":7,\"ok\":true,\"result\":{\"user\":\"alice\",\"role\":\"customer\"}}");
        assertTrue(numbered.answers(7));
        assertFalse(numbered.answers(8));
        assertFalse(numbered.unidentified());
        Reply named =
                Json.parseReply("{\"id\":\"7\",\"ok\":false,\"error\":{\"code\":\"UNKNOWN_OP\",\"message\":\"no\"}}");
        assertFalse(named.answers(7), "the string \"7\" is not the number 7");
        assertEquals("\"7\"", named.idText());
        Reply anonymous =
                Json.parseReply("{\"id\":null,\"ok\":false,\"error\":{\"code\":\"LINE_TOO_LONG\",\"message\":\"x\"}}");
        assertTrue(anonymous.unidentified());
        assertFalse(anonymous.answers(0));
    }

    @Test
    void aResultIsReadAsItsRecordOrAsTheTextThatCame() {
        Reply reply = Json.parseReply("{\"id\":1,\"ok\":true,\"result\":{\"user\":\"alice\",\"role\":\"customer\"}}");
        assertEquals(new Result.User("alice", "customer"), reply.resultAs(Result.User.class));
        assertEquals("{\n  \"user\" : \"alice\",\n  \"role\" : \"customer\"\n}", reply.prettyResult());
        assertThrows(java.io.UncheckedIOException.class, () -> reply.resultAs(Result.Verify.class));
        Reply refused = Reply.failure(null, new Failure(ErrorCode.UNKNOWN_OP, "no"));
        assertThrows(java.io.UncheckedIOException.class, () -> refused.resultAs(Result.User.class));
    }

    @Test
    void renumberingAReplyKeepsTheRestOfItsBytes() {
        String line = "{\"id\":9,\"ok\":false,\"error\":{\"code\":\"UNKNOWN_OP\",\"message\":\"say \\\"hi\\\"\"}}";
        assertEquals(
                line.replace("\"id\":9", "\"id\":3"),
                Json.write(Json.parseReply(line).withId(3)));
        assertEquals(
                Json.writeRequest(IntNode.valueOf(3), new Request.Report()),
                Json.writeRequest(3, new Request.Report()));
    }
}
