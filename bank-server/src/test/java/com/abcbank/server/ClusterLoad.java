package com.abcbank.server;

import com.abcbank.ledger.ErrorCode;
import com.abcbank.protocol.Reply;
import com.abcbank.protocol.Request;
import com.abcbank.protocol.Result;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;

/**
 * Keyed transfers between one customer's accounts from a few threads against a {@link ProcessCluster} whose nodes
 * come and go, with failover: a request that was not answered, or answered {@code CLUSTER_UNAVAILABLE} or
 * {@code SHUTTING_DOWN}, goes to the next node with the same key, again and again, until it is acknowledged. A
 * request is never abandoned while the load runs, and {@link #stop} lets every thread finish the one it holds: after
 * {@link #stop} each transfer this load sent is either acknowledged (in {@link #stop}'s list, with its transaction)
 * or was never sent. That is what lets the test demand the books hold exactly the acknowledged transfers.
 *
 * <p>Every wait is bounded: a request that nobody acknowledges within {@link #GIVE_UP_AFTER} fails its thread, and
 * so the test; {@link #close} makes the threads drop what they hold (the test has failed by then).
 */
final class ClusterLoad implements AutoCloseable {
    /** How long one request may go unacknowledged, across all its retries, before the test fails. */
    static final Duration GIVE_UP_AFTER = Duration.ofSeconds(90);

    /** An acknowledged transfer; {@code sentNanos} is when its acknowledged attempt was sent. */
    record Ack(String from, String to, long amountCents, long tx, long sentNanos, long ackedNanos) {}

    private final List<Ack> acks = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger retries = new AtomicInteger();
    private final List<CompletableFuture<Void>> workers = new ArrayList<>();
    private volatile boolean stopping;
    private volatile boolean abandoned;

    private ClusterLoad() {}

