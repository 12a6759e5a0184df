package com.abcbank.server;

import com.abcbank.journal.Durability;
import com.abcbank.journal.DurableFeed;
import com.abcbank.journal.DurableLog;
import com.abcbank.ledger.Caller;
import com.abcbank.ledger.ErrorCode;
import com.abcbank.ledger.Ledger;
import com.abcbank.ledger.Outcome;
import com.abcbank.protocol.Failure;
import com.abcbank.protocol.Json;
import com.abcbank.protocol.Reply;
import com.abcbank.server.auth.Users;
import com.abcbank.server.cluster.ClusterConfig;
import com.abcbank.server.cluster.ClusterNode;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bank's TCP server: an accept loop handing each connection to a thread of a bounded pool.
 *
 * <p>Limits: at most {@code maxConnections} connections at once (a semaphore; the next one is told
 * {@code SERVER_BUSY} and closed); lines of at most {@code maxLineBytes}; a connection idle, or stuck writing
 * to a client that does not read, for {@code idleTimeoutMs} is closed (a reaper checks every second).
 *
 * <p>TLS ({@link ServerConfig.Tls}): the accept loop takes plain sockets only, and each connection's thread runs its
 * own handshake ({@link TlsAcceptor}), so a slow handshaker never holds up accepting; the same reaper closes a
 * handshake still going at the connection's authentication deadline.
 *
 * <p>Shutdown ({@link #close()}, run by the JVM's shutdown hook on SIGTERM or Ctrl-C): stop accepting, stop
 * reading (a blocked read sees end of stream; a request being handled finishes and its reply is written),
 * wait up to {@code shutdownGraceMs} for connection threads, then close whatever is left; then the last
 * snapshot, then the feed's subscriptions, then the journal, then the HTTP side.
 *
 * <p>HTTP ({@link ServerConfig.Http}, {@link HttpEndpoint}): {@code /health} and {@code /metrics}, over HTTPS when TLS is on
 * (the same keystore, loaded once), started before the data directory is opened (so {@code /health} can say it is recovering) and stopped last; the connections record
 * their requests into {@link BankMetrics} after flushing the replies, outside every ledger lock.
 *
 * <p>Parts: {@link ServerMain} is the command line, {@link BankState} opens the data directory (users, snapshot,
 * journal replay), {@link SnapshotSchedule} writes snapshots and forgets old idempotency keys, {@link Connection}
 * serves one client and {@link Dispatcher} one request. This class depends on the journal only as a
 * {@link DurableLog}.
 */
public final class BankServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BankServer.class);

    private final ServerConfig config;
    private final ServerSocket serverSocket;
    private final Dispatcher dispatcher;
    private final DurableLog journal;
    /** Null on a cluster node: Raft decides when a node snapshots, and keys are forgotten in log order. */
    private final SnapshotSchedule schedule;
    /** This server's node of a cluster, or {@code null} when it runs alone. */
    private final ClusterNode node;
    /** What that node's state machine applies the log to; {@code null} when it runs alone. */
    private ReplicaApplier applier;
    /** Where security events are kept: {@link #journal} alone, a journal of their own on a cluster node. */
    private final DurableLog events;

    private final DurableFeed feed;
    /** Null when the server speaks plaintext. */
    private final TlsAcceptor tls;
    /** Null without {@code --http-port}. */
    private final HttpEndpoint http;

    private final BankMetrics metrics;
    /** The console's live feed: records nothing until a browser watches (and nothing ever without HTTP). */
    private final ActivityFeed activity;

    private final SecurityEvents securityEvents;
    private final ThreadPoolExecutor pool;
    private final Semaphore permits;
    private final ScheduledExecutorService reaper;
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    /** Connections open per client address, for {@link ServerConfig.Limits#maxPerAddress()}; an address at 0 is removed. */
    private final ConcurrentHashMap<InetAddress, Integer> perAddress = new ConcurrentHashMap<>();

    private final AtomicLong nextConnectionId = new AtomicLong(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Thread acceptor;
    private volatile boolean stopping;

    private BankServer(
            ServerConfig config,
            ServerSocket serverSocket,
            Dispatcher dispatcher,
            DurableLog journal,
            SnapshotSchedule schedule,
            ClusterNode node,
            DurableLog events,
            DurableFeed feed,
            TlsAcceptor tls,
            SecurityEvents securityEvents,
            HttpEndpoint http,
            BankMetrics metrics) {
        this.config = config;
        this.http = http;
        this.metrics = metrics;
        this.tls = tls;
        this.feed = feed;
        this.activity = new ActivityFeed(feed);
        this.securityEvents = securityEvents;
        this.serverSocket = serverSocket;
        this.dispatcher = dispatcher;
        this.journal = journal;
        this.schedule = schedule;
        this.node = node;
        this.events = events;
        this.permits = new Semaphore(config.maxConnections() + config.limits().auditorReserved());
        // The semaphore bounds connections; the pool has twice as many threads so that a connection accepted
        // just after another released its permit, while that thread is not yet back in the pool, still gets one.
        this.pool = new ThreadPoolExecutor(
                0,
                2 * config.maxConnections(),
                30,
                TimeUnit.SECONDS,
                new SynchronousQueue<>(),
                runnable -> new Thread(runnable, "bank-conn"));
        this.reaper = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "bank-reaper");
            thread.setDaemon(true);
            return thread;
        });
        this.acceptor = new Thread(this::acceptLoop, "bank-accept");
    }

    /** {@link #start(ServerConfig, Clock, PrintStream)} on the system clock. */
    public static BankServer start(ServerConfig config, PrintStream announce) throws IOException {
        return start(config, Clock.systemUTC(), announce);
    }

    /**
     * Opens the data directory, binds, and starts serving.
     *
     * @param clock    the one clock of the bank: transaction times, the idempotency-key window, login throttling
     * @param announce receives the auditor's first password
     */
    public static BankServer start(ServerConfig config, Clock clock, PrintStream announce) throws IOException {
        return start(config, clock, announce, http -> {});
    }

    /**
     * As {@link #start(ServerConfig, Clock, PrintStream)}; {@code beforeRecovery} is called with the HTTP side (null
     * without one) once it is up and before the data directory is opened: tests hold recovery there to see
     * {@code /health} say so.
     */
    static BankServer start(
            ServerConfig config, Clock clock, PrintStream announce, Consumer<HttpEndpoint> beforeRecovery)
            throws IOException {
        return start(config, null, clock, announce, beforeRecovery);
    }

    /**
     * Starts one node of a replicated bank ({@code cluster}), or a single server when {@code cluster} is null: the same
     * TCP server and console either way; on a node, writes go through the Raft log and reads wait for the read index
     * (see {@link ClusterRoute}), and the auditor is created once for the whole cluster ({@link #createAuditor}).
     */
    public static BankServer start(ServerConfig config, ClusterConfig cluster, Clock clock, PrintStream announce)
            throws IOException {
        return start(config, cluster, clock, announce, http -> {});
    }

    private static BankServer start(
            ServerConfig config,
            ClusterConfig cluster,
            Clock clock,
            PrintStream announce,
            Consumer<HttpEndpoint> beforeRecovery)
            throws IOException {
        // A keystore that cannot be opened fails first, before the port is taken or the data directory touched.
        TlsAcceptor tls = config.tls().enabled() ? TlsAcceptor.load(config.tls()) : null;
        // Bind next: a port in use must fail before the data directory is touched or a password printed.
        ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true);
        BankState state;
        ClusterState clusterState = null;
        ClusterNode node = null;
        BankMetrics metrics = config.http().enabled() ? BankMetrics.on() : BankMetrics.OFF;
        HttpEndpoint http = null;
        try {
            socket.bind(new InetSocketAddress(config.bind(), config.port()), 128);
            // HTTP too binds before the data directory is touched, and says "recovering" while it is read.
            http = config.http().enabled() ? HttpEndpoint.start(config, metrics, tls) : null;
            beforeRecovery.accept(http);
            if (cluster == null) {
                state = BankState.open(config, clock, announce);
            } else {
                clusterState = ClusterState.open(config, cluster, clock);
                state = clusterState.bank();
                // The applier's rules exist before Raft starts: it re-applies the log at once.
                clusterState.applier().rules(new Dispatcher(state.ledger(), state.users(), state.journal()));
                try {
                    node = ClusterNode.start(cluster, clusterState.applier(), clock);
                } catch (IOException | RuntimeException e) {
                    state.journal().close();
                    clusterState.events().close();
                    throw e;
                }
            }
        } catch (IOException | RuntimeException e) {
            socket.close();
            if (http != null) {
                http.close();
            }
            throw e;
        }
        DurableLog events = clusterState == null ? state.journal() : clusterState.events();
        SnapshotSchedule schedule = cluster == null ? new SnapshotSchedule(config, clock, state) : null;
        ClusterRoute route = node == null ? null : new ClusterRoute(node);
        BankServer server = new BankServer(
                config,
                socket,
                new Dispatcher(state.ledger(), state.users(), state.journal(), events, route),
                state.journal(),
                schedule,
                node,
                events,
                new DurableFeed(state.journal(), state.ledger()::transaction),
                tls,
                new SecurityEvents(events, clock),
                http,
                metrics);
        server.applier = clusterState == null ? null : clusterState.applier();
        state.users().listen(server.securityEvents); // failed and throttled logins, lockouts, password changes
        server.acceptor.start();
        Periodic.every(server.reaper, 1, TimeUnit.SECONDS, "security events", server.securityEvents::flush);
        long limitNanos = TimeUnit.MILLISECONDS.toNanos(config.idleTimeoutMs());
        Periodic.every(
                server.reaper,
                1,
                TimeUnit.SECONDS,
                "reap stuck writers and handshakes",
                () -> server.reapStuckWriters(limitNanos));
        if (schedule != null) {
            schedule.start(server.reaper);
        } else {
            server.createAuditor(route, state.users(), config.pbkdf2Iterations(), announce);
        }
        metrics.bank(state.journal(), state.journal().durableSeq(), server::activeConnections);
        if (http != null) {
            Console console = new Console(
                    server.dispatcher,
                    server.securityEvents,
                    metrics,
                    server.activity,
                    new ConsoleStats(metrics, state.journal(), server::activeConnections),
                    new ConsoleSessions(System::nanoTime),
                    tls != null,
                    config.http().hosts(),
                    config.limits().auditorFrom());
            server.securityEvents.onPasswordChanged(console.sessions()::closeAllOf);
            metrics.console(server.activity::watchers);
            http.ready(state.ledger(), state.journal(), console);
        }
        logStarted(config, server.port(), state.ledger());
        return server;
    }

    /**
     * A cluster node proposes the auditor once it can reach the cluster, unless the auditor exists: every node
     * proposes one, the log keeps the first, and only the node whose proposal was applied writes its password to its
     * data directory and prints it. Runs in the background, retrying each second for up to ten minutes.
     */
    private void createAuditor(ClusterRoute route, Users users, int minIterations, PrintStream announce) {
        Thread thread = new Thread(
                () -> {
                    try {
                        route.node().ready().get(10, TimeUnit.MINUTES); // the cluster has a leader; we know it
                    } catch (InterruptedException e) {
                        return;
                    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                        log.warn("the cluster did not take a first write: {}", e.toString());
                    }
                    for (int attempt = 0; attempt < 600 && !stopping; attempt++) {
                        if (route.awaitReadable().isEmpty()) {
                            if (users.hasAuditor()) {
                                return;
                            }
                            Users.NewAuditor auditor = Users.newAuditor(minIterations);
                            Outcome<Caller> created = route.addAuditor(auditor.verifier());
                            if (created.isOk()) {
                                try {
                                    users.announceAuditor(auditor.password(), announce);
                                } catch (IOException e) {
                                    log.error("the auditor was created but its password could not be saved", e);
                                }
                                return;
                            }
                            if (created.error() == ErrorCode.USER_EXISTS) {
                                return; // another node's proposal came first
                            }
                        }
                        try {
                            if (stopped.await(1, TimeUnit.SECONDS)) {
                                return;
                            }
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                },
                "create-auditor");
        thread.setDaemon(true);
        thread.start();
    }

    private static void logStarted(ServerConfig config, int port, Ledger ledger) {
        log.info(
                "ABC Bank {} listening on {}:{}{} (data {}, at most {} connections, lines up to {} bytes, idle timeout {} ms)",
                ServerMain.version(),
                config.bind().getHostAddress(),
                port,
                config.tls().enabled() ? " with TLS" : "",
                config.dataDir().toAbsolutePath(),
                config.maxConnections(),
                config.maxLineBytes(),
                config.idleTimeoutMs());
        if (config.durability() == Durability.NONE) {
            log.warn("*** DURABILITY NONE: nothing is written; every account and transaction is lost when the"
                    + " server stops. For trying things out only. ***");
        } else {
            log.info(
                    "journal in {}, durability {}{}, {} transactions kept",
                    config.journalDir(),
                    config.durability(),
                    config.durability() == Durability.BATCH
                            ? " (forced at least every " + config.batchWindowMs()
                                    + " ms: a machine crash loses at most that window)"
                            : "",
                    ledger.lastSeq());
        }
    }

    /** The port the server listens on (the chosen one when configured with 0). */
    public int port() {
        return serverSocket.getLocalPort();
    }

    /**
     * Where the server records security events (the audit trail): the login code calls {@link SecurityEvents#lockout}
     * and {@link SecurityEvents#passwordChanged} from here.
     */
    public SecurityEvents securityEvents() {
        return securityEvents;
    }

    /**
     * The bank's durable transactions, for observers (the console, metrics): see {@link DurableFeed} and
     * {@link com.abcbank.journal.DurableListener} for what a subscriber gets. Closed with the server.
     */
    public DurableFeed feed() {
        return feed;
    }

    /** The HTTP port (the chosen one when configured with 0), or -1 without {@code --http-port}. */
    public int httpPort() {
        return http == null ? -1 : http.port();
    }

    /** The console's live feed, where connections announce their requests while a browser watches. */
    ActivityFeed activity() {
        return activity;
    }

    /** Where connections record their requests ({@link BankMetrics#OFF} without HTTP). */
    BankMetrics metrics() {
        return metrics;
    }

    /** This server's cluster node, or {@code null} when it runs alone. For tests. */
    ClusterNode node() {
        return node;
    }

    /** On a cluster node, how many snapshots it installed from the leader since it started. For tests. */
    int installedSnapshots() {
        return applier == null ? 0 : applier.installs();
    }

    /** Blocks until {@link #close()} has finished. */
    public void awaitStopped() throws InterruptedException {
        stopped.await();
    }

    boolean stopping() {
        return stopping;
    }

    /** The durability boundary, for benchmarks that count its forces. */
    DurableLog journal() {
        return journal;
    }

    /** Forgets idempotency keys older than the window now, instead of at the next minute: for tests. */
    void forgetOldKeys() {
        if (schedule == null) {
            throw new IllegalStateException("a cluster node forgets keys in log order, by the entries' time");
        }
        schedule.forgetOldKeys();
    }

    /** Connections being served now; tests wait for it to return to 0 to show that none leaked. */
    int activeConnections() {
        return connections.size();
    }

    void closed(Connection connection) {
        connections.remove(connection);
        leave(connection.address());
        permits.release();
    }

    /** Counts a connection from {@code address}: false, counting nothing, if that address is at its limit. */
    private boolean enter(InetAddress address) {
        boolean[] admitted = {false};
        perAddress.compute(address, (a, open) -> {
            int count = open == null ? 0 : open;
            if (count >= config.limits().maxPerAddress()) {
                return open;
            }
            admitted[0] = true;
            return count + 1;
        });
        return admitted[0];
    }

    private void leave(InetAddress address) {
        perAddress.computeIfPresent(address, (a, open) -> open <= 1 ? null : open - 1);
    }

    private void acceptLoop() {
        while (!stopping) {
            Socket socket;
            try {
                socket = serverSocket.accept();
            } catch (SocketException e) {
                if (!stopping) {
                    log.error("accept failed; no longer accepting", e);
                }
                return;
            } catch (IOException e) {
                log.warn("accept failed: {}", e.toString());
                continue;
            }
            InetAddress address = socket.getInetAddress();
            if (!enter(address)) {
                refuse(
                        socket,
                        "too many connections from " + address.getHostAddress() + " (at most "
                                + config.limits().maxPerAddress() + "); retry later");
                continue;
            }
            if (!permits.tryAcquire()) {
                leave(address);
                refuse(
                        socket,
                        "the server is at its limit of " + config.maxConnections() + " connections; retry later");
                continue;
            }
            // Past maxConnections, a connection holds one of the auditor's places: only the auditor may use it.
            boolean reserved = permits.availablePermits() < config.limits().auditorReserved();
            Connection connection =
                    new Connection(nextConnectionId.getAndIncrement(), socket, dispatcher, config, this, reserved, tls);
            connections.add(connection);
            try {
                pool.execute(connection);
            } catch (RejectedExecutionException e) {
                // A thread that just released its permit may not yet be back in the pool: treat it as busy.
                connections.remove(connection);
                leave(address);
                permits.release();
                refuse(socket, stopping ? "the server is shutting down" : "the server is busy; retry later");
            }
        }
    }

    /** Tells a connection it cannot be served, in one reply line, and closes it. */
    private void refuse(Socket socket, String message) {
        ErrorCode code = stopping ? ErrorCode.SHUTTING_DOWN : ErrorCode.SERVER_BUSY;
        try (socket) {
            socket.setSoTimeout(1_000);
            socket.getOutputStream().write(refusal(code, message).getBytes(StandardCharsets.UTF_8));
            log.warn("refused a connection from {}: {}", socket.getRemoteSocketAddress(), code);
        } catch (IOException e) {
            log.debug("refusing a connection: {}", e.toString());
        }
    }

    /** A refusal as one reply line (newline included), written by {@link Json} like every other reply. */
    static String refusal(ErrorCode code, String message) {
        return Json.write(Reply.failure(null, new Failure(code, message))) + "\n";
    }

    private void reapStuckWriters(long limitNanos) {
        long now = System.nanoTime();
        for (Connection connection : connections) {
            if (connection.handshakeOverdue(now)) {
                log.warn("connection {} has not finished its TLS handshake in time; closing it", connection.id());
                connection.abort();
            }
            if (connection.stuckWriting(now, limitNanos)) {
                log.warn(
                        "connection {} has not read its replies for {} ms; closing it",
                        connection.id(),
                        config.idleTimeoutMs());
                connection.abort();
            }
        }
    }

    /** Graceful shutdown; see the class comment. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (stopping) {
                return;
            }
            stopping = true;
        }
        if (http != null) {
            http.stopping();
        }
        log.info("shutting down: no new connections, finishing requests in flight");
        try {
            serverSocket.close();
        } catch (IOException e) {
            log.warn("closing the listening socket: {}", e.toString());
        }
        connections.forEach(Connection::stopReading);
        pool.shutdown();
        try {
            acceptor.join(config.shutdownGraceMs() + 1_000L);
            if (!pool.awaitTermination(config.shutdownGraceMs(), TimeUnit.MILLISECONDS)) {
                log.warn(
                        "{} connections still busy after {} ms; closing them",
                        connections.size(),
                        config.shutdownGraceMs());
                connections.forEach(Connection::abort);
                pool.shutdownNow();
                if (!pool.awaitTermination(5, TimeUnit.SECONDS)) {
                    log.error("connection threads did not stop");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            connections.forEach(Connection::abort);
            pool.shutdownNow();
        } finally {
            reaper.shutdownNow();
            if (schedule != null) {
                schedule.snapshotAtClose();
            }
            if (node != null) {
                node.close(); // applies nothing more: the journal below takes no more records
            }
            feed.close();
            try {
                journal.close();
            } catch (IOException e) {
                log.error("closing the journal", e);
            }
            if (events != journal) {
                try {
                    events.close();
                } catch (IOException e) {
                    log.error("closing the security events' journal", e);
                }
            }
            if (http != null) {
                http.close();
            }
            log.info("stopped");
            stopped.countDown();
        }
    }
}
