package com.abcbank.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abcbank.ledger.ErrorCode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * The server's streaming path ({@link Json#parseRequest(byte[])}, {@link Json#writeReply}) gives exactly what the
 * tree-based path gives: the same request or the same refusal for any line, and the same reply bytes.
 */
class JsonStreamingTest {
    private static final List<String> FIELDS = List.of(
            "id", "op", "account", "amount", "from", "to", "loan", "key", "after", "limit", "user", "password", "x");
    private static final List<String> VALUES = List.of(
            "\"1001\"",
            "\"1002\"",
            "5000",
            "-3",
            "0",
            "12.5",
            "1e3",
            "null",
            "true",
            "\"deposit\"",
            "\"transfer\"",
            "\"balance\"",
            "\"report\"",
            "\"steal\"",
            "{}",
            "[1,{\"a\":null}]",
            "\"\\u00e9\"",
            "\"k-1\"",
            "99999999999999999999",
            "\"200\"",
            "{\"id\":1}",
            "{\"a\":1,\"a\":2}",
            "[{\"b\":1,\"b\":1}]");

    @Property(tries = 2000)
    void streamingAndTreeReadEveryLineAlike(@ForAll("lines") String line) {
        Json.Parsed streamed = Json.parseStreaming(line.getBytes(StandardCharsets.UTF_8));
        Json.Parsed tree = Json.parseTree(line);
        if (streamed != null) {
            assertEquals(tree, streamed, line);
        } else {
            // Only a refusal, or a request whose id is an object or array (which may hide a duplicate field), is
            // left to the tree.
            boolean containerId = tree.id() != null && tree.id().isContainerNode();
            assertTrue(
                    tree.failure() != null || containerId,
                    () -> "the streaming path left a good request to the tree: " + line);
        }
        assertEquals(tree, Json.parseRequest(line.getBytes(StandardCharsets.UTF_8)), line);
    }

    private static final Scram.ClientKeys KEYS = Scram.newKeys("secret-password".toCharArray(), Scram.MIN_ITERATIONS);

    @Test
    void everyRequestAClientWritesTakesTheStreamingPath() {
        List<Request> requests = List.of(
                new Request.Register("alice", KEYS.verifier()),
                new Request.Login("n,,n=alice,r=fyko+d2lbbFgONRv9qkxdawL"),
                new Request.LoginFinal(
                        "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="),
                new Request.Passwd(KEYS.verifier()),
                new Request.CreateAccount("1001", 500L, "k-1"),
                new Request.CreateAccount("1001", null),
                new Request.Deposit("1001", 5, "k-2"),
                new Request.Withdraw("1001", 5),
                new Request.Transfer("1001", "1002", 7, "k-3"),
                new Request.ApplyLoan("1001", 100),
                new Request.PayLoanCheck("L100001", 5),
                new Request.PayLoanTransfer("1001", "L100001", 5, "k-4"),
                new Request.Balance("1001"),
                new Request.History("1001", 4L, 10),
                new Request.ShowAccountholders(),
                new Request.ShowHistory(1L, 5, "1001", "alice", "2026-12-01T00:00:00Z", null),
                new Request.Report(),
                new Request.Verify(),
                new Request.ShowSecurityEvents(2L, 10, "LOGIN_FAILED", "alice", "2026-12-01T00:00:00Z", null),
                new Request.Cluster());
        assertEquals(
                Request.OPS.size(),
                requests.stream().map(Object::getClass).distinct().count());
        for (Request request : requests) {
            String line = Json.writeRequest(9, request);
            Json.Parsed parsed = Json.parseStreaming(line.getBytes(StandardCharsets.UTF_8));
            assertNotNull(parsed, line);
            assertEquals(new Json.Parsed(IntNode.valueOf(9), request, null), parsed, line);
            String bare = Json.writeRequest(request);
            assertEquals(request, Json.parseRequest(bare).request(), bare);
            assertFalse(bare.contains("\"id\""), bare);
        }
    }

