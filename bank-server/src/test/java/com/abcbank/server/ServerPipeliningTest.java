package com.abcbank.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abcbank.ledger.ErrorCode;
import com.abcbank.protocol.Json;
import com.abcbank.protocol.Reply;
import com.abcbank.protocol.Request;
import com.abcbank.protocol.Result;
import com.fasterxml.jackson.databind.node.LongNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client may send many requests before reading any reply (docs/protocol.md): the server answers each, in
 * request order, on a connection served by one thread. Here 1,000 requests leave in one write, and only then
 * are the replies read.
 */
class ServerPipeliningTest {
    private static final int REQUESTS = 1_000;

    @TempDir
    Path dataDir;

    private TestServer bank;

    @BeforeEach
    void start() throws IOException {
        bank = TestServer.start(TestServer.config(dataDir));
    }

    @AfterEach
    void stop() {
        bank.close();
    }

    /** What the i-th pipelined request should get back. */
    private record Expected(Long id, boolean ok, ErrorCode code, String type, long balance) {}

    @Test
    void aThousandRequestsInOneWriteGetAThousandRepliesInOrder() throws Exception {
        TestClient alice = bank.customer("Alice");
        long seq = alice.ok(new Request.CreateAccount("1001", null), Result.Tx.class)
                .tx();

        // Mostly deposits (each reply shows the running balance, so order is visible in the money too), with
        // balance reads, refused withdrawals and lines that are not even JSON mixed in.
        StringBuilder pipeline = new StringBuilder();
        List<Expected> expected = new ArrayList<>(REQUESTS);
        long balance = 0;
        for (long id = 1; id <= REQUESTS; id++) {
            if (id % 100 == 42) {
                pipeline.append("not json at all\n");
                expected.add(new Expected(null, false, ErrorCode.MALFORMED_REQUEST, null, balance));
                continue;
            }
            Request request;
            if (id % 10 == 0) {
                request = new Request.Balance("1001");
                expected.add(new Expected(id, true, null, null, balance));
            } else if (id % 50 == 7) {
                request = new Request.Withdraw("1001", balance + 1);
                expected.add(new Expected(id, false, ErrorCode.INSUFFICIENT_FUNDS, null, balance));
            } else {
                request = new Request.Deposit("1001", id);
                balance += id;
                expected.add(new Expected(id, true, null, "DEPOSIT", balance));
            }
            pipeline.append(Json.writeRequest(LongNode.valueOf(id), request)).append('\n');
        }
        byte[] bytes = pipeline.toString().getBytes(StandardCharsets.UTF_8);

        // One write, nothing read meanwhile. Off this thread, so that a server that stopped reading fails the
        // test instead of hanging it.
        CompletableFuture<Void> written = TestServer.inBackground("pipeline-writer", () -> {
            alice.write(bytes);
            return null;
        });
        try {
            written.get(10, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError(bytes.length + " bytes of requests could not be written in 10 s", e);
        } catch (ExecutionException e) {
            throw new AssertionError(e.getCause());
        }

        for (int i = 0; i < REQUESTS; i++) {
            Expected want = expected.get(i);
            Reply reply = alice.readReply();
            String where = "reply " + (i + 1) + ": " + Json.write(reply);
            if (want.id() == null) {
                assertTrue(reply.id() == null || reply.id().isNull(), where);
            } else {
                assertEquals(want.id().longValue(), reply.id().longValue(), () -> "out of order at " + where);
            }
            assertEquals(want.ok(), reply.ok(), where);
            if (!want.ok()) {
                assertEquals(want.code(), reply.error().code(), where);
            } else if (want.type() != null) {
                Result.Tx tx = Json.convert(reply.result(), Result.Tx.class);
                assertEquals(++seq, tx.tx(), where);
                assertEquals(want.type(), tx.type(), where);
                assertEquals(want.id().longValue(), tx.amount(), where);
                assertEquals(want.balance(), tx.balance(), where);
            } else {
                assertEquals(
                        want.balance(),
                        Json.convert(reply.result(), Result.Account.class).balance(),
                        where);
            }
        }
        // No reply more, no reply less: the next call's reply is the very next line.
        assertEquals(balance, alice.balance("1001").balance());
        Result.Report report = bank.audit().report();
        assertEquals(0, report.sum());
        assertEquals(balance, report.totals().get("checking"));
        assertEquals(seq, report.transactions());
    }

    @Test
    void aPipelineCanRegisterAndActInOneWrite() throws IOException {
        // A SCRAM login needs the server's first message before the proof, so it takes a round trip; register is
        // one request, and the requests pipelined after it act as the new user.
        bank.customer("Alice").ok(new Request.CreateAccount("1001", 500L), Result.Tx.class);
        TestClient client = bank.connect();
        client.write((Json.writeRequest(1, new Request.Balance("1001")) + "\n"
                        + Json.writeRequest(2, TestClient.registration("Bob", TestServer.PASSWORD)) + "\n"
                        + Json.writeRequest(3, new Request.CreateAccount("2001", 250L)) + "\n"
                        + Json.writeRequest(4, new Request.Deposit("2001", 100)) + "\n"
                        + Json.writeRequest(5, new Request.Balance("1001")) + "\n")
                .getBytes(StandardCharsets.UTF_8));
        Reply[] replies = new Reply[5];
        for (int i = 0; i < replies.length; i++) {
            replies[i] = client.readReply();
            assertEquals(i + 1, replies[i].id().intValue());
        }
        assertEquals(ErrorCode.UNAUTHENTICATED, replies[0].error().code(), "not yet logged in");
        assertTrue(replies[1].ok());
        assertTrue(replies[2].ok(), "registered by the line before");
        assertEquals(350, replies[3].result().get("balance").longValue());
        assertFalse(replies[4].ok(), "now Bob: Alice's account is not his");
        assertEquals(ErrorCode.FORBIDDEN, replies[4].error().code());
    }
}
