package com.abcbank.server.bench;

import com.abcbank.journal.Durability;
import com.abcbank.ledger.LedgerConfig;
import com.abcbank.protocol.Json;
import com.abcbank.protocol.Reply;
import com.abcbank.protocol.Request;
import com.abcbank.protocol.Scram;
import com.abcbank.server.BankServer;
import com.abcbank.server.BenchAccess;
import com.abcbank.server.ServerConfig;
import com.fasterxml.jackson.databind.node.LongNode;
import com.ongres.scram.common.exception.ScramException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.HdrHistogram.Histogram;

/**
 * Durable transfer throughput and latency: for each durability mode and 1, 16 and 64 connections, clients send
 * keyed transfers (each waits for its reply before the next: closed loop) for a fixed time after a warm-up, and
 * the benchmark prints transactions per second, p50 and p99 latency (HdrHistogram) and journal forces per second.
 *
 * <p>Run it with {@code scripts/bench.sh durability [SECONDS_PER_CELL]} (default 5).
 */
public final class DurabilityBenchmark {
    private static final int ACCOUNTS = 128;
    private static final String PASSWORD = "bench-password";

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int[] connectionCounts = {1, 16, 64};
        System.out.printf(
                Locale.ROOT,
                "%-10s %11s %10s %9s %9s %9s %12s%n",
                "durability",
                "connections",
                "tx/s",
                "p50 ms",
                "p99 ms",
                "fsync/s",
                "tx per fsync");
        for (Durability durability : Durability.values()) {
            Path data = Files.createTempDirectory("abc-bank-bench");
            ServerConfig config = new ServerConfig(
                    InetAddress.getLoopbackAddress(),
                    0,
                    data,
                    256,
                    65_536,
                    300_000,
                    10_000,
                    4_096, // the fewest PBKDF2 iterations a verifier may have (the client stretches)
                    LedgerConfig.defaults(),
                    durability,
                    10,
                    false,
                    ServerConfig.DEFAULT_SNAPSHOT_EVERY);
            try (BankServer server = BankServer.start(config, new PrintStream(PrintStream.nullOutputStream()))) {
                setUp(server.port());
                for (int connections : connectionCounts) {
                    run(server, durability, connections, 1, false);
                    run(server, durability, connections, seconds, true);
                }
            } finally {
                deleteTree(data);
            }
        }
    }

    private static void setUp(int port) throws IOException {
        try (Connection c = new Connection(port)) {
            c.call(new Request.Register(
                    "bench",
                    Scram.newKeys(PASSWORD.toCharArray(), Scram.MIN_ITERATIONS).verifier()));
            for (int a = 0; a < ACCOUNTS; a++) {
                c.call(new Request.CreateAccount(String.valueOf(100_000 + a), 100_000_000L));
            }
        }
    }

    private static void run(BankServer server, Durability durability, int connections, int seconds, boolean print)
            throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch ready = new CountDownLatch(connections);
        CountDownLatch start = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(connections);
        List<Histogram> histograms = new ArrayList<>();
        List<Throwable> failures = new ArrayList<>();
        for (int t = 0; t < connections; t++) {
            Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
            histograms.add(histogram);
            Random random = new Random(t);
            Thread thread = new Thread(
                    () -> {
                        try (Connection c = new Connection(server.port())) {
                            c.login("bench", PASSWORD);
                            ready.countDown();
                            start.await();
                            while (!stop.get()) {
                                int from = random.nextInt(ACCOUNTS);
                                int to = (from + 1 + random.nextInt(ACCOUNTS - 1)) % ACCOUNTS;
                                long began = System.nanoTime();
                                Reply reply = c.call(new Request.Transfer(
                                        String.valueOf(100_000 + from),
                                        String.valueOf(100_000 + to),
                                        1 + random.nextInt(100),
                                        UUID.randomUUID().toString()));
                                histogram.recordValue(System.nanoTime() - began);
                                if (!reply.ok()) {
                                    throw new IllegalStateException("transfer refused: " + reply.error());
                                }
                            }
                        } catch (Throwable e) {
                            synchronized (failures) {
                                failures.add(e);
                            }
                            ready.countDown();
                        } finally {
                            done.countDown();
                        }
                    },
                    "bench-" + t);
            thread.setDaemon(true);
            thread.start();
        }
        if (!ready.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("clients did not log in");
        }
        long forcesBefore = BenchAccess.forces(server);
        long began = System.nanoTime();
        start.countDown();
        if (done.await(seconds, TimeUnit.SECONDS)) {
            throw new IllegalStateException("clients stopped early: " + failures);
        }
        stop.set(true);
        long elapsed = System.nanoTime() - began;
        long forces = BenchAccess.forces(server) - forcesBefore;
        if (!done.await(60, TimeUnit.SECONDS) || !failures.isEmpty()) {
            throw new IllegalStateException("clients failed: " + failures);
        }
        Histogram all = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        histograms.forEach(all::add);
        if (print) {
            double secondsElapsed = elapsed / 1e9;
            System.out.printf(
                    Locale.ROOT,
                    "%-10s %11d %10.0f %9.2f %9.2f %9.0f %12s%n",
                    durability.name().toLowerCase(Locale.ROOT),
                    connections,
                    all.getTotalCount() / secondsElapsed,
                    all.getValueAtPercentile(50) / 1e6,
                    all.getValueAtPercentile(99) / 1e6,
                    forces / secondsElapsed,
                    forces == 0 ? "-" : String.format(Locale.ROOT, "%.1f", (double) all.getTotalCount() / forces));
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder())
                    .forEach(path -> path.toFile().delete());
        }
    }

    /** One connection, one request at a time. */
    private static final class Connection implements AutoCloseable {
        private final Socket socket;
        private final BufferedReader in;
        private final Writer out;
        private long nextId = 1;

        Connection(int port) throws IOException {
            socket = new Socket(InetAddress.getLoopbackAddress(), port);
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(60_000);
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            out = new OutputStreamWriter(socket.getOutputStream(), StandardCharsets.UTF_8);
        }

        void login(String user, String password) throws IOException {
            try {
                Reply reply = Scram.login(this::call, Scram.ClientExchange.withPassword(user, password.toCharArray()));
                if (!reply.ok()) {
                    throw new IOException("login refused: " + reply.error());
                }
            } catch (ScramException e) {
                throw new IOException(e);
            }
        }

        Reply call(Request request) throws IOException {
            out.write(Json.writeRequest(LongNode.valueOf(nextId++), request));
            out.write('\n');
            out.flush();
            String line = in.readLine();
            if (line == null) {
                throw new IOException("server closed the connection");
            }
            return Json.parseReply(line);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