    @Provide
    Arbitrary<String> lines() {
        Arbitrary<String> field = Combinators.combine(Arbitraries.of(FIELDS), Arbitraries.of(VALUES))
                .as((name, value) -> "\"" + name + "\":" + value);
        Arbitrary<String> object = field.list().ofMaxSize(6).map(fields -> "{" + String.join(",", fields) + "}");
        Arbitrary<String> garbage = Arbitraries.of("", " x", "}", "[1,2]", "{", "\"deposit\"", "{op:deposit}");
        Arbitrary<String> request = Combinators.combine(
                        Arbitraries.of(
                                        List.of("\"op\":\"deposit\"", "\"account\":\"1001\"", "\"amount\":5"),
                                        List.of(
                                                "\"op\":\"transfer\"",
                                                "\"from\":\"1001\"",
                                                "\"to\":\"1002\"",
                                                "\"amount\":7",
                                                "\"key\":\"k-1\""),
                                        List.of("\"op\":\"show_history\"", "\"after\":3", "\"user\":\"bob\""),
                                        List.of("\"op\":\"report\""))
                                .map(fields -> new java.util.ArrayList<>(fields)),
                        field.list().ofMaxSize(1),
                        Arbitraries.randoms())
                .as((fields, extra, random) -> {
                    fields.addAll(extra);
                    java.util.Collections.shuffle(fields, random);
                    return "{" + String.join(",", fields) + "}";
                });
        return Arbitraries.oneOf(
                request,
                object,
                Combinators.combine(object, garbage).as(String::concat),
                Combinators.combine(garbage, object).as(String::concat));
    }

    @Test
    void utf16Utf32AndAByteOrderMarkAreRefusedAsTheTreePathRefusesThem() {
        String line = "{\"op\":\"balance\",\"account\":\"1001\"}";
        List<byte[]> disguised = List.of(
                line.getBytes(StandardCharsets.UTF_16LE),
                line.getBytes(StandardCharsets.UTF_16BE),
                line.getBytes(java.nio.charset.Charset.forName("UTF-32BE")),
                ("\uFEFF" + line).getBytes(StandardCharsets.UTF_8));
        for (byte[] bytes : disguised) {
            assertEquals(null, Json.parseStreaming(bytes), "the streaming path must leave this to the tree");
            Json.Parsed parsed = Json.parseRequest(bytes);
            assertEquals(Json.parseTree(new String(bytes, StandardCharsets.UTF_8)), parsed);
            assertEquals(ErrorCode.MALFORMED_REQUEST, parsed.failure().code());
        }
    }

    @Test
    void aCleanRequestKeepsItsIdWhereverItStands() {
        for (String line : List.of(
                "{\"id\":7,\"op\":\"deposit\",\"account\":\"1001\",\"amount\":5}",
                "{\"op\":\"deposit\",\"account\":\"1001\",\"amount\":5,\"id\":7}")) {
            Json.Parsed parsed = Json.parseRequest(line.getBytes(StandardCharsets.UTF_8));
            assertEquals(IntNode.valueOf(7), parsed.id(), line);
            assertEquals(new Request.Deposit("1001", 5), parsed.request(), line);
        }
        assertEquals(
                null,
                Json.parseRequest("{\"op\":\"report\"}".getBytes(StandardCharsets.UTF_8))
                        .id(),
                "no id: the reply says null");
    }

    @Test
    void repliesWrittenFromRecordsAreTheBytesOfTheirTrees() throws IOException {
        Json.Parsed line = Json.parseRequest("{\"id\":\"a\\\"b\",\"op\":\"report\"}");
        List<Object> results = List.of(
                new Result.User("alice", "CUSTOMER"),
                new Result.Tx(9, "2026-12-02T10:00:00Z", "TRANSFER", 5, null, null, "1001", 1L, "1002", 2L, null, null),
                new Result.History("1001", List.of(new Result.Entry(3, "t", "DEPOSIT", "alice", -5, null, 10)), 4L),
                new Result.Report(0, true, 7, 7, 2, Map.of("checking", 5L), Map.of("checking", 2), 0, List.of()));
        for (Object result : results) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Json.writeReply(out, line, result);
            assertEquals(
                    Json.write(Reply.success(TextNode.valueOf("a\"b"), Json.tree(result))) + "\n",
                    out.toString(StandardCharsets.UTF_8),
                    result.getClass().getSimpleName());
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Failure failure = new Failure(ErrorCode.LINE_TOO_LONG, "too long");
        Json.writeFailure(out, null, failure);
        assertEquals(Json.write(Reply.failure(null, failure)) + "\n", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void writingAReplyNeitherFlushesNorClosesTheStream() throws IOException {
        class Watched extends ByteArrayOutputStream {
            int flushes;
            boolean closed;

            @Override
            public void flush() {
                flushes++;
            }

            @Override
            public void close() {
                closed = true;
            }
        }
        Watched out = new Watched();
        Json.writeReply(out, null, new Result.User("alice", "CUSTOMER"));
        Json.writeFailure(out, null, new Failure(ErrorCode.UNKNOWN_OP, "no"));
        assertEquals(0, out.flushes, "a connection flushes a batch once, itself");
        assertEquals(false, out.closed);
        assertEquals(2, out.toString(StandardCharsets.UTF_8).lines().count());
    }
}
