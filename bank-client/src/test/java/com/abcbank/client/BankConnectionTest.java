package com.abcbank.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abcbank.ledger.ErrorCode;
import com.abcbank.protocol.Json;
import com.abcbank.protocol.Reply;
import com.abcbank.protocol.Request;
import com.abcbank.protocol.Result;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(20)
class BankConnectionTest {
    private static final Result.User ALICE = new Result.User("Alice", "CUSTOMER");

    @Test
    void requestLinesCarryIdsOneTwoThreeAndTheWireFieldsAsTheServerReadsThem() throws Exception {
        try (FakeBankServer server = new FakeBankServer(FakeBankServer.answering(request -> ALICE))) {
            try (BankConnection bank = BankConnection.open("127.0.0.1", server.port(), 2_000, 5_000)) {
                bank.login("Alice", "pw");
                Reply reply = bank.call(new Request.Deposit("1001", 20_000));
                assertTrue(reply.ok());
                assertEquals(3, reply.id().asLong());
            }
            List<String> lines = server.received();
            assertEquals(3, lines.size(), lines::toString);
            assertTrue(
                    lines.get(0).matches("\\{\"id\":1,\"op\":\"login\",\"client_first\":\"n,,n=Alice,r=[^,]+\"}"),
                    lines.get(0));
            assertTrue(
                    lines.get(1)
                            .matches("\\{\"id\":2,\"op\":\"login_final\",\"client_final\":\"c=biws,r=[^,]+,p=[^,]+\"}"),
                    lines.get(1));
            assertFalse(String.join("\n", lines).contains("pw\""), "the password never crosses the wire");
            assertEquals("{\"id\":3,\"op\":\"deposit\",\"account\":\"1001\",\"amount\":20000}", lines.get(2));
        }
    }

    @Test
    void pipelinedRepliesAreHandedOverInRequestOrder() throws Exception {
        int count = 200;
        // The server reads a full window before it answers anything: a client that waited for each reply
        // before sending the next request would never get one.
        FakeBankServer.Script script = (in, out) -> {
            List<String> first = new ArrayList<>();
            for (int i = 0; i < BatchCommand.WINDOW; i++) {
                first.add(in.next());
            }
            first.forEach(line -> out.println(FakeBankServer.reply(line, BankConnectionTest::echoAccount)));
            FakeBankServer.answerUntilClosed(in, out, BankConnectionTest::echoAccount);
        };
        try (FakeBankServer server = new FakeBankServer(script)) {
            List<Request> requests = IntStream.range(0, count)
                    .<Request>mapToObj(i -> new Request.Balance(Integer.toString(1000 + i)))
                    .toList();
            List<String> seen = new ArrayList<>();
            try (BankConnection bank = BankConnection.open("127.0.0.1", server.port(), 2_000, 5_000)) {
                bank.pipeline(requests, BatchCommand.WINDOW, (index, reply) -> {
                    assertEquals(index + 1, reply.id().asInt());
                    seen.add(Operation.as(reply, Result.Account.class).account());
                });
            }
            assertEquals(
                    IntStream.range(0, count)
                            .mapToObj(i -> Integer.toString(1000 + i))
                            .toList(),
                    seen);
            assertEquals(count, server.received().size());
        }
    }

