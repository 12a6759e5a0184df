package com.abcbank.server;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abcbank.ledger.ErrorCode;
import com.abcbank.protocol.Request;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP side ({@code --http-port}): {@code /health}, {@code /metrics}, and nothing else. */
class HttpEndpointTest {
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    private ServerConfig withHttp() {
        return TestServer.config(dir).withHttp(new ServerConfig.Http(0));
    }

    private static HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10))
                .GET()
                .build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void healthIsReadyOnceStartedAndShowsTheBanksSequence() throws Exception {
        try (TestServer bank = TestServer.start(withHttp())) {
            TestClient alice = bank.customer("Alice");
            alice.ok(new Request.CreateAccount("1001", 500L), Object.class);
            HttpResponse<String> health = get(bank.server.httpPort(), "/health");
            assertEquals(200, health.statusCode(), health.body());
            assertTrue(health.headers().firstValue("content-type").orElse("").startsWith("application/json"));
            JsonNode body = tree(health.body());
            assertEquals("ready", body.get("status").asText());
            assertEquals(1, body.get("last_seq").asLong(), "one transaction: the opening of 1001");
            assertEquals(1, body.get("durable_seq").asLong(), "answered, so durable");
        }
    }

    @Test
    void healthSays503RecoveringUntilTheDataDirectoryIsOpenThen200() throws Exception {
        CountDownLatch httpUp = new CountDownLatch(1);
        CountDownLatch recover = new CountDownLatch(1);
        AtomicInteger httpPort = new AtomicInteger();
        CompletableFuture<BankServer> started = TestServer.inBackground(
                "start",
                () -> BankServer.start(
                        withHttp(),
                        Clock.systemUTC(),
                        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                        http -> {
                            httpPort.set(http.port());
                            httpUp.countDown();
                            try {
                                assertTrue(recover.await(30, SECONDS), "the test never let recovery go on");
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                                throw new IllegalStateException(e);
                            }
                        }));
        BankServer server = null;
        try {
            assertTrue(httpUp.await(30, SECONDS), "HTTP never came up");
            HttpResponse<String> during = get(httpPort.get(), "/health");
            assertEquals(503, during.statusCode(), during.body());
            assertEquals("recovering", tree(during.body()).get("status").asText());
            assertFalse(started.isDone(), "start must not return before recovery");
            HttpResponse<String> console = get(httpPort.get(), "/api/session");
            assertEquals(503, console.statusCode(), "the console's API waits for the books too");
            assertEquals(
                    "NOT_READY", tree(console.body()).path("error").path("code").asText());
            recover.countDown();
            server = started.get(30, SECONDS);
            HttpResponse<String> after = get(server.httpPort(), "/health");
            assertEquals(200, after.statusCode(), after.body());
            assertEquals("ready", tree(after.body()).get("status").asText());
        } finally {
            recover.countDown();
            if (server == null) {
                server = started.get(30, SECONDS);
            }
            server.close();
        }
        int port = httpPort.get();
        assertThrows(ConnectException.class, () -> get(port, "/health"), "HTTP must stop with the server");
        await().atMost(10, SECONDS)
                .until(() -> Thread.getAllStackTraces().keySet().stream()
                        .noneMatch(t -> t.getName().startsWith("bank-http")));
    }

    @Test
    void metricsCountOperationsByOpAndOutcomeAndTheJournalsFsyncs() throws Exception {
        try (TestServer bank = TestServer.start(withHttp())) {
            TestClient alice = bank.customer("Alice"); // register: ok
            bank.customer("Bob");
            alice.ok(new Request.CreateAccount("1001", 10_000L), Object.class);
            alice.ok(new Request.Deposit("1001", 2_500), Object.class);
            alice.ok(new Request.Deposit("1001", 500), Object.class);
            assertEquals(ErrorCode.INSUFFICIENT_FUNDS, alice.error(new Request.Withdraw("1001", 1_000_000)));
            TestClient guesser = bank.connect();
            for (int i = 1; i <= 5; i++) {
                assertEquals(ErrorCode.BAD_CREDENTIALS, guesser.loginError("Bob", "guess-" + i));
            }
            assertEquals(ErrorCode.THROTTLED, guesser.loginError("Bob", TestServer.PASSWORD));

            int port = bank.server.httpPort();
            // Micrometer holds a gauge's object weakly: a collection must not turn the connection gauge into NaN.
            System.gc();
            // A connection records its batch after flushing the replies: the last may land just after the client read
            // it.
            await().atMost(10, SECONDS).until(() -> value(scrape(port), "bank_logins_throttled_total") == 1);
            String metrics = scrape(port);
            assertEquals(2, value(metrics, "bank_operations_total{op=\"register\",outcome=\"ok\"}"), metrics);
            assertEquals(1, value(metrics, "bank_operations_total{op=\"create_account\",outcome=\"ok\"}"), metrics);
            assertEquals(2, value(metrics, "bank_operations_total{op=\"deposit\",outcome=\"ok\"}"), metrics);
            assertEquals(
                    1,
                    value(metrics, "bank_operations_total{op=\"withdraw\",outcome=\"INSUFFICIENT_FUNDS\"}"),
                    metrics);
            assertEquals(0, value(metrics, "bank_operations_total{op=\"withdraw\",outcome=\"ok\"}"), metrics);
            assertEquals(1, value(metrics, "bank_operations_total{op=\"login\",outcome=\"THROTTLED\"}"), metrics);
            assertEquals(2, value(metrics, "bank_operation_latency_seconds_count{op=\"deposit\"}"), metrics);
            assertEquals(
                    2, value(metrics, "bank_operation_latency_seconds_bucket{op=\"deposit\",le=\"10.0\"}"), metrics);
            assertEquals(-1, value(metrics, "bank_operations_total{op=\"none\",outcome=\"ok\"}"), "never ok");
            assertEquals(3, value(metrics, "bank_journal_transactions_total"), "an opening with money, 2 deposits");
            double fsyncs = value(metrics, "bank_journal_fsyncs_total");
            // Durability fsync: the transactions were forced; so were the failed logins' security events.
            assertTrue(fsyncs >= 1, "durability fsync, yet no force: " + fsyncs);
            assertEquals(3 / fsyncs, value(metrics, "bank_journal_transactions_per_fsync"), 1e-9);
            assertEquals(3, value(metrics, "bank_connections_open"), "Alice, Bob and the guesser");
        }
    }

    @Test
    void healthSays503StoppingOnceShutdownBegan() throws Exception {
        try (HttpEndpoint http = HttpEndpoint.start(withHttp(), BankMetrics.on(), null)) {
            assertEquals(
                    "recovering",
                    tree(get(http.port(), "/health").body()).get("status").asText());
            http.stopping(); // what BankServer.close() does first, before the grace period for requests in flight
            HttpResponse<String> stopping = get(http.port(), "/health");
            assertEquals(503, stopping.statusCode());
            assertEquals("stopping", tree(stopping.body()).get("status").asText());
        }
    }

    @Test
    void anUnknownPathIs404() throws Exception {
        try (TestServer bank = TestServer.start(withHttp())) {
            assertEquals(404, get(bank.server.httpPort(), "/nothing").statusCode());
            assertEquals(404, get(bank.server.httpPort(), "/console/nothing.js").statusCode());
        }
    }

    @Test
    void withoutHttpPortNothingListensForHttpAndNothingIsRecorded() throws Exception {
        try (TestServer bank = TestServer.start(TestServer.config(dir))) {
            bank.customer("Alice");
            assertEquals(-1, bank.server.httpPort());
            assertFalse(bank.server.metrics().enabled());
            assertTrue(Thread.getAllStackTraces().keySet().stream()
                    .noneMatch(t -> t.getName().startsWith("bank-http")));
        }
    }

    @Test
    void anHttpPortInUseFailsTheStartBeforeTheDataDirectoryIsTouched() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            ServerConfig config =
                    TestServer.config(dir.resolve("data")).withHttp(new ServerConfig.Http(taken.getLocalPort()));
            IOException failure = assertThrows(IOException.class, () -> TestServer.start(config));
            assertTrue(failure.getMessage().contains("HTTP"), failure.getMessage());
            assertFalse(dir.resolve("data").toFile().exists(), "the data directory must not be created");
        }
    }

    @Test
    void anHttpPortOutOfRangeIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new ServerConfig.Http(65_536));
        assertThrows(IllegalArgumentException.class, () -> new ServerConfig.Http(-2));
    }

    private static JsonNode tree(String body) throws IOException {
        return new ObjectMapper().readTree(body);
    }

    private static String scrape(int port) throws IOException, InterruptedException {
        HttpResponse<String> response = get(port, "/metrics");
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("content-type").orElse("").startsWith("text/plain"));
        return response.body();
    }

    /** The value of the series {@code nameAndLabels} (exactly as Prometheus prints it), or -1 if there is none. */
    private static double value(String metrics, String nameAndLabels) {
        for (String line : metrics.split("\n", -1)) {
            if (line.startsWith(nameAndLabels + " ")) {
                String value = line.substring(nameAndLabels.length() + 1).strip();
                assertNotNull(value);
                return Double.parseDouble(value.split(" ", -1)[0]);
            }
        }
        return -1;
    }
}
