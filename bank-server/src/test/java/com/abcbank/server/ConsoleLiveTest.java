package com.abcbank.server;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abcbank.protocol.Request;
import com.abcbank.protocol.Result;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The console's live feed and charts over real HTTP, fed by real TCP clients. */
class ConsoleLiveTest {
    private static final long WAIT_MS = 20_000;

    @TempDir
    Path dir;

    private TestServer start() throws Exception {
        return TestServer.start(TestServer.config(dir).withHttp(new ServerConfig.Http(0)));
    }

    /** The next {@code activity} event of {@code phase}, within the wait. */
    private static JsonNode nextActivity(ConsoleClient.Feed feed, String phase) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
        while (System.nanoTime() < deadline) {
            ConsoleClient.Feed.Event event = feed.next("activity", WAIT_MS);
            if (event != null && event.data().get("phase").asText().equals(phase)) {
                return event.data();
            }
        }
        throw new AssertionError("no " + phase + " event within " + WAIT_MS + " ms");
    }

    @Test
    void anOperationOfAnotherTcpClientAppearsAsItStartsCompletesAndBecomesDurable() throws Exception {
        try (TestServer bank = start()) {
            TestClient alice = bank.customer("Alice");
            alice.ok(new Request.CreateAccount("1001", 500L), Result.Tx.class);
            ConsoleClient auditor = ConsoleClient.signedIn(bank, "Audit", bank.auditPassword());
            try (ConsoleClient.Feed feed = auditor.feed()) {
                assertEquals(200, feed.status());
                await().atMost(10, SECONDS).until(() -> bank.server.activity().watched());

                Result.Tx tx = alice.ok(new Request.Deposit("1001", 250L), Result.Tx.class);

                JsonNode started = nextActivity(feed, "started");
                assertEquals("Alice", started.get("user").asText());
                assertEquals("deposit", started.get("op").asText());
                assertEquals(250, started.get("amount").asLong());
                assertEquals("1001", started.get("accounts").get(0).asText());
                assertTrue(started.get("req").asText().startsWith("t"), "a TCP connection's request");

                JsonNode done = nextActivity(feed, "done");
                assertEquals(started.get("req").asText(), done.get("req").asText());
                assertTrue(done.get("ok").asBoolean());
                assertEquals(tx.tx(), done.get("tx").asLong());
                assertEquals(750, done.get("balances").get("1001").asLong(), "the balance after");
                assertTrue(done.get("latency_us").asLong() > 0);

                ConsoleClient.Feed.Event durable = feed.next("durable", WAIT_MS);
                assertNotNull(durable, "the durable feed's transaction");
                assertEquals(tx.tx(), durable.data().get("tx").asLong());
                assertEquals("DEPOSIT", durable.data().get("type").asText());
                assertEquals("Alice", durable.data().get("user").asText());

                alice.call(new Request.Withdraw("1001", 10_000L));
                JsonNode refusedStart = nextActivity(feed, "started");
                JsonNode refused = nextActivity(feed, "done");
                assertEquals(
                        refusedStart.get("req").asText(), refused.get("req").asText());
                assertFalse(refused.get("ok").asBoolean());
                assertEquals("INSUFFICIENT_FUNDS", refused.get("code").asText(), "a refusal, with its code");
            }
        }
    }

    @Test
    void aCustomersFeedShowsOnlyTheirOwnOperations() throws Exception {
        try (TestServer bank = start()) {
            TestClient alice = bank.customer("Alice");
            alice.ok(new Request.CreateAccount("1001", 500L), Result.Tx.class);
            TestClient bob = bank.customer("Bob");
            bob.ok(new Request.CreateAccount("2002", 500L), Result.Tx.class);
            ConsoleClient aliceConsole = ConsoleClient.signedIn(bank, "Alice", TestServer.PASSWORD);
            try (ConsoleClient.Feed feed = aliceConsole.feed()) {
                assertEquals(200, feed.status());
                await().atMost(10, SECONDS).until(() -> bank.server.activity().watched());
                bob.ok(new Request.Deposit("2002", 1L), Result.Tx.class);
                bob.ok(new Request.Withdraw("2002", 1L), Result.Tx.class);
                alice.ok(new Request.Deposit("1001", 7L), Result.Tx.class);

                JsonNode first = nextActivity(feed, "started");
                assertEquals("Alice", first.get("user").asText(), "Bob's two operations came first, unseen");
                assertEquals(7, first.get("amount").asLong());
                assertTrue(first.get("req").asText().matches("r[0-9a-f]{16}"), "no connection or request count");
                assertEquals(
                        first.get("req").asText(),
                        nextActivity(feed, "done").get("req").asText());
                ConsoleClient.Feed.Event durable = feed.next("durable", WAIT_MS);
                assertNotNull(durable);
                assertEquals(7, durable.data().get("amount").asLong());
                assertEquals(507, durable.data().get("balance").asLong(), "her balance after, as her reply showed");
                assertFalse(durable.data().toString().contains("VAULT"), "not the bank's own: " + durable.data());
                assertFalse(durable.data().has("postings"), "the auditor's journal view is not hers");
            }
        }
    }

    @Test
    void theChartsGetAPointASecondCountingTheOperations() throws Exception {
        try (TestServer bank = start()) {
            TestClient alice = bank.customer("Alice");
            alice.ok(new Request.CreateAccount("1001", 500L), Result.Tx.class);
            ConsoleClient customer = ConsoleClient.signedIn(bank, "Alice", TestServer.PASSWORD);
            assertEquals(403, customer.get("/api/stats").status(), "the bank's figures are the auditor's");
            ConsoleClient console = ConsoleClient.signedIn(bank, "Audit", bank.auditPassword());
            for (int i = 0; i < 20; i++) {
                alice.ok(new Request.Deposit("1001", 1L), Result.Tx.class);
            }
            alice.call(new Request.Withdraw("1001", 1_000_000L));
            // Points are made once a second: wait for those seconds to be counted, then add them up.
            await().atMost(10, SECONDS).until(() -> {
                JsonNode points = console.get("/api/stats").body().get("points");
                long ops = 0;
                long refused = 0;
                for (JsonNode point : points) {
                    ops += point.get("ops").asLong();
                    refused += point.path("refusals").path("INSUFFICIENT_FUNDS").asLong();
                }
                return ops >= 22 && refused == 1;
            });
            try (ConsoleClient.Feed feed = console.feed()) {
                ConsoleClient.Feed.Event stats = feed.next("stats", WAIT_MS);
                assertNotNull(stats, "a point a second on the live feed");
                for (String field : List.of("t", "ops", "p50_us", "p99_us", "refusals", "fsyncs", "tx_per_fsync")) {
                    assertTrue(stats.data().has(field), field + " in " + stats.data());
                }
                assertTrue(stats.data().get("connections").asInt() >= 1, "Alice's TCP connection is open");
            }
            try (ConsoleClient.Feed feed = customer.feed()) {
                assertEquals(200, feed.status());
                alice.ok(new Request.Deposit("1001", 1L), Result.Tx.class);
                assertNotNull(feed.next("activity", WAIT_MS), "her own operation comes");
                assertEquals(null, feed.next("stats", 2_500), "but no figure of the bank's in over two seconds");
            }
        }
    }

    /**
     * A browser that opened the feed and never reads a byte of it, while 3,000 deposits go through: every one applies
     * once, within a bound. (Whether its watcher thread is blocked on a full socket by then depends on the socket
     * buffers; that a watcher that never reads cannot hold up a writer is ActivityFeedTest's.)
     */
    @Test
    void aBrowserThatNeverReadsDoesNotHoldUpMoneyMovement() throws Exception {
        try (TestServer bank = start()) {
            TestClient alice = bank.customer("Alice");
            alice.ok(new Request.CreateAccount("1001", 0L), Result.Tx.class);
            ConsoleClient console = ConsoleClient.signedIn(bank, "Audit", bank.auditPassword());
            try (Socket stalled = new Socket(InetAddress.getLoopbackAddress(), bank.server.httpPort())) {
                stalled.setReceiveBufferSize(4096);
                OutputStream out = stalled.getOutputStream();
                out.write(("GET /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\nCookie: "
                                + Console.COOKIE + "=" + console.sessionCookie().getValue() + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush(); // and never read a byte of the answer
                await().atMost(10, SECONDS).until(() -> bank.server.activity().watched());

                int threads = 4;
                int each = 750;
                List<CompletableFuture<Void>> workers = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    TestClient client = bank.connect();
                    client.login("Alice", TestServer.PASSWORD);
                    workers.add(TestServer.inBackground("depositor-" + t, () -> {
                        for (int i = 0; i < each; i++) {
                            client.ok(new Request.Deposit("1001", 1L), Result.Tx.class);
                        }
                        return null;
                    }));
                }
                CompletableFuture.allOf(workers.toArray(CompletableFuture[]::new))
                        .get(120, SECONDS); // a bound, not a timing: these take a second or two
                assertEquals(
                        (long) threads * each,
                        alice.ok(new Request.Balance("1001"), Result.Account.class)
                                .balance(),
                        "every deposit applied once");
                assertTrue(bank.server.activity().watched(), "the stalled browser is still attached");
            }
        }
    }
}