    /**
     * Starts {@code threads} threads, each sending transfers of 1 to 500 cents between random pairs of {@code
     * accounts} (seeded: {@code seed} and the thread's number), logged in as {@code user}, with keys {@code
     * keyPrefix-tT-I}.
     */
    static ClusterLoad start(
            ProcessCluster cluster, String keyPrefix, long seed, int threads, List<String> accounts, String user) {
        ClusterLoad load = new ClusterLoad();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            Random random = new Random(seed * 31 + t);
            load.workers.add(TestServer.inBackground(keyPrefix + "-t" + t, () -> {
                try (Sender sender = new Sender(cluster, user, thread, load.retries)) {
                    for (int i = 0; !load.stopping; i++) {
                        int from = random.nextInt(accounts.size());
                        int to = (from + 1 + random.nextInt(accounts.size() - 1)) % accounts.size();
                        long amountCents = 1L + random.nextInt(500);
                        Request.Transfer transfer = new Request.Transfer(
                                accounts.get(from), accounts.get(to), amountCents, keyPrefix + "-t" + thread + "-" + i);
                        Sender.Answer answer = sender.send(transfer, () -> load.abandoned);
                        Result.Tx tx = answer.reply().resultAs(Result.Tx.class);
                        load.acks.add(new Ack(
                                transfer.from(),
                                transfer.to(),
                                amountCents,
                                tx.tx(),
                                answer.sentNanos(),
                                System.nanoTime()));
                    }
                }
                return null;
            }));
        }
        return load;
    }

    int acknowledged() {
        return acks.size();
    }

    int retries() {
        return retries.get();
    }

    /** Waits until this load has {@code count} acknowledgements in all. */
    void awaitAcknowledged(int count, Duration within) {
        Awaitility.await(count + " acknowledged transfers")
                .atMost(within)
                .pollInterval(Duration.ofMillis(10))
                .until(() -> {
                    failFast();
                    return acks.size() >= count;
                });
    }

    /** The first acknowledgement (by time) of a request sent at or after {@code nanos}, if any yet. */
    Optional<Ack> firstSentAfter(long nanos) {
        synchronized (acks) {
            return acks.stream().filter(a -> a.sentNanos() >= nanos).min(Comparator.comparingLong(Ack::ackedNanos));
        }
    }

    /** The acknowledgements received strictly between {@code fromNanos} and {@code toNanos}. */
    List<Ack> acknowledgedBetween(long fromNanos, long toNanos) {
        synchronized (acks) {
            return acks.stream()
                    .filter(a -> a.ackedNanos() - fromNanos > 0 && toNanos - a.ackedNanos() > 0)
                    .toList();
        }
    }

    /** Waits for {@link #firstSentAfter}: writes resumed after whatever happened at {@code nanos}. */
    Ack awaitFirstSentAfter(long nanos, Duration within) {
        return Awaitility.await("a write acknowledged after the kill")
                .atMost(within)
                .pollInterval(Duration.ofMillis(5))
                .until(
                        () -> {
                            failFast();
                            return firstSentAfter(nanos);
                        },
                        Optional::isPresent)
                .orElseThrow();
    }

    /** A worker that failed fails the wait that watches it, at once, with the worker's exception. */
    private void failFast() {
        for (CompletableFuture<Void> worker : workers) {
            if (worker.isCompletedExceptionally()) {
                worker.join();
            }
        }
    }

    /**
     * Stops sending: each thread finishes the request it holds (until acknowledged) and ends. Returns every
     * acknowledged transfer; rethrows a thread's failure.
     */
    List<Ack> stop(Duration within) throws InterruptedException, TimeoutException {
        stopping = true;
        long deadline = System.nanoTime() + within.toNanos();
        for (CompletableFuture<Void> worker : workers) {
            try {
                worker.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (ExecutionException e) {
                throw new AssertionError("a load thread failed: " + e.getCause(), e.getCause());
            }
        }
        synchronized (acks) {
            return List.copyOf(acks);
        }
    }

    @Override
    public void close() {
        stopping = true;
        abandoned = true;
    }

    /**
     * One thread's connections, at most one per node, logged in as the load's user; it sends a request to its
     * current node and, when that node cannot answer, the same request (same key) to the next one.
     */
    static final class Sender implements AutoCloseable {
        /** A reply that settles the request, and when the attempt that got it was sent. */
        record Answer(Reply reply, long sentNanos) {}

        interface Abandon {
            boolean now();
        }

        private final ProcessCluster cluster;
        private final String user;
        private final AtomicInteger retries;
        private final Map<Integer, TestClient> open = new HashMap<>();
        private final Map<Integer, Integer> openPort = new HashMap<>();
        private int node;

        /** {@code user} null: connections that do not log in (to register). */
        Sender(ProcessCluster cluster, String user, int firstNode, AtomicInteger retries) {
            this.cluster = cluster;
            this.user = user;
            this.node = firstNode % cluster.size();
            this.retries = retries;
        }

        /**
         * Sends {@code request} until a node answers it with anything but {@code CLUSTER_UNAVAILABLE} / {@code
         * SHUTTING_DOWN}, moving to the next node on such an answer, a lost connection or a timed-out read. A
         * transfer refused for any other reason is a test failure (the load never overdraws: the balances are
         * far above what it moves).
         */
        Answer send(Request request, Abandon abandon) {
            long giveUp = System.nanoTime() + GIVE_UP_AFTER.toNanos();
            for (int attempt = 0; ; attempt++) {
                if (abandon.now()) {
                    throw new IllegalStateException("abandoned: the test failed");
                }
                if (System.nanoTime() - giveUp > 0) {
                    throw new AssertionError("no node acknowledged " + request + " within " + GIVE_UP_AFTER + " ("
                            + attempt + " attempts)");
                }
                if (attempt > 0) {
                    retries.incrementAndGet();
                    if (attempt % cluster.size() == 0) {
                        backOff();
                    }
                }
                int target = node;
                try {
                    TestClient client = connection(target);
                    long sentNanos = System.nanoTime();
                    Reply reply = client.call(request);
                    if (reply.ok()) {
                        return new Answer(reply, sentNanos);
                    }
                    ErrorCode code = reply.error().code();
                    if (code != ErrorCode.CLUSTER_UNAVAILABLE && code != ErrorCode.SHUTTING_DOWN) {
                        if (request instanceof Request.Transfer) {
                            throw new IllegalStateException("transfer refused: " + reply.error());
                        }
                        return new Answer(reply, sentNanos);
                    }
                } catch (IOException | AssertionError e) {
                    // A lost connection, a read that timed out, or a login the node could not answer (TestClient
                    // asserts): the request's fate there is unknown, so the same key goes to the next node.
                    drop(target);
                }
                node = (node + 1) % cluster.size();
            }
        }

        /**
         * A pause after every node has failed once in a row (all down, an election under way): a retry pace, not a
         * synchronisation; the deadline in {@link #send} bounds the whole.
         */
        private static void backOff() {
            try {
                TimeUnit.MILLISECONDS.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }

        private TestClient connection(int target) throws IOException {
            int port = cluster.port(target);
            if (port == 0) {
                drop(target);
                throw new IOException("node " + cluster.id(target) + " is down");
            }
            TestClient client = open.get(target);
            if (client != null && openPort.get(target) == port) {
                return client;
            }
            drop(target);
            client = TestClient.connect(port);
            open.put(target, client);
            openPort.put(target, port);
            if (user != null) {
                client.login(user, TestServer.PASSWORD);
            }
            return client;
        }

        private void drop(int target) {
            TestClient broken = open.remove(target);
            openPort.remove(target);
            if (broken != null) {
                try {
                    broken.close();
                } catch (IOException ignored) {
                    // already broken
                }
            }
        }

        @Override
        public void close() {
            for (int target : List.copyOf(open.keySet())) {
                drop(target);
            }
        }
    }
}