    private static Object echoAccount(Request request) {
        return new Result.Account(
                ((Request.Balance) request).account(), "CHECKING", "Alice", "2026-11-23T10:00:00Z", 0, null);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 5, 64})
    void neverMoreThanTheWindowInFlightAndEveryAwaitedRequestWasFlushed(int window) {
        ScriptedPeer peer = new ScriptedPeer(window);
        List<Request> requests = IntStream.range(0, 150)
                .<Request>mapToObj(i -> new Request.Balance("1001"))
                .toList();
        List<Integer> order = new ArrayList<>();
        try (BankConnection bank = new BankConnection("peer", peer.in, peer.out, () -> {})) {
            bank.pipeline(requests, window, (index, reply) -> order.add(index));
        }
        assertEquals(IntStream.range(0, 150).boxed().toList(), order);
        assertEquals(window, peer.maxInFlight, "the window was never filled");
    }

    /**
     * A peer in memory, no threads: it hands out reply N only when the client reads, and at that moment
     * checks that request N has been flushed and that no more than the window is unanswered.
     */
    private static final class ScriptedPeer {
        final int window;
        int requestsWritten;
        int repliesGiven;
        int maxInFlight;
        byte[] current = new byte[0];
        int position;

        ScriptedPeer(int window) {
            this.window = window;
        }

        final OutputStream out = new OutputStream() {
            @Override
            public void write(int b) {
                if (b == '\n') {
                    requestsWritten++;
                }
            }
        };

        final InputStream in = new InputStream() {
            @Override
            public int read() {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) {
                if (position == current.length) {
                    int inFlight = requestsWritten - repliesGiven;
                    assertTrue(inFlight >= 1, "the client waits for a reply to a request it has not flushed");
                    assertTrue(inFlight <= window, inFlight + " requests in flight, window " + window);
                    maxInFlight = Math.max(maxInFlight, inFlight);
                    repliesGiven++;
                    current = (Json.write(Reply.success(Json.tree(repliesGiven), Json.tree(ALICE))) + "\n")
                            .getBytes(StandardCharsets.UTF_8);
                    position = 0;
                }
                int n = Math.min(length, current.length - position); // never past this reply: the next is not due yet
                System.arraycopy(current, position, buffer, offset, n);
                position += n;
                return n;
            }
        };
    }

    @Test
    void aReplyLongerThanTheReadBufferArrivesWhole() throws Exception {
        List<Result.Entry> entries = IntStream.range(0, 5_000)
                .mapToObj(i -> new Result.Entry(
                        i + 1, "2026-11-23T10:00:00Z", "DEPOSIT", "Alice", 100, "VAULT-03", 100L * (i + 1)))
                .toList();
        Result.History big = new Result.History("1001", entries, null);
        try (FakeBankServer server = new FakeBankServer(FakeBankServer.answering(request -> big));
                BankConnection bank = BankConnection.open("127.0.0.1", server.port(), 2_000, 5_000)) {
            Reply first = bank.call(new Request.History("1001", null, null));
            Reply second = bank.call(new Request.Balance("1001")); // the next reply starts cleanly after the long one
            assertTrue(Json.write(first).length() > 4 * (1 << 16), "longer than several read buffers");
            assertEquals(big, Operation.as(first, Result.History.class));
            assertEquals(2, second.id().asInt());
        }
    }

    @Test
    void anErrorReplyWithoutAnIdAnswersTheOldestRequest() throws Exception {
        // What a server sends when it could not read the request's id (a line too long) or was full.
        FakeBankServer.Script script = (in, out) -> {
            in.next();
            out.println(Json.write(Reply.failure(null, FakeBankServer.refuse(ErrorCode.SERVER_BUSY, "full"))));
        };
        try (FakeBankServer server = new FakeBankServer(script);
                BankConnection bank = BankConnection.open("127.0.0.1", server.port(), 2_000, 5_000)) {
            ClientException e = assertThrows(ClientException.class, () -> bank.login("Alice", "pw"));
            assertEquals(ExitCodes.UNAVAILABLE, e.exitCode);
            assertEquals("SERVER_BUSY: full", e.getMessage());
        }
    }

    @Test
    void aReplyOutOfOrderIsAProtocolError() throws Exception {
        FakeBankServer.Script script = (in, out) -> {
            in.next();
            out.println(Json.write(Reply.success(Json.tree(7), Json.tree(ALICE))));
        };
        try (FakeBankServer server = new FakeBankServer(script);
                BankConnection bank = BankConnection.open("127.0.0.1", server.port(), 2_000, 5_000)) {
            ClientException e = assertThrows(ClientException.class, () -> bank.call(new Request.Report()));
            assertEquals(ExitCodes.PROTOCOL, e.exitCode);
            assertTrue(e.getMessage().contains("reply id 7 where 1 was due"), e.getMessage());
        }
    }

    @Test
    void somethingThatIsNotAReplyIsAProtocolError() throws Exception {
        FakeBankServer.Script script = (in, out) -> {
            in.next();
            out.println("HTTP/1.1 400 Bad Request");
        };
        try (FakeBankServer server = new FakeBankServer(script);
                BankConnection bank = BankConnection.open("127.0.0.1", server.port(), 2_000, 5_000)) {
            assertEquals(
                    ExitCodes.PROTOCOL,
                    assertThrows(ClientException.class, () -> bank.call(new Request.Report())).exitCode);
        }
    }

    @Test
    void aConnectionClosedWithRequestsUnansweredSaysTheyMayHaveHappened() throws Exception {
        FakeBankServer.Script script = (in, out) -> in.next(); // reads one request, then hangs up
        try (FakeBankServer server = new FakeBankServer(script);
                BankConnection bank = BankConnection.open("127.0.0.1", server.port(), 2_000, 5_000)) {
            ClientException e = assertThrows(ClientException.class, () -> bank.call(new Request.Deposit("1001", 1)));
            assertEquals(ExitCodes.UNAVAILABLE, e.exitCode);
            assertTrue(e.getMessage().contains("closed the connection"), e.getMessage());
            assertTrue(
                    e.getMessage().contains("1 request unanswered: may or may not have taken effect"), e.getMessage());
        }
    }

    @Test
    void noReplyWithinTheReadTimeoutIsUnavailable() throws Exception {
        FakeBankServer.Script script = (in, out) -> {
            in.next();
            in.next(); // waits for a line that never comes, until the client gives up and closes
        };
        try (FakeBankServer server = new FakeBankServer(script);
                BankConnection bank = BankConnection.open("127.0.0.1", server.port(), 2_000, 200)) {
            ClientException e = assertThrows(ClientException.class, () -> bank.call(new Request.Report()));
            assertEquals(ExitCodes.UNAVAILABLE, e.exitCode);
            assertTrue(
                    e.getMessage().startsWith("no reply from 127.0.0.1:" + server.port() + " in time"), e.getMessage());
        }
    }

    @Test
    void aRefusedConnectionIsUnavailable() throws IOException {
        int port = FakeBankServer.closedPort();
        ClientException e =
                assertThrows(ClientException.class, () -> BankConnection.open("127.0.0.1", port, 2_000, 2_000));
        assertEquals(ExitCodes.UNAVAILABLE, e.exitCode);
        assertTrue(e.getMessage().startsWith("cannot connect to 127.0.0.1:" + port + ": "), e.getMessage());
    }

    @Test
    void anOverlongReplyLineIsAProtocolErrorNotAnOutOfMemoryError() {
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                return 'x';
            }

            @Override
            public int read(byte[] buffer, int offset, int length) {
                java.util.Arrays.fill(buffer, offset, offset + length, (byte) 'x');
                return length;
            }
        };
        try (BankConnection bank = new BankConnection("peer", endless, new ByteArrayOutputStream(), () -> {})) {
            ClientException e = assertThrows(ClientException.class, () -> bank.call(new Request.Report()));
            assertEquals(ExitCodes.PROTOCOL, e.exitCode);
            assertTrue(e.getMessage().contains("longer than"), e.getMessage());
        }
    }
}
