package com.abcbank.server;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abcbank.ledger.ErrorCode;
import com.abcbank.protocol.Json;
import com.abcbank.protocol.Reply;
import com.abcbank.protocol.Request;
import com.abcbank.protocol.Result;
import com.fasterxml.jackson.databind.node.LongNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Connections that end badly, too many connections, idle connections, clients that stop reading, and shutdown
 * with connections open. The server must stay up, serve the next client, and leak no connection: after each
 * test the server's count of connections being served returns to what the test still holds open.
 */
class ServerLifecycleTest {
    @TempDir
    Path dataDir;

    private TestServer bank;

    @AfterEach
    void stop() {
        if (bank != null) {
            bank.close();
        }
    }

    private static ConditionFactory within(int seconds) {
        return await().atMost(Duration.ofSeconds(seconds)).pollInterval(Duration.ofMillis(10));
    }

    private void awaitActiveConnections(int expected) {
        within(5).until(() -> bank.server.activeConnections() == expected);
    }

    // ------------------------------------------------------------ clients that vanish

    @Test
    void clientsThatVanishMidRequestLeaveTheServerServingAndLeakNothing() throws Exception {
        bank = TestServer.start(TestServer.config(dataDir));
        TestClient alice = bank.customer("Alice");
        alice.ok(new Request.CreateAccount("1001", null), Result.Tx.class);
        String deposit = Json.writeRequest(LongNode.valueOf(1), new Request.Deposit("1001", 100));
        byte[] half = deposit.substring(0, deposit.length() / 2).getBytes(StandardCharsets.UTF_8);
        int rounds = 20;

        // Half a line, then a clean close: no request was made.
        for (int i = 0; i < rounds; i++) {
            TestClient vanishing = loggedInAsAlice();
            vanishing.write(half);
            vanishing.close();
        }
        awaitActiveConnections(1);
        assertEquals(0, alice.balance("1001").balance(), "half a request must not be carried out");

        // A whole request, then a close before reading the reply: the request was made, exactly once.
        for (int i = 0; i < rounds; i++) {
            TestClient vanishing = loggedInAsAlice();
            vanishing.send(deposit);
            vanishing.close();
        }
        awaitActiveConnections(1);
        assertEquals(
                rounds * 100L,
                alice.balance("1001").balance(),
                "every whole request sent before the close was carried out");

        // A reset (SO_LINGER 0) after a whole request and half of the next: the first may or may not have been read
        // before the reset, but it is all or nothing, and the half never happens.
        for (int i = 0; i < rounds; i++) {
            TestClient vanishing = loggedInAsAlice();
            vanishing.socket().setSoLinger(true, 0);
            vanishing.write(
                    (deposit + "\n" + new String(half, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8));
            vanishing.close();
        }
        awaitActiveConnections(1);
        long balance = alice.balance("1001").balance();
        assertTrue(
                balance >= rounds * 100L && balance <= 2L * rounds * 100L && balance % 100 == 0, "balance " + balance);

        // A reset while the server still has replies to write to a client that never read one.
        for (int i = 0; i < 5; i++) {
            TestClient vanishing = loggedInAsAlice();
            vanishing.socket().setSoLinger(true, 0);
            StringBuilder many = new StringBuilder();
            for (int j = 0; j < 200; j++) {
                many.append("{\"op\":\"history\",\"account\":\"1001\",\"limit\":1000}\n");
            }
            vanishing.write(many.toString().getBytes(StandardCharsets.UTF_8));
            vanishing.close();
        }
        awaitActiveConnections(1);

        TestClient fresh = loggedInAsAlice();
        assertEquals(
                balance + 1,
                fresh.ok(new Request.Deposit("1001", 1), Result.Tx.class).balance(),
                "a fresh connection works");
        Result.Report report = bank.audit().report();
        assertEquals(0, report.sum());
        assertEquals(balance + 1, report.totals().get("checking"));

        bank.close();
        // Every thread the server started ends with it (the pool's, the acceptor, the reaper).
        within(5).untilAsserted(() -> assertEquals(List.of(), serverThreads()));
    }

    private TestClient loggedInAsAlice() throws IOException {
        TestClient client = bank.connect();
        client.login("Alice", TestServer.PASSWORD);
        return client;
    }

    private static List<String> serverThreads() {
        Set<String> ours = Set.of("bank-conn", "bank-accept", "bank-reaper");
        List<String> alive = new ArrayList<>();
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.isAlive() && ours.contains(thread.getName())) {
                alive.add(thread.getName() + " " + thread.getState());
            }
        }
        return alive;
    }

    // ------------------------------------------------------------ the connection limit

    @Test
    void overTheConnectionLimitAClientGetsOneServerBusyLineThenEndOfStream() throws IOException {
        bank = TestServer.start(TestServer.config(dataDir, 2, 65_536, 30_000, 2_000));
        TestClient first = bank.connect();
        TestClient second = bank.connect();
        // Both are being served (not just accepted by the kernel): each gets a reply.
        assertEquals(ErrorCode.UNAUTHENTICATED, first.error(new Request.Report()));
        assertEquals(ErrorCode.UNAUTHENTICATED, second.error(new Request.Report()));
        awaitActiveConnections(2);

        TestClient third = bank.connect();
        Reply busy = third.readReply();
        assertFalse(busy.ok());
        assertEquals(ErrorCode.SERVER_BUSY, busy.error().code());
        assertTrue(busy.id() == null || busy.id().isNull());
        third.assertClosedByServer();
        assertEquals(2, bank.server.activeConnections(), "a refused connection takes no place");
        assertEquals(ErrorCode.UNAUTHENTICATED, second.error(new Request.Report()), "the others go on");

        first.close();
        awaitActiveConnections(1);
        TestClient fourth = bank.connect();
        assertEquals("Fourth", fourth.register("Fourth", TestServer.PASSWORD).user(), "a place came free: served");
        assertEquals(ErrorCode.FORBIDDEN, fourth.error(new Request.Report()));
        TestClient fifth = bank.connect();
        assertEquals(ErrorCode.SERVER_BUSY, fifth.readReply().error().code(), "and the limit holds again");
        fifth.assertClosedByServer();
    }

    @Test
    void aPlaceThatCameFreeIsServedEveryTime() throws IOException {
        // With a limit of 1, a client that waits until the server has let go of the last connection must be
        // served, however soon it comes.
        bank = TestServer.start(TestServer.config(dataDir, 1, 65_536, 30_000, 2_000));
        int refused = 0;
        for (int i = 0; i < 100; i++) {
            awaitActiveConnections(0);
            try (TestClient client = bank.connect()) {
                client.send("{\"id\":1,\"op\":\"report\"}");
                Reply reply = client.readReply();
                if (reply.error().code() == ErrorCode.SERVER_BUSY) {
                    refused++;
                } else {
                    assertEquals(ErrorCode.UNAUTHENTICATED, reply.error().code());
                }
            }
        }
        assertEquals(0, refused, "connections refused SERVER_BUSY although no other connection was being served");
    }

    // ------------------------------------------------------------ idle and stuck connections

    @Test
    void anIdleConnectionIsClosedByTheServerAfterTheIdleTimeout() throws IOException {
        bank = TestServer.start(TestServer.config(dataDir, 16, 65_536, 300, 2_000));
        TestClient silent = bank.connect(); // never sent a byte
        TestClient resting = bank.customer("Alice"); // logged in, then quiet
        TestClient stalled = bank.connect(); // half a line, then nothing
        stalled.write("{\"op\":\"rep".getBytes(StandardCharsets.UTF_8));
        long started = System.nanoTime();

        silent.assertClosedByServer();
        resting.assertClosedByServer();
        stalled.assertClosedByServer();
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertTrue(elapsedMs < 3_000, "closed after " + elapsedMs + " ms; the idle timeout is 300 ms");
        awaitActiveConnections(0);
        assertEquals("Alice", bank.connect().login("Alice", TestServer.PASSWORD).user(), "the server goes on");
    }

    @Test
    void anIdleConnectionIsNotClosedEarlyNorABusyOneAtAll() throws IOException {
        bank = TestServer.start(TestServer.config(dataDir, 16, 65_536, 300, 2_000));
        TestClient idle = bank.connect();
        long started = System.nanoTime();
        TestClient busy = bank.customer("Alice");
        busy.ok(new Request.CreateAccount("1001", null), Result.Tx.class);
        // Talk for three idle timeouts, without pause: the timeout counts silence, not age.
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(900);
        int requests = 0;
        while (System.nanoTime() < deadline) {
            busy.ok(new Request.Deposit("1001", 1), Result.Tx.class);
            requests++;
        }
        idle.assertClosedByServer();
        long idleMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertTrue(idleMs >= 290, "an idle connection closed after " + idleMs + " ms, before its 300 ms");
        assertEquals(requests, busy.balance("1001").balance(), "the busy connection is still served");
    }

    @Test
    void aClientThatStopsReadingItsRepliesIsDisconnected() throws Exception {
        bank = TestServer.start(TestServer.config(dataDir, 16, 65_536, 300, 2_000));
        // A small receive window, and requests whose replies are 8 times their size, never read: the server's
        // writes block once the socket buffers are full, and its reaper must close the connection.
        TestClient deaf = TestClient.connect(bank.port(), socket -> socket.setReceiveBufferSize(4 * 1024));
        byte[] chunk = "{\"op\":\"report\"}\n".repeat(4_096).getBytes(StandardCharsets.UTF_8);
        awaitActiveConnections(1);
        CompletableFuture<Long> writing = TestServer.inBackground("deaf-writer", () -> {
            long written = 0;
            try {
                while (written < 256L * 1024 * 1024) {
                    deaf.write(chunk);
                    written += chunk.length;
                }
            } catch (IOException expected) {
                // the server closed the connection
            }
            return written;
        });
        within(10).until(() -> bank.server.activeConnections() == 0);
        long written = writing.get(10, SECONDS);
        assertTrue(written < 256L * 1024 * 1024, "the server kept reading from a client that never read a reply");
        assertTrue(
                written > 256 * 1024,
                "closed after " + written + " bytes: by the idle timeout, before its replies backed up?");
        deaf.close();
        assertEquals(ErrorCode.FORBIDDEN, bank.customer("Bob").error(new Request.Report()), "the server goes on");
    }

    // ------------------------------------------------------------ shutdown

    @Test
    void shutdownFinishesRepliesInFlightClosesIdleConnectionsAndStopsListening() throws Exception {
        int graceMs = 2_000;
        bank = TestServer.start(TestServer.config(dataDir, 16, 65_536, 30_000, graceMs));
        TestClient idleStranger = bank.connect();
        TestClient idleCustomer = bank.customer("Idle");
        TestClient busy = bank.customer("Busy");
        busy.ok(new Request.CreateAccount("1001", null), Result.Tx.class);
        assertEquals(ErrorCode.UNAUTHENTICATED, idleStranger.error(new Request.Report()));

        // Pipelined traffic: deposits of 1 cent with ids 1, 2, 3, ... written as fast as the server takes them,
        // replies read as they come; reply k must say balance k.
        CountDownLatch flowing = new CountDownLatch(1);
        CompletableFuture<Long> writing = TestServer.inBackground("pipelining-writer", () -> {
            long id = 1;
            try {
                for (int batch = 0; batch < 1_000; batch++) {
                    StringBuilder lines = new StringBuilder();
                    for (int i = 0; i < 200; i++, id++) {
                        lines.append("{\"id\":")
                                .append(id)
                                .append(",\"op\":\"deposit\",\"account\":\"1001\",\"amount\":1}\n");
                    }
                    busy.write(lines.toString().getBytes(StandardCharsets.UTF_8));
                }
            } catch (IOException expected) {
                // the server stopped reading and closed
            }
            return id;
        });
        CompletableFuture<Received> reading =
                TestServer.inBackground("pipelining-reader", () -> readUntilClosed(busy.input(), flowing));
        assertTrue(flowing.await(10, SECONDS), "no replies flowing");

        long started = System.nanoTime();
        bank.server.close();
        long closeMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertTrue(closeMs < graceMs + 1_000, "close() took " + closeMs + " ms");

        idleStranger.assertClosedByServer();
        idleCustomer.assertClosedByServer();
        Received received = reading.get(10, SECONDS);
        long sent = writing.get(10, SECONDS) - 1;

        String text = received.bytes().toString(StandardCharsets.UTF_8);
        assertTrue(
                text.isEmpty() || text.endsWith("\n"),
                () -> "a reply was cut short (" + received.end() + "): ..."
                        + text.substring(Math.max(0, text.length() - 200)));
        String[] lines = text.lines().toArray(String[]::new);
        assertTrue(lines.length >= 100, "replies before the shutdown: " + lines.length);
        assertTrue(
                lines.length < sent,
                "the server stopped taking requests: " + lines.length + " of " + sent + " answered");
        for (int i = 0; i < lines.length; i++) {
            Reply reply = Json.parseReply(lines[i]);
            long id = i + 1L;
            assertEquals(id, reply.id().longValue(), "reply " + id + " out of order");
            assertTrue(reply.ok(), lines[i]);
            assertEquals(id, reply.result().get("balance").longValue(), lines[i]);
        }

        assertThrows(IOException.class, () -> TestClient.connect(bank.port()).close(), "still accepting after close()");
    }

    /** The bytes a connection received until it ended, and how it ended. */
    private record Received(ByteArrayOutputStream bytes, String end) {}

    private static Received readUntilClosed(InputStream in, CountDownLatch flowing) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        byte[] buffer = new byte[64 * 1024];
        int lines = 0;
        try {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                bytes.write(buffer, 0, n);
                for (int i = 0; i < n; i++) {
                    if (buffer[i] == '\n' && ++lines == 100) {
                        flowing.countDown();
                    }
                }
            }
            return new Received(bytes, "end of stream");
        } catch (SocketException e) {
            return new Received(bytes, e.getMessage());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
