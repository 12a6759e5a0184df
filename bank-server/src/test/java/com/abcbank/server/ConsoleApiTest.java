package com.abcbank.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abcbank.protocol.Request;
import com.abcbank.protocol.Result;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.HttpCookie;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The console's API over real HTTP: sign-in and sign-out, who sees what, CSRF, bad input, and the one mapping onto
 * the TCP protocol's rules and durability.
 */
class ConsoleApiTest {
    @TempDir
    Path dir;

    private TestServer start() throws Exception {
        return TestServer.start(TestServer.config(dir).withHttp(new ServerConfig.Http(0)));
    }

    @Test
    void aCustomerSignsInWithScramGetsAStrictHttpOnlyCookieAndSignsOut() throws Exception {
        try (TestServer bank = start()) {
            bank.customer("Alice");
            ConsoleClient console = new ConsoleClient(bank.server.httpPort());
            assertEquals(401, console.get("/api/session").status(), "not signed in yet");

            ConsoleClient.Answer signIn = console.signIn("Alice", TestServer.PASSWORD);
            assertEquals(200, signIn.status(), signIn.body().toString());
            assertEquals("Alice", signIn.body().get("user").asText());
            assertEquals("CUSTOMER", signIn.body().get("role").asText());
            String setCookie =
                    signIn.response().headers().firstValue("Set-Cookie").orElseThrow();
            assertTrue(setCookie.contains("HttpOnly"), setCookie);
            assertTrue(setCookie.contains("SameSite=Strict"), setCookie);
            assertFalse(setCookie.contains("Secure"), "plain HTTP: a Secure cookie would never be sent back");

            ConsoleClient.Answer session = console.get("/api/session");
            assertEquals(200, session.status());
            assertEquals("Alice", session.body().get("user").asText());
            assertEquals(console.csrf(), session.body().get("csrf").asText());

            assertEquals(204, console.post("/api/logout", "{}", true).status());
            assertEquals(401, console.get("/api/session").status(), "signed out");
            ConsoleClient.Answer after = console.op("{\"op\":\"balance\",\"account\":\"1001\"}");
            assertEquals(401, after.status());
            assertEquals("UNAUTHENTICATED", after.code());
        }
    }

    @Test
    void aWrongPasswordIsRefusedWithNoCookieAndCountsInTheSameThrottleAsTcp() throws Exception {
        try (TestServer bank = start()) {
            bank.customer("Alice");
            ConsoleClient console = new ConsoleClient(bank.server.httpPort());
            for (int i = 0; i < 5; i++) {
                ConsoleClient.Answer wrong = console.signIn("Alice", "not-her-password");
                assertEquals(401, wrong.status(), wrong.body().toString());
                assertEquals("BAD_CREDENTIALS", wrong.code());
                assertNull(console.sessionCookie());
            }
            ConsoleClient.Answer sixth = console.signIn("Alice", TestServer.PASSWORD);
            assertEquals(429, sixth.status(), "five failures from one address: the TCP throttle's rule");
            assertEquals("THROTTLED", sixth.code());
        }
    }

    @Test
    void aCustomerIsRefusedAnothersAccountAndTheAuditorsOpsWith403() throws Exception {
        try (TestServer bank = start()) {
            bank.customer("Alice").ok(new Request.CreateAccount("1001", 500L), Result.Tx.class);
            bank.customer("Bob").ok(new Request.CreateAccount("2002", 700L), Result.Tx.class);
            ConsoleClient alice = ConsoleClient.signedIn(bank, "Alice", TestServer.PASSWORD);

            ConsoleClient.Answer own = alice.op("{\"op\":\"balance\",\"account\":\"1001\"}");
            assertEquals(200, own.status());
            assertEquals(500, own.result().get("balance").asLong());

            ConsoleClient.Answer bobs = alice.op("{\"op\":\"balance\",\"account\":\"2002\"}");
            assertEquals(403, bobs.status(), "not 200 with nothing in it");
            assertEquals("FORBIDDEN", bobs.code());
            ConsoleClient.Answer history = alice.op("{\"op\":\"history\",\"account\":\"2002\"}");
            assertEquals(403, history.status());
            for (String op : List.of("show_accountholders", "report", "verify", "show_history")) {
                ConsoleClient.Answer audit = alice.op("{\"op\":\"" + op + "\"}");
                assertEquals(403, audit.status(), op);
                assertEquals("FORBIDDEN", audit.code(), op);
            }

            ConsoleClient auditor = ConsoleClient.signedIn(bank, "Audit", bank.auditPassword());
            ConsoleClient.Answer holders = auditor.op("{\"op\":\"show_accountholders\"}");
            assertEquals(200, holders.status());
            assertEquals(2, holders.result().get("holders").size());
            ConsoleClient.Answer report = auditor.op("{\"op\":\"report\"}");
            assertEquals(0, report.result().get("sum").asLong());
            assertTrue(report.result().get("balanced").asBoolean());
            ConsoleClient.Answer verify = auditor.op("{\"op\":\"verify\"}");
            assertEquals(200, verify.status(), verify.body().toString());
            assertTrue(verify.result().get("ok").asBoolean(), verify.body().toString());
        }
    }

