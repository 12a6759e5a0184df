package com.abcbank.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abcbank.ledger.ErrorCode;
import com.abcbank.protocol.Json;
import com.abcbank.protocol.Reply;
import com.abcbank.protocol.Request;
import com.abcbank.protocol.Result;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Whatever a client sends, the server answers with a definite error code, changes nothing, and goes on
 * serving the same connection; only a line over the limit ends the connection, and never the server.
 *
 * <p>The bank: Alice is logged in, holds checking 1001 (100.00) and loan L100001 (50.00 outstanding); lines
 * are limited to {@value #MAX_LINE_BYTES} bytes.
 */
class ServerBadInputTest {
    private static final int MAX_LINE_BYTES = 1_024;

    @TempDir
    Path dataDir;

    private TestServer bank;
    private TestClient alice;

    @BeforeEach
    void start() throws IOException {
        bank = TestServer.start(TestServer.config(dataDir, 16, MAX_LINE_BYTES, 30_000, 2_000));
        alice = bank.customer("Alice");
        alice.ok(new Request.CreateAccount("1001", 5_000L), Result.Tx.class);
        alice.ok(new Request.ApplyLoan("1001", 5_000), Result.Tx.class);
    }

    @AfterEach
    void stop() {
        bank.close();
    }

    static Stream<Arguments> badLines() {
        return Stream.of(
                // not a JSON object: nothing to take an id from
                bad("not JSON", ErrorCode.MALFORMED_REQUEST, "garbage"),
                bad("JSON cut short", ErrorCode.MALFORMED_REQUEST, "{\"id\":1,\"op\":\"deposit\",\"account\":\"1001\""),
                bad("JSON array", ErrorCode.MALFORMED_REQUEST, "[{\"id\":1,\"op\":\"report\"}]"),
                bad("JSON string", ErrorCode.MALFORMED_REQUEST, "\"deposit\""),
                bad("JSON number", ErrorCode.MALFORMED_REQUEST, "42"),
                bad("JSON null", ErrorCode.MALFORMED_REQUEST, "null"),
                bad("single quotes", ErrorCode.MALFORMED_REQUEST, "{'id':1,'op':'report'}"),
                // an object, but no usable op
                bad("no op", ErrorCode.MALFORMED_REQUEST, "{\"id\":1,\"account\":\"1001\",\"amount\":100}"),
                bad("op a number", ErrorCode.MALFORMED_REQUEST, "{\"id\":1,\"op\":5}"),
                bad("op null", ErrorCode.MALFORMED_REQUEST, "{\"id\":1,\"op\":null}"),
                bad(
                        "unknown op",
                        ErrorCode.UNKNOWN_OP,
                        "{\"id\":1,\"op\":\"steal\",\"account\":\"1001\",\"amount\":100}"),
                bad(
                        "op in the wrong case",
                        ErrorCode.UNKNOWN_OP,
                        "{\"id\":1,\"op\":\"DEPOSIT\",\"account\":\"1001\",\"amount\":100}"),
                // missing fields
                bad(
                        "missing amount",
                        ErrorCode.MALFORMED_REQUEST,
                        "{\"id\":1,\"op\":\"deposit\",\"account\":\"1001\"}"),
                bad("missing account", ErrorCode.MALFORMED_REQUEST, "{\"id\":1,\"op\":\"withdraw\",\"amount\":100}"),
                bad(
                        "missing to",
                        ErrorCode.MALFORMED_REQUEST,
                        "{\"id\":1,\"op\":\"transfer\",\"from\":\"1001\",\"amount\":100}"),
                bad("missing loan", ErrorCode.MALFORMED_REQUEST, "{\"id\":1,\"op\":\"pay_loan_check\",\"amount\":100}"),
                bad(
                        "missing client_first",
                        ErrorCode.MALFORMED_REQUEST,
                        "{\"id\":1,\"op\":\"login\",\"user\":\"Alice\"}"),
                bad(
                        "a password instead of SCRAM",
                        ErrorCode.MALFORMED_REQUEST,
                        "{\"id\":1,\"op\":\"login\",\"user\":\"Alice\",\"password\":\"secret-pass\"}"),
                bad(
                        "client_first not SCRAM",
                        ErrorCode.MALFORMED_REQUEST,
                        "{\"id\":1,\"op\":\"login\",\"client_first\":\"hello\"}"),
                bad(
                        "channel binding asked for",
                        ErrorCode.MALFORMED_REQUEST,
                        "{\"id\":1,\"op\":\"login\",\"client_first\":\"p=tls-unique,,n=Alice,r=abcdefghijklmnopqrstuv\"}"),
                bad(
                        "channel binding supported but not used (y)",
                        ErrorCode.MALFORMED_REQUEST,
                        "{\"id\":1,\"op\":\"login\",\"client_first\":\"y,,n=Alice,r=abcdefghijklmnopqrstuv\"}"),
                bad(
                        "login_final before login",
                        ErrorCode.MALFORMED_REQUEST,
                        "{\"id\":1,\"op\":\"login_final\",\"client_final\":\"c=biws,r=abc,p=AAAA\"}"),
                bad(
                        "passwd without keys",
                        ErrorCode.MALFORMED_REQUEST,
                        "{\"id\":1,\"op\":\"passwd\",\"salt\":\"AAAA\"}"),
                // mistyped fields
                bad(
                        "amount as a string",
                        ErrorCode.MALFORMED_REQUEST,
                        "{\"id\":1,\"op\":\"deposit\",\"account\":\"1001\",\"amount\":\"100\"}"),
                bad(
                        "amount a boolean",
                        ErrorCode.MALFORMED_REQUEST,
                        "{\"id\":1,\"op\":\"deposit\",\"account\":\"1001\",\"amount\":true}"),
                bad(
                        "amount an object",
                        ErrorCode.MALFORMED_REQUEST,
                        "{\"id\":1,\"op\":\"deposit\",\"account\":\"1001\",\"amount\":{\"cents\":1}}"),
                bad(
                        "account as a number",
                        ErrorCode.MALFORMED_REQUEST,
                        "{\"id\":1,\"op\":\"deposit\",\"account\":1001,\"amount\":100}"),
                bad(
                        "account an array",
                        ErrorCode.MALFORMED_REQUEST,
                        "{\"id\":1,\"op\":\"balance\",\"account\":[\"1001\"]}"),
                bad(
                        "limit as a string",
                        ErrorCode.MALFORMED_REQUEST,
                        "{\"id\":1,\"op\":\"history\",\"account\":\"1001\",\"limit\":\"5\"}"),
                bad(
                        "password a number",
                        ErrorCode.MALFORMED_REQUEST,
                        "{\"id\":1,\"op\":\"login\",\"user\":\"Alice\",\"password\":12345678}"),
                // null fields
                bad(
                        "null amount",
                        ErrorCode.MALFORMED_REQUEST,
                        "{\"id\":1,\"op\":\"deposit\",\"account\":\"1001\",\"amount\":null}"),
                bad(
                        "null account",
                        ErrorCode.MALFORMED_REQUEST,
                        "{\"id\":1,\"op\":\"deposit\",\"account\":null,\"amount\":100}"),
                bad(
                        "null optional amount",
                        ErrorCode.MALFORMED_REQUEST,
                        "{\"id\":1,\"op\":\"create_account\",\"account\":\"1002\",\"amount\":null}"),
                bad(
                        "null optional filter",
                        ErrorCode.MALFORMED_REQUEST,
                        "{\"id\":1,\"op\":\"history\",\"account\":\"1001\",\"after\":null}"),
                // unknown, duplicate and trailing
                bad(
                        "unknown field",
                        ErrorCode.MALFORMED_REQUEST,
                        "{\"id\":1,\"op\":\"deposit\",\"account\":\"1001\",\"amount\":100,\"amout\":5}"),
                bad(
                        "field in camelCase",
                        ErrorCode.MALFORMED_REQUEST,
                        "{\"id\":1,\"op\":\"history\",\"account\":\"1001\",\"Limit\":5}"),
                bad(
                        "field on an op without fields",
                        ErrorCode.MALFORMED_REQUEST,
                        "{\"id\":1,\"op\":\"report\",\"all\":true}"),
                bad(
                        "duplicate amount",
                        ErrorCode.MALFORMED_REQUEST,
                        "{\"id\":1,\"op\":\"deposit\",\"account\":\"1001\",\"amount\":1,\"amount\":100000}"),
                bad(
                        "a second object",
                        ErrorCode.MALFORMED_REQUEST,
                        "{\"id\":1,\"op\":\"deposit\",\"account\":\"1001\",\"amount\":1} {\"op\":\"report\"}"),
                bad(
                        "trailing garbage",
                        ErrorCode.MALFORMED_REQUEST,
                        "{\"id\":1,\"op\":\"deposit\",\"account\":\"1001\",\"amount\":1} x"),
                // amounts
                bad(
                        "negative deposit",
                        ErrorCode.INVALID_AMOUNT,
                        "{\"id\":1,\"op\":\"deposit\",\"account\":\"1001\",\"amount\":-100}"),
                bad(
                        "negative withdrawal",
                        ErrorCode.INVALID_AMOUNT,
                        "{\"id\":1,\"op\":\"withdraw\",\"account\":\"1001\",\"amount\":-100}"),
                bad(
                        "negative transfer",
                        ErrorCode.INVALID_AMOUNT,
                        "{\"id\":1,\"op\":\"transfer\",\"from\":\"1001\",\"to\":\"1001\",\"amount\":-1}"),
                bad(
                        "negative loan",
                        ErrorCode.INVALID_AMOUNT,
                        "{\"id\":1,\"op\":\"apply_loan\",\"account\":\"1001\",\"amount\":-100}"),
                bad(
                        "negative check payment",
                        ErrorCode.INVALID_AMOUNT,
                        "{\"id\":1,\"op\":\"pay_loan_check\",\"loan\":\"L100001\",\"amount\":-100}"),
                bad(
                        "negative transfer payment",
                        ErrorCode.INVALID_AMOUNT,
                        "{\"id\":1,\"op\":\"pay_loan_transfer\",\"from\":\"1001\",\"loan\":\"L100001\",\"amount\":-100}"),
                bad(
                        "negative opening deposit",
                        ErrorCode.INVALID_AMOUNT,
                        "{\"id\":1,\"op\":\"create_account\",\"account\":\"1002\",\"amount\":-100}"),
                bad(
                        "zero deposit",
                        ErrorCode.INVALID_AMOUNT,
                        "{\"id\":1,\"op\":\"deposit\",\"account\":\"1001\",\"amount\":0}"),
                bad(
                        "zero withdrawal",
                        ErrorCode.INVALID_AMOUNT,
                        "{\"id\":1,\"op\":\"withdraw\",\"account\":\"1001\",\"amount\":0}"),
                bad(
                        "zero transfer",
                        ErrorCode.INVALID_AMOUNT,
                        "{\"id\":1,\"op\":\"transfer\",\"from\":\"1001\",\"to\":\"1002\",\"amount\":0}"),
                bad(
                        "zero loan",
                        ErrorCode.INVALID_AMOUNT,
                        "{\"id\":1,\"op\":\"apply_loan\",\"account\":\"1001\",\"amount\":0}"),
                bad(
                        "zero check payment",
                        ErrorCode.INVALID_AMOUNT,
                        "{\"id\":1,\"op\":\"pay_loan_check\",\"loan\":\"L100001\",\"amount\":0}"),
                bad(
                        "zero transfer payment",
                        ErrorCode.INVALID_AMOUNT,
                        "{\"id\":1,\"op\":\"pay_loan_transfer\",\"from\":\"1001\",\"loan\":\"L100001\",\"amount\":0}"),
                bad(
                        "fractional amount",
                        ErrorCode.MALFORMED_REQUEST,
                        "{\"id\":1,\"op\":\"deposit\",\"account\":\"1001\",\"amount\":12.5}"),
                bad(
                        "whole amount written as a fraction",
                        ErrorCode.MALFORMED_REQUEST,
                        "{\"id\":1,\"op\":\"deposit\",\"account\":\"1001\",\"amount\":100.0}"),
                bad(
                        "amount with an exponent",
                        ErrorCode.MALFORMED_REQUEST,
                        "{\"id\":1,\"op\":\"deposit\",\"account\":\"1001\",\"amount\":1e2}"),
                bad(
                        "fractional opening deposit",
                        ErrorCode.MALFORMED_REQUEST,
                        "{\"id\":1,\"op\":\"create_account\",\"account\":\"1002\",\"amount\":0.5}"),
                bad(
                        "amount over the limit",
                        ErrorCode.INVALID_AMOUNT,
                        "{\"id\":1,\"op\":\"deposit\",\"account\":\"1001\",\"amount\":100000001}"),
                bad(
                        "loan over the per-op limit",
                        ErrorCode.INVALID_AMOUNT,
                        "{\"id\":1,\"op\":\"apply_loan\",\"account\":\"1001\",\"amount\":100000001}"),
                bad(
                        "opening deposit over the limit",
                        ErrorCode.INVALID_AMOUNT,
                        "{\"id\":1,\"op\":\"create_account\",\"account\":\"1002\",\"amount\":100000001}"),
                bad(
                        "amount the largest long",
                        ErrorCode.INVALID_AMOUNT,
                        "{\"id\":1,\"op\":\"deposit\",\"account\":\"1001\",\"amount\":9223372036854775807}"),
                bad(
                        "amount beyond a long",
                        ErrorCode.MALFORMED_REQUEST,
                        "{\"id\":1,\"op\":\"deposit\",\"account\":\"1001\",\"amount\":9223372036854775808}"),
                // accounts
                bad(
                        "deposit to an unknown account",
                        ErrorCode.UNKNOWN_ACCOUNT,
                        "{\"id\":1,\"op\":\"deposit\",\"account\":\"9999\",\"amount\":100}"),
                bad(
                        "withdraw from an unknown account",
                        ErrorCode.UNKNOWN_ACCOUNT,
                        "{\"id\":1,\"op\":\"withdraw\",\"account\":\"9999\",\"amount\":100}"),
                bad(
                        "transfer to an unknown account",
                        ErrorCode.UNKNOWN_ACCOUNT,
                        "{\"id\":1,\"op\":\"transfer\",\"from\":\"1001\",\"to\":\"9999\",\"amount\":100}"),
                bad(
                        "pay an unknown loan",
                        ErrorCode.UNKNOWN_ACCOUNT,
                        "{\"id\":1,\"op\":\"pay_loan_check\",\"loan\":\"L999999\",\"amount\":100}"),
                bad(
                        "balance of an unknown account",
                        ErrorCode.UNKNOWN_ACCOUNT,
                        "{\"id\":1,\"op\":\"balance\",\"account\":\"9999\"}"),
                bad(
                        "history of an unknown account",
                        ErrorCode.UNKNOWN_ACCOUNT,
                        "{\"id\":1,\"op\":\"history\",\"account\":\"\"}"),
                bad(
                        "malformed account number",
                        ErrorCode.INVALID_ACCOUNT_NUMBER,
                        "{\"id\":1,\"op\":\"create_account\",\"account\":\"10 02\"}"),
                bad(
                        "bad page size",
                        ErrorCode.INVALID_ARGUMENT,
                        "{\"id\":1,\"op\":\"history\",\"account\":\"1001\",\"limit\":-1}"),
                // bytes that are not UTF-8: the line cannot even be read as text
                bad(
                        "invalid UTF-8 byte",
                        ErrorCode.MALFORMED_REQUEST,
                        utf8WithBytes("{\"op\":\"balance\",\"account\":\"1001", 0xff, "\"}")),
                bad(
                        "overlong UTF-8",
                        ErrorCode.MALFORMED_REQUEST,
                        utf8WithBytes("{\"op\":\"balance\",\"account\":\"1001", 0xc0, 0xaf, "\"}")),
                bad(
                        "UTF-8 surrogate",
                        ErrorCode.MALFORMED_REQUEST,
                        utf8WithBytes("{\"op\":\"balance\",\"account\":\"", 0xed, 0xa0, 0x80, "\"}")),
                bad(
                        "UTF-8 cut short",
                        ErrorCode.MALFORMED_REQUEST,
                        utf8WithBytes("{\"op\":\"balance\",\"account\":\"1001\"}", 0xe2, 0x82)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badLines")
    void aBadRequestGetsItsCodeChangesNothingAndTheConnectionGoesOn(String what, ErrorCode code, byte[] line)
            throws IOException {
        JsonNode before = bank.books();
        long balanceBefore = alice.balance("1001").balance();

        alice.write(line);
        Reply reply = alice.readReply();
        assertFalse(reply.ok(), () -> what + ": succeeded: " + reply);
        assertEquals(code, reply.error().code(), () -> what + ": " + reply.error());
        assertNotNull(reply.error().message());
        assertFalse(reply.error().message().isBlank());
        if (startsAsAnObjectWithId(line)) {
            assertEquals(
                    1, reply.id().intValue(), () -> what + ": the id of an object is echoed even when the rest is bad");
        } else {
            assertTrue(reply.id() == null || reply.id().isNull(), () -> what + ": an id from nowhere: " + reply.id());
        }

        assertEquals(before, bank.books(), () -> what + " changed the books");
        assertEquals(balanceBefore, alice.balance("1001").balance(), "the next request on the connection is served");
        alice.ok(new Request.Deposit("1001", 1), Result.Tx.class);
    }

    @Test
    void theIdIsEchoedAsGivenWhateverItIs() throws IOException {
        for (String id :
                new String[] {"\"abc\"", "-7", "1.5", "{\"a\":[1,null]}", "[]", "true", "null", "12345678901234567890"
                }) {
            Reply reply = alice.callLine("{\"id\":" + id + ",\"op\":\"balance\",\"account\":\"1001\"}");
            assertTrue(reply.ok(), id);
            assertEquals(
                    Json.tree(Json.parseRequest("{\"op\":\"report\",\"id\":" + id + "}")
                            .id()),
                    reply.id(),
                    id);
        }
        Reply none = alice.callLine("{\"op\":\"balance\",\"account\":\"1001\"}");
        assertTrue(none.ok());
        assertTrue(none.id() == null || none.id().isNull(), "a request without id gets id null");
    }

    @Test
    void blankLinesAreIgnoredAndCrLfEndsALineToo() throws IOException {
        alice.write(
                "\n\r\n   \n\t\n{\"id\":1,\"op\":\"balance\",\"account\":\"1001\"}\r\n\n{\"id\":2,\"op\":\"report\"}\n"
                        .getBytes(StandardCharsets.UTF_8));
        Reply first = alice.readReply();
        assertEquals(1, first.id().intValue(), "a blank line got a reply of its own");
        assertTrue(first.ok());
        Reply second = alice.readReply();
        assertEquals(2, second.id().intValue());
        assertEquals(ErrorCode.FORBIDDEN, second.error().code());
        assertEquals(10_000, alice.balance("1001").balance(), "and nothing is waiting in between");
    }

    @Test
    void theLargestAmountIsAccepted() throws IOException {
        assertEquals(
                100_000_000 + 10_000,
                alice.ok(new Request.Deposit("1001", 100_000_000), Result.Tx.class)
                        .balance());
        assertEquals(
                100_000_000,
                alice.ok(new Request.CreateAccount("1002", 100_000_000L), Result.Tx.class)
                        .balance());
        assertEquals(
                10_001,
                alice.ok(new Request.Withdraw("1001", 100_000_000 - 1), Result.Tx.class)
                        .balance());
    }

    // ------------------------------------------------------------ the line limit

    @Test
    void aLineOfExactlyTheLimitIsServed() throws IOException {
        String line = padTo("{\"id\":1,\"op\":\"deposit\",\"account\":\"1001\",\"amount\":7}", MAX_LINE_BYTES);
        assertEquals(MAX_LINE_BYTES, line.getBytes(StandardCharsets.UTF_8).length);
        Reply reply = alice.callLine(line);
        assertTrue(reply.ok(), () -> reply.error().toString());
        assertEquals(10_007, alice.balance("1001").balance());
    }

    @Test
    void aLineOverTheLimitIsAnsweredLineTooLongAndItsConnectionClosedWhileOthersGoOn() throws IOException {
        TestClient bystander = bank.connect();
        bystander.login("Alice", TestServer.PASSWORD);
        JsonNode before = bank.books();

        String line = padTo("{\"id\":1,\"op\":\"deposit\",\"account\":\"1001\",\"amount\":7}", MAX_LINE_BYTES + 1);
        Reply reply = alice.callLine(line);
        assertFalse(reply.ok());
        assertEquals(ErrorCode.LINE_TOO_LONG, reply.error().code());
        assertTrue(reply.id() == null || reply.id().isNull(), "the id of a line that was not read is unknown");
        alice.assertClosedByServer();

        assertEquals(before, bank.books(), "the over-long deposit was not made");
        assertEquals(10_000, bystander.balance("1001").balance(), "another connection goes on");
        TestClient fresh = bank.connect();
        fresh.login("Alice", TestServer.PASSWORD);
        assertEquals(
                10_007,
                fresh.ok(new Request.Deposit("1001", 7), Result.Tx.class).balance(),
                "new connections are served");
    }

    @Test
    void aLineFarOverTheLimitIsCutOffAndTheClientStillGetsTheReplyThenEndOfStream() throws Exception {
        // 32 MiB without a newline: far more than the server may buffer, and more than the socket buffers hold, so
        // the server must answer without reading it all. It is written from another thread, since the write cannot
        // finish once the server stops reading.
        final int chunkCount = 512;
        TestClient flooder = bank.connect();
        byte[] chunk = new byte[64 * 1024];
        Arrays.fill(chunk, (byte) 'x');
        CompletableFuture<Integer> writing = TestServer.inBackground("flooder", () -> {
            int chunks = 0;
            try {
                for (; chunks < chunkCount; chunks++) {
                    flooder.write(chunk);
                }
            } catch (IOException expected) {
                // the server closed the connection before the line ended, as it should
            }
            return chunks;
        });
        Reply reply = flooder.readReply();
        assertEquals(ErrorCode.LINE_TOO_LONG, reply.error().code());
        ByteArrayOutputStream rest = new ByteArrayOutputStream();
        String end;
        try {
            flooder.input().transferTo(rest);
            end = "end of stream";
        } catch (SocketException e) {
            end = e.getMessage();
        }
        assertEquals(0, rest.size(), "nothing after the LINE_TOO_LONG reply");
        assertEquals(
                "end of stream",
                end,
                "the server should close the connection after LINE_TOO_LONG (docs/protocol.md),"
                        + " not reset it: a reset can destroy the reply before the client reads it");
        try {
            assertTrue(writing.get(10, TimeUnit.SECONDS) < chunkCount, "the server read the whole 32 MiB line");
        } catch (TimeoutException e) {
            throw new AssertionError("the client is still writing: the server neither read nor closed", e);
        } catch (ExecutionException e) {
            throw new AssertionError(e.getCause());
        }
        assertEquals(10_000, alice.balance("1001").balance(), "the server goes on");
    }

    // ------------------------------------------------------------ helpers

    private static Arguments bad(String what, ErrorCode code, String line) {
        return Arguments.of(what, code, (line + "\n").getBytes(StandardCharsets.UTF_8));
    }

    private static Arguments bad(String what, ErrorCode code, byte[] line) {
        return Arguments.of(what, code, line);
    }

    /** UTF-8 text with raw bytes in between, ending in a newline: {@code ("ab", 0xff, "cd")}. */
    private static byte[] utf8WithBytes(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object part : parts) {
            if (part instanceof String text) {
                out.writeBytes(text.getBytes(StandardCharsets.UTF_8));
            } else {
                out.write((Integer) part);
            }
        }
        out.write('\n');
        return out.toByteArray();
    }

    private static boolean startsAsAnObjectWithId(byte[] line) {
        return new String(line, StandardCharsets.ISO_8859_1).startsWith("{\"id\":1,")
                && Json.parseRequest(new String(line, StandardCharsets.UTF_8).strip())
                                .id()
                        != null;
    }

    /** {@code json} with spaces before its closing brace, to exactly {@code bytes} bytes. */
    private static String padTo(String json, int bytes) {
        int missing = bytes - json.getBytes(StandardCharsets.UTF_8).length;
        return json.substring(0, json.length() - 1) + " ".repeat(missing) + "}";
    }
}
