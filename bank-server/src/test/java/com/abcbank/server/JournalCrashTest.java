package com.abcbank.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abcbank.protocol.Reply;
import com.abcbank.protocol.Request;
import com.abcbank.protocol.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 in the middle of traffic, then restart on the same data directory: every transaction a client saw
 * acknowledged is there with the balances it was told, nothing is applied twice (a request in flight at the
 * kill, retried with its key, happens exactly once), the bank sums to 0 and verifies.
 *
 * <p>The server runs as a separate JVM (the test's own class path), so the kill is a real SIGKILL of a process
 * with the journal open. Five rounds on one data directory, each killed after a different, seeded number of
 * acknowledgements; the seeds are printed so a failing round can be replayed. Snapshots are taken every 150
 * transactions, so kills land before, between and after snapshots, and starts go through snapshot + journal.
 */
class JournalCrashTest {
    private static final int CLIENTS = 8;
    private static final int ROUNDS = 5;
    private static final long OPENING_CENTS = 1_000_000;
    private static final String PASSWORD = "crash-test-password";

    @TempDir
    Path tmp;

    /** What a client was told about one transfer. */
    private record Ack(String key, String from, String to, long amount, long fromBalance, long toBalance) {}

    /** A transfer sent but not answered when the connection died. */
    private record InFlight(String user, Request.Transfer request) {}

    @Test
    void acknowledgedTransactionsSurviveKillNineAndRetriesApplyOnce() throws Exception {
        Path data = tmp.resolve("data");
        long baseSeed = new Random().nextLong();
        Map<Long, Ack> acknowledged = new ConcurrentHashMap<>();
        List<Result.SecurityEvent> listedEvents = new ArrayList<>(); // shown to the auditor: durable, so kept
        List<String> accounts = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            accounts.add("70" + c + "1");
            accounts.add("70" + c + "2");
        }

        try (ServerProcess server = ServerProcess.start(data, tmp)) {
            for (int c = 0; c < CLIENTS; c++) {
                try (TestClient client = TestClient.connect(server.port)) {
                    client.register("crash" + c, PASSWORD);
                    client.ok(new Request.CreateAccount("70" + c + "1", OPENING_CENTS), Result.Tx.class);
                    client.ok(new Request.CreateAccount("70" + c + "2", OPENING_CENTS), Result.Tx.class);
                }
            }
            server.kill();
        }

        for (int round = 0; round < ROUNDS; round++) {
            long seed = baseSeed + round;
            Random random = new Random(seed);
            int killAfter = 50 + random.nextInt(400);
            List<InFlight> inFlight = new ArrayList<>();
            int ackedThisRound;
            try (ServerProcess server = ServerProcess.start(data, tmp)) {
                AtomicInteger acks = new AtomicInteger();
                CountDownLatch enough = new CountDownLatch(1);
                CountDownLatch done = new CountDownLatch(CLIENTS);
                List<Thread> workers = new ArrayList<>();
                for (int c = 0; c < CLIENTS; c++) {
                    int client = c;
                    long workerSeed = random.nextLong();
                    Thread worker = new Thread(
                            () -> {
                                try {
                                    transferUntilKilled(
                                            server.port,
                                            client,
                                            new Random(workerSeed),
                                            accounts,
                                            acknowledged,
                                            acks,
                                            killAfter,
                                            enough,
                                            inFlight);
                                } finally {
                                    done.countDown();
                                }
                            },
                            "crash-client-" + c);
                    worker.setDaemon(true);
                    workers.add(worker);
                    worker.start();
                }
                listedEvents.addAll(guessAndList(server.port, data, round, listedEvents.size())); // amid transfers
                assertTrue(enough.await(60, TimeUnit.SECONDS), "clients never reached " + killAfter + " acks");
                server.kill(); // SIGKILL while the clients are still sending
                assertTrue(done.await(30, TimeUnit.SECONDS), "clients did not notice the kill");
                for (Thread worker : workers) {
                    worker.join(10_000);
                    assertFalse(worker.isAlive(), worker.getName() + " outlived the kill");
                }
                ackedThisRound = acks.get();
            }
            try (ServerProcess server = ServerProcess.start(data, tmp);
                    TestClient audit = TestClient.connect(server.port)) {
                audit.login(
                        "Audit",
                        Files.readString(data.resolve("audit-password")).strip());
                Map<Long, Result.Transaction> journal = wholeHistory(audit);
                List<Result.SecurityEvent> trail = securityEvents(audit);
                assertTrue(
                        trail.size() >= listedEvents.size()
                                && trail.subList(0, listedEvents.size()).equals(listedEvents),
                        () -> "seed " + seed + ": security events listed before the kill were lost: " + listedEvents
                                + " now " + trail);
                for (Map.Entry<Long, Ack> entry : acknowledged.entrySet()) {
                    Result.Transaction tx = journal.get(entry.getKey());
                    Ack ack = entry.getValue();
                    assertNotNull(tx, () -> "seed " + seed + ": acknowledged tx " + entry.getKey() + " lost");
                    assertEquals(
                            ack.key(), tx.key(), "seed " + seed + ": tx " + entry.getKey() + " is another transaction");
                    assertEquals(
                            List.of(
                                    new Result.Posting(ack.from(), -ack.amount(), ack.fromBalance()),
                                    new Result.Posting(ack.to(), ack.amount(), ack.toBalance())),
                            tx.postings(),
                            "seed " + seed + ": tx " + entry.getKey() + " differs from what its client was told");
                }
                // Requests cut off by the kill: retried with their keys, each happens exactly once.
                for (InFlight lost : inFlight) {
                    try (TestClient retry = TestClient.connect(server.port)) {
                        retry.login(lost.user(), PASSWORD);
                        Reply reply = retry.call(lost.request());
                        assertTrue(
                                reply.ok() || reply.error().code().name().equals("INSUFFICIENT_FUNDS"),
                                () -> "seed " + seed + ": retry of " + lost + " got " + reply.error());
                    }
                }
                Map<String, Integer> keyCounts = new HashMap<>();
                for (Result.Transaction tx : wholeHistory(audit).values()) {
                    if (tx.key() != null) {
                        keyCounts.merge(tx.user() + "/" + tx.key(), 1, Integer::sum);
                    }
                }
                keyCounts.forEach(
                        (key, count) -> assertEquals(1, count, "seed " + seed + ": key " + key + " applied twice"));
                Result.Report report = audit.report();
                assertEquals(0, report.sum(), "seed " + seed + ": the bank does not sum to 0");
                assertEquals(
                        CLIENTS * 2 * OPENING_CENTS,
                        report.totals().get("checking"),
                        "seed " + seed + ": transfers created or destroyed money");
                Result.Verify verify = audit.ok(new Request.Verify(), Result.Verify.class);
                assertTrue(verify.ok(), () -> "seed " + seed + ": verify found " + verify.problems());
                System.out.printf(
                        "crash round %d: seed %d, killed after %d acks (%d this round, %d in flight),"
                                + " recovered %d transactions, verified in %d ms%n",
                        round, seed, killAfter, ackedThisRound, inFlight.size(), report.asOf(), verify.millis());
                server.kill();
            }
        }
    }

    /**
     * A wrong password for a name of this round, then the trail as the auditor sees it from event {@code after} on:
     * a listing shows only durable events, so each must survive the kill that follows.
     */
    private static List<Result.SecurityEvent> guessAndList(int port, Path data, int round, long after)
            throws IOException {
        try (TestClient guesser = TestClient.connect(port);
                TestClient audit = TestClient.connect(port)) {
            guesser.loginError("guesser" + round, "not-the-password");
            audit.login(
                    "Audit", Files.readString(data.resolve("audit-password")).strip());
            List<Result.SecurityEvent> listed = securityEvents(audit);
            assertTrue(
                    listed.stream().anyMatch(e -> e.user().equals("guesser" + round)),
                    () -> "round " + round + ": the failed login is not listed: " + listed);
            return listed.subList(Math.toIntExact(after), listed.size());
        }
    }

    private static List<Result.SecurityEvent> securityEvents(TestClient audit) throws IOException {
        List<Result.SecurityEvent> all = new ArrayList<>();
        Long after = null;
        do {
            Result.SecurityEvents page = audit.ok(
                    new Request.ShowSecurityEvents(after, 1_000, null, null, null, null), Result.SecurityEvents.class);
            all.addAll(page.entries());
            after = page.next();
        } while (after != null);
        return all;
    }

    /** One client: keyed transfers from its own accounts to anyone's, recording what it was told, until the kill. */
    private static void transferUntilKilled(
            int port,
            int client,
            Random random,
            List<String> accounts,
            Map<Long, Ack> acknowledged,
            AtomicInteger acks,
            int killAfter,
            CountDownLatch enough,
            List<InFlight> inFlight) {
        String user = "crash" + client;
        Request.Transfer pending = null;
        try (TestClient connection = TestClient.connect(port)) {
            connection.login(user, PASSWORD);
            while (true) {
                String from = "70" + client + (1 + random.nextInt(2));
                String to = accounts.get(random.nextInt(accounts.size()));
                if (to.equals(from)) {
                    continue;
                }
                long amount = 1L + random.nextInt(5_000);
                pending =
                        new Request.Transfer(from, to, amount, UUID.randomUUID().toString());
                Reply reply = connection.call(pending);
                if (reply.ok()) {
                    Result.Tx tx = com.abcbank.protocol.Json.convert(reply.result(), Result.Tx.class);
                    acknowledged.put(
                            tx.tx(), new Ack(pending.key(), from, to, amount, tx.fromBalance(), tx.toBalance()));
                    if (acks.incrementAndGet() == killAfter) {
                        enough.countDown();
                    }
                }
                pending = null;
            }
        } catch (IOException | AssertionError e) {
            // The server was killed: whatever was sent and not answered is in flight.
            if (pending != null) {
                synchronized (inFlight) {
                    inFlight.add(new InFlight(user, pending));
                }
            }
        }
    }

    private static Map<Long, Result.Transaction> wholeHistory(TestClient audit) throws IOException {
        Map<Long, Result.Transaction> all = new HashMap<>();
        Long after = 0L;
        while (after != null) {
            Result.Transactions page =
                    audit.ok(new Request.ShowHistory(after, 1000, null, null, null, null), Result.Transactions.class);
            page.entries().forEach(tx -> all.put(tx.tx(), tx));
            after = page.next();
        }
        return all;
    }

    /** The server as a child JVM on the test's class path. */
    private static final class ServerProcess implements AutoCloseable {
        final Process process;
        final int port;

        private ServerProcess(Process process, int port) {
            this.process = process;
            this.port = port;
        }

        static ServerProcess start(Path data, Path tmp) throws IOException {
            Path portFile = tmp.resolve("port-" + UUID.randomUUID());
            Path log = tmp.resolve("server.log");
            Process process = new ProcessBuilder(
                            Path.of(System.getProperty("java.home"), "bin", "java")
                                    .toString(),
                            "-cp",
                            System.getProperty("java.class.path"),
                            ServerMain.class.getName(),
                            "--port",
                            "0",
                            "--data",
                            data.toString(),
                            "--port-file",
                            portFile.toString(),
                            "--pbkdf2-iterations",
                            "4096",
                            "--snapshot-every",
                            "150")
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
            try {
                await().atMost(Duration.ofSeconds(30))
                        .pollInterval(Duration.ofMillis(50))
                        .until(() -> Files.exists(portFile) || !process.isAlive());
            } catch (RuntimeException e) {
                process.destroyForcibly();
                throw e;
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("the server did not start:\n" + Files.readString(log));
            }
            return new ServerProcess(
                    process, Integer.parseInt(Files.readString(portFile).strip()));
        }

        void kill() throws InterruptedException {
            process.destroyForcibly(); // SIGKILL: no shutdown hook, no final fsync
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the server did not die");
        }

        /** Kills the server if it still runs; an interrupt is restored and reported unchecked, not swallowed. */
        @Override
        public void close() {
            if (process.isAlive()) {
                try {
                    kill();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while killing the server", e);
                }
            }
        }
    }
}