    @Test
    void aPostWithoutTheCsrfTokenOrFromAnotherSiteIsRefusedAndChangesNothing() throws Exception {
        try (TestServer bank = start()) {
            bank.customer("Alice").ok(new Request.CreateAccount("1001", 500L), Result.Tx.class);
            ConsoleClient alice = ConsoleClient.signedIn(bank, "Alice", TestServer.PASSWORD);
            String withdraw = "{\"op\":\"withdraw\",\"account\":\"1001\",\"amount\":100}";

            ConsoleClient.Answer noToken = alice.post("/api/op", withdraw, false);
            assertEquals(403, noToken.status());
            assertEquals("FORBIDDEN", noToken.code());
            assertTrue(
                    noToken.body().toString().contains("CSRF"), noToken.body().toString());

            ConsoleClient.Answer wrongToken = alice.send(post(alice, "/api/op", withdraw)
                    .header("Content-Type", "application/json")
                    .header(Console.CSRF_HEADER, "x" + alice.csrf()));
            assertEquals(403, wrongToken.status());

            ConsoleClient.Answer otherSite = alice.send(post(alice, "/api/op", withdraw)
                    .header("Content-Type", "application/json")
                    .header(Console.CSRF_HEADER, alice.csrf())
                    .header("Origin", "http://evil.example"));
            assertEquals(403, otherSite.status());

            // What an HTML form on another site can send: form-encoded, no custom header.
            ConsoleClient.Answer form = alice.send(post(alice, "/api/op", "op=withdraw&account=1001&amount=100")
                    .header("Content-Type", "application/x-www-form-urlencoded"));
            assertEquals(400, form.status());

            ConsoleClient.Answer balance = alice.op("{\"op\":\"balance\",\"account\":\"1001\"}");
            assertEquals(500, balance.result().get("balance").asLong(), "nothing was withdrawn");

            ConsoleClient.Answer allowed = alice.op(withdraw);
            assertEquals(200, allowed.status(), "the same request with the token goes through");
            assertEquals(400, allowed.result().get("balance").asLong());
        }
    }

    @Test
    void aSignInFromAnotherSiteIsRefused() throws Exception {
        try (TestServer bank = start()) {
            bank.customer("Alice");
            ConsoleClient console = new ConsoleClient(bank.server.httpPort());
            ConsoleClient.Answer answer =
                    console.send(post(console, "/api/login", "{\"client_first\":\"n,,n=Alice,r=abc\"}")
                            .header("Content-Type", "application/json")
                            .header("Origin", "http://evil.example"));
            assertEquals(403, answer.status());
        }
    }

    private static HttpRequest.Builder post(ConsoleClient client, String path, String body) {
        return HttpRequest.newBuilder(URI.create(client.base() + path)).POST(HttpRequest.BodyPublishers.ofString(body));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "a negative amount | {\"op\":\"deposit\",\"account\":\"1001\",\"amount\":-5} | 400 | INVALID_AMOUNT",
                "a zero amount | {\"op\":\"deposit\",\"account\":\"1001\",\"amount\":0} | 400 | INVALID_AMOUNT",
                "an over-precise amount | {\"op\":\"deposit\",\"account\":\"1001\",\"amount\":1.005} | 400 | MALFORMED_REQUEST",
                "an amount as text | {\"op\":\"deposit\",\"account\":\"1001\",\"amount\":\"10\"} | 400 | MALFORMED_REQUEST",
                "an unknown op | {\"op\":\"steal\",\"account\":\"1001\"} | 400 | UNKNOWN_OP",
                "not JSON | deposit 1001 5 | 400 | MALFORMED_REQUEST",
                "an unknown account | {\"op\":\"deposit\",\"account\":\"9999\",\"amount\":5} | 404 | UNKNOWN_ACCOUNT",
                "a bad account number | {\"op\":\"create_account\",\"account\":\"12\"} | 400 | INVALID_ACCOUNT_NUMBER",
                "more than there is | {\"op\":\"withdraw\",\"account\":\"1001\",\"amount\":501} | 409 | INSUFFICIENT_FUNDS",
                "a login through op | {\"op\":\"login\",\"client_first\":\"n,,n=Audit,r=x\"} | 400 | MALFORMED_REQUEST",
            })
    void badInputGetsTheProtocolsErrorAndAStatusAndChangesNothing(String what, String request, int status, String code)
            throws Exception {
        try (TestServer bank = start()) {
            bank.customer("Alice").ok(new Request.CreateAccount("1001", 500L), Result.Tx.class);
            ConsoleClient alice = ConsoleClient.signedIn(bank, "Alice", TestServer.PASSWORD);
            JsonNode before = bank.books();

            ConsoleClient.Answer answer = alice.op(request);
            assertEquals(status, answer.status(), what + ": " + answer.body());
            assertEquals(code, answer.code(), what);
            assertFalse(answer.body().get("ok").asBoolean());
            assertFalse(answer.body().path("error").path("message").asText().isBlank(), "a reason is given");
            assertEquals(before, bank.books(), what + " changed the books");
        }
    }

    @Test
    void aConsoleOperationIsTheTcpOneDurableAndInTheJournalUnderTheUsersName() throws Exception {
        try (TestServer bank = start()) {
            TestClient tcp = bank.customer("Alice");
            tcp.ok(new Request.CreateAccount("1001", 500L), Result.Tx.class);
            ConsoleClient alice = ConsoleClient.signedIn(bank, "Alice", TestServer.PASSWORD);

            ConsoleClient.Answer deposit =
                    alice.op("{\"op\":\"deposit\",\"account\":\"1001\",\"amount\":250,\"key\":\"console-1\"}");
            assertEquals(200, deposit.status(), deposit.body().toString());
            long tx = deposit.result().get("tx").asLong();
            assertEquals(750, deposit.result().get("balance").asLong());
            assertEquals(
                    750,
                    tcp.ok(new Request.Balance("1001"), Result.Account.class).balance(),
                    "TCP sees it");

            ConsoleClient.Answer again =
                    alice.op("{\"op\":\"deposit\",\"account\":\"1001\",\"amount\":250,\"key\":\"console-1\"}");
            assertEquals(tx, again.result().get("tx").asLong(), "a retried key applies once, as over TCP");
            assertEquals(
                    750,
                    tcp.ok(new Request.Balance("1001"), Result.Account.class).balance());

            Result.Transactions journal = bank.audit()
                    .ok(new Request.ShowHistory(null, null, null, null, null, null), Result.Transactions.class);
            Result.Transaction last = journal.entries().get(journal.entries().size() - 1);
            assertEquals(tx, last.tx());
            assertEquals("Alice", last.user());
            assertEquals("console-1", last.key());
        }
    }

    @Test
    void theConsolesPagesAndChartLibraryComeFromTheJarWithAStrictContentSecurityPolicy() throws Exception {
        try (TestServer bank = start()) {
            ConsoleClient console = new ConsoleClient(bank.server.httpPort());
            ConsoleClient.Answer root = console.get("/");
            assertEquals(302, root.status());
            assertEquals(
                    "/console/",
                    root.response().headers().firstValue("Location").orElse(""));

            ConsoleClient.Answer page = console.get("/console/index.html");
            assertEquals(200, page.status());
            assertTrue(page.response().body().contains("console.js"), "the page loads its script");
            String csp = page.response()
                    .headers()
                    .firstValue("Content-Security-Policy")
                    .orElse("");
            assertTrue(csp.contains("script-src 'self'"), csp);
            assertFalse(
                    page.response().body().contains("http://")
                            || page.response().body().contains("https://"),
                    "the page names no other host");

            ConsoleClient.Answer uplot = console.get("/webjars/uplot/1.6.30/dist/uPlot.iife.min.js");
            assertEquals(200, uplot.status());
            assertTrue(uplot.response().body().contains("uPlot"));
        }
    }

    @Test
    void theLaboratoryRunsForTheAuditorWithMeasuredNumbersAndRefusesBadSettings() throws Exception {
        try (TestServer bank = start()) {
            bank.customer("Alice");
            ConsoleClient customer = ConsoleClient.signedIn(bank, "Alice", TestServer.PASSWORD);
            ConsoleClient.Answer refused = customer.post("/api/lab/race", "{}", true);
            assertEquals(403, refused.status(), "the bank's cores are not every customer's to load");
            ConsoleClient alice = ConsoleClient.signedIn(bank, "Audit", bank.auditPassword());
            ConsoleClient.Answer race = alice.post(
                    "/api/lab/race",
                    "{\"threads\":4,\"accounts\":2,\"operations\":300,\"window_us\":20,\"seed\":7}",
                    true);
            assertEquals(200, race.status(), race.body().toString());
            var safe = race.body().get("safe");
            assertEquals(0, safe.get("difference_cents").asLong(), "the real discipline conserves money");
            assertEquals(
                    safe.get("expected_cents").asLong(),
                    safe.get("actual_cents").asLong());
            var unsafe = race.body().get("unsafe");
            assertEquals(
                    unsafe.get("actual_cents").asLong()
                            - unsafe.get("expected_cents").asLong(),
                    unsafe.get("difference_cents").asLong(),
                    "the difference is the measured one");

            ConsoleClient.Answer bad = alice.post("/api/lab/race", "{\"threads\":1000}", true);
            assertEquals(400, bad.status());
            ConsoleClient.Answer tooBigForTheServer = alice.post("/api/lab/race", "{\"threads\":17}", true);
            assertEquals(400, tooBigForTheServer.status(), "the server's own bound, below the CLI's");
            assertEquals("INVALID_ARGUMENT", bad.code());

            ConsoleClient.Answer deadlock = alice.post("/api/lab/deadlock", "{}", true);
            assertEquals(200, deadlock.status(), deadlock.body().toString());
            assertTrue(deadlock.body().get("detected").asBoolean());
            assertEquals(2, deadlock.body().get("stuck").size());
            assertTrue(deadlock.body().get("ordered_completed").asBoolean());

            ConsoleClient.Answer contention =
                    alice.post("/api/lab/contention", "{\"threads\":3,\"operations\":2,\"hold_us\":2000}", true);
            assertEquals(200, contention.status(), contention.body().toString());
            JsonNode runs = contention.body().get("runs");
            assertEquals(2, runs.size());
            for (JsonNode run : runs) {
                assertEquals(6, run.get("intervals").size(), run.get("name").asText());
            }
            JsonNode queued = runs.get(0).get("intervals");
            for (int i = 0; i < queued.size(); i++) {
                for (int j = i + 1; j < queued.size(); j++) {
                    JsonNode a = queued.get(i);
                    JsonNode b = queued.get(j);
                    assertTrue(
                            a.get("released_micros").asLong()
                                            <= b.get("acquired_micros").asLong()
                                    || b.get("released_micros").asLong()
                                            <= a.get("acquired_micros").asLong(),
                            "one account: holds never overlap");
                }
            }
            ConsoleClient.Answer tooMuch =
                    alice.post("/api/lab/contention", "{\"threads\":16,\"operations\":50,\"hold_us\":100000}", true);
            assertEquals(400, tooMuch.status());
        }
    }

    @Test
    void theSessionCookieIsDroppedBySignOutAndCannotBeReused() throws Exception {
        try (TestServer bank = start()) {
            bank.customer("Alice");
            ConsoleClient alice = ConsoleClient.signedIn(bank, "Alice", TestServer.PASSWORD);
            HttpCookie cookie = alice.sessionCookie();
            assertNotNull(cookie);
            String stolen = cookie.getValue();
            assertEquals(204, alice.post("/api/logout", "{}", true).status());

            ConsoleClient replay = new ConsoleClient(bank.server.httpPort());
            ConsoleClient.Answer answer = replay.send(HttpRequest.newBuilder(URI.create(replay.base() + "/api/session"))
                    .header("Cookie", Console.COOKIE + "=" + stolen)
                    .GET());
            assertEquals(401, answer.status(), "a signed-out session is gone on the server, not only in the browser");
        }
    }

    @Test
    void aChunkedBodyOfUnknownLengthIsRefusedBeforeItIsRead() throws Exception {
        try (TestServer bank = start()) {
            ConsoleClient console = new ConsoleClient(bank.server.httpPort());
            byte[] body = "{\"client_first\":\"n,,n=Alice,r=abc\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            ConsoleClient.Answer answer = console.send(HttpRequest.newBuilder(URI.create(console.base() + "/api/login"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(body))));
            assertEquals(411, answer.status(), "the size limit holds only against a declared length");
        }
    }

    @Test
    void aRequestForAnotherHostNameIsRefusedAgainstDnsRebinding() throws Exception {
        ServerConfig config = TestServer.config(dir).withHttp(new ServerConfig.Http(0, List.of("bank.example")));
        try (TestServer bank = TestServer.start(config)) {
            int port = bank.server.httpPort();
            for (String host : List.of("evil.example", "bank.example.evil.example")) {
                assertEquals(421, statusFor(port, host + ":" + port), host);
            }
            assertEquals(401, statusFor(port, "Bank.Example:" + port), "a name given with --http-host is served");
            assertEquals(401, statusFor(port, "127.0.0.1:" + port), "and an IP address always is");
            assertEquals(401, statusFor(port, "localhost:" + port), "and localhost");
        }
    }

    /** The status of {@code GET /api/session} sent with {@code Host: host} (java.net.http will not set that header). */
    private static int statusFor(int port, String host) throws Exception {
        try (java.net.Socket socket = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream()
                    .write(("GET /api/session HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                            .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String status = new java.io.BufferedReader(new java.io.InputStreamReader(
                            socket.getInputStream(), java.nio.charset.StandardCharsets.US_ASCII))
                    .readLine();
            return Integer.parseInt(status.split(" ", 3)[1]);
        }
    }

    private static String clientFirst(String user) {
        String first = com.abcbank.protocol.Scram.ClientExchange.withPassword(user, "whatever".toCharArray())
                .clientFirst();
        return "{\"client_first\":" + ConsoleClient.quote(first) + "}";
    }

    @Test
    void oneAddressHoldsAtMostEightSignInsInProgress() throws Exception {
        try (TestServer bank = start()) {
            ConsoleClient console = new ConsoleClient(bank.server.httpPort());
            for (int i = 0; i < ConsoleSessions.MAX_PENDING_PER_ADDRESS; i++) {
                ConsoleClient.Answer first = console.post("/api/login", clientFirst("nobody" + i), false);
                assertEquals(200, first.status(), first.body().toString());
            }
            ConsoleClient.Answer ninth = console.post("/api/login", clientFirst("nobody9"), false);
            assertEquals(503, ninth.status());
            assertEquals("SERVER_BUSY", ninth.code());
        }
    }

    @Test
    void aUsersNinthSessionEndsTheirOldestAndAPasswordChangeEndsThemAll() throws Exception {
        try (TestServer bank = start()) {
            TestClient tcp = bank.customer("Alice");
            List<ConsoleClient> sessions = new java.util.ArrayList<>();
            for (int i = 0; i <= ConsoleSessions.MAX_SESSIONS_PER_USER; i++) {
                sessions.add(ConsoleClient.signedIn(bank, "Alice", TestServer.PASSWORD));
            }
            assertEquals(401, sessions.get(0).get("/api/session").status(), "the oldest went");
            assertEquals(200, sessions.get(1).get("/api/session").status());

            com.abcbank.protocol.Scram.Verifier verifier = com.abcbank.protocol.Scram.newKeys(
                            "a-new-password".toCharArray(), com.abcbank.protocol.Scram.MIN_ITERATIONS)
                    .verifier();
            tcp.ok(new Request.Passwd(verifier), Result.User.class);
            for (ConsoleClient session : sessions) {
                assertEquals(401, session.get("/api/session").status(), "signed in with the old password");
            }
        }
    }

    @Test
    void strangersCannotHoldOneNamesSignInsInProgress() throws Exception {
        try (TestServer bank = start()) {
            bank.customer("Alice");
            ConsoleClient console = new ConsoleClient(bank.server.httpPort());
            for (int i = 0; i < ConsoleSessions.MAX_PENDING_PER_NAME; i++) {
                assertEquals(
                        200,
                        console.post("/api/login", clientFirst("Alice"), false).status());
            }
            ConsoleClient.Answer fifth = console.post("/api/login", clientFirst("Alice"), false);
            assertEquals(503, fifth.status(), "her name's login budget is not theirs to fill with first steps");
        }
    }

    @Test
    void halfSentRequestsDoNotTakeThePoolFromHealth() throws Exception {
        try (TestServer bank = start()) {
            int port = bank.server.httpPort();
            List<java.net.Socket> slow = new java.util.ArrayList<>();
            try {
                for (int i = 0; i < 20; i++) { // each says 100 bytes are coming and sends one
                    java.net.Socket socket = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), port);
                    socket.getOutputStream()
                            .write(("POST /api/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                                            + "Content-Length: 100\r\n\r\n{")
                                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    slow.add(socket);
                }
                java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
                java.net.http.HttpResponse<String> health = http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                                .timeout(java.time.Duration.ofSeconds(5))
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
                assertEquals(200, health.statusCode(), "answered within the bound while 20 bodies hang");
            } finally {
                for (java.net.Socket socket : slow) {
                    socket.close();
                }
            }
        }
    }
}
