package com.abcbank.server;

import com.abcbank.journal.Durability;
import com.abcbank.journal.Journal;
import com.abcbank.journal.JournalArchive;
import com.abcbank.journal.JournalCorruptedException;
import com.abcbank.journal.SnapshotStore;
import com.abcbank.ledger.Ledger;
import com.abcbank.ledger.LedgerState;
import com.abcbank.ledger.LedgerConfig;
import com.abcbank.ledger.Money;
import com.abcbank.server.auth.Users;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The bank's TCP server: an accept loop handing each connection to a thread of a bounded pool.
 *
 * <p>Limits: at most {@code maxConnections} connections at once (a semaphore; the next one is told
 * {@code SERVER_BUSY} and closed); lines of at most {@code maxLineBytes}; a connection idle, or stuck writing
 * to a client that does not read, for {@code idleTimeoutMs} is closed (a reaper checks every second).
 *
 * <p>Shutdown ({@link #close()}, run by the JVM's shutdown hook on SIGTERM or Ctrl-C): stop accepting, stop
 * reading (a blocked read sees end of stream; a request being handled finishes and its reply is written),
 * wait up to {@code shutdownGraceMs} for connection threads, then close whatever is left.
 */
public final class BankServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BankServer.class);
    /** How long idempotency keys are remembered: a retry later than this runs afresh. */
    static final Duration KEY_WINDOW = Duration.ofHours(24);

    private final ServerConfig config;
    private final ServerSocket serverSocket;
    private final Dispatcher dispatcher;
    private final Ledger ledger;
    private final Journal journal;
    private final SnapshotStore snapshots;
    /** The sequence number of the newest snapshot (or of the start); touched by the reaper and close() only. */
    private volatile long lastSnapshotSeq;
    private final ThreadPoolExecutor pool;
    private final Semaphore permits;
    private final ScheduledExecutorService reaper;
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final AtomicLong nextConnectionId = new AtomicLong(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Thread acceptor;
    private volatile boolean stopping;

    private BankServer(ServerConfig config, ServerSocket serverSocket, Dispatcher dispatcher, Ledger ledger,
                       Journal journal, SnapshotStore snapshots) {
        this.config = config;
        this.snapshots = snapshots;
        this.lastSnapshotSeq = ledger.lastSeq();
        this.serverSocket = serverSocket;
        this.dispatcher = dispatcher;
        this.ledger = ledger;
        this.journal = journal;
        this.permits = new Semaphore(config.maxConnections());
        // The semaphore bounds connections; the pool has twice as many threads so that a connection accepted
        // just after another released its permit, while that thread is not yet back in the pool, still gets one.
        this.pool = new ThreadPoolExecutor(0, 2 * config.maxConnections(), 30, TimeUnit.SECONDS,
                new SynchronousQueue<>(), runnable -> new Thread(runnable, "bank-conn"));
        this.reaper = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "bank-reaper");
            thread.setDaemon(true);
            return thread;
        });
        this.acceptor = new Thread(this::acceptLoop, "bank-accept");
    }

    /** Opens the data directory, binds, and starts serving. {@code announce} receives the auditor's first password. */
    public static BankServer start(ServerConfig config, PrintStream announce) throws IOException {
        // Bind first: a port in use must fail before the data directory is touched or a password printed.
        ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true);
        try {
            socket.bind(new InetSocketAddress(config.bind(), config.port()), 128);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
        Users users;
        try {
            users = Users.open(config.dataDir(), config.pbkdf2Iterations(), Clock.systemUTC(), announce);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
        Journal journal = new Journal(config.journalDir(), config.durability(), config.batchWindowMs(),
                Journal.DEFAULT_SEGMENT_BYTES);
        Ledger ledger = new Ledger(config.ledger(), Clock.systemUTC(), journal);
        SnapshotStore snapshots = new SnapshotStore(config.snapshotDir());
        try {
            LedgerState state = config.durability() == Durability.NONE ? null : snapshots.loadLatest();
            if (state == null) {
                journal.recover(config.repairJournal(), ledger::replay);
            } else {
                long started = System.nanoTime();
                ledger.restore(state, new JournalArchive(config.journalDir(), state.lastSeq()));
                log.info("snapshot: {} accounts as of tx {} loaded in {} ms", state.accounts().size(), state.lastSeq(),
                        (System.nanoTime() - started) / 1_000_000);
                journal.recover(state.lastSeq(), config.repairJournal(), ledger::replay);
            }
        } catch (IOException | JournalCorruptedException | RuntimeException e) {
            socket.close();
            journal.close();
            throw e instanceof JournalCorruptedException corrupted ? new IOException(corrupted.getMessage(), corrupted)
                    : e instanceof IOException io ? io : new IOException("cannot recover the journal: " + e.getMessage(), e);
        }
        BankServer server = new BankServer(config, socket, new Dispatcher(ledger, users, journal), ledger, journal,
                snapshots);
        server.acceptor.start();
        long limitNanos = TimeUnit.MILLISECONDS.toNanos(config.idleTimeoutMs());
        server.reaper.scheduleWithFixedDelay(() -> server.reapStuckWriters(limitNanos), 1, 1, TimeUnit.SECONDS);
        server.reaper.scheduleWithFixedDelay(
                () -> ledger.forgetKeysBefore(Instant.now().minus(KEY_WINDOW)), 1, 1, TimeUnit.MINUTES);
        if (config.durability() != Durability.NONE) {
            server.reaper.scheduleWithFixedDelay(server::snapshotIfDue, 1, 1, TimeUnit.SECONDS);
        }
        log.info("ABC Bank {} listening on {}:{} (data {}, at most {} connections, lines up to {} bytes, idle timeout {} ms)",
                version(), config.bind().getHostAddress(), server.port(), config.dataDir().toAbsolutePath(),
                config.maxConnections(), config.maxLineBytes(), config.idleTimeoutMs());
        if (config.durability() == Durability.NONE) {
            log.warn("*** DURABILITY NONE: nothing is written; every account and transaction is lost when the"
                    + " server stops. For trying things out only. ***");
        } else {
            log.info("journal in {}, durability {}{}, {} transactions kept", config.journalDir(), config.durability(),
                    config.durability() == Durability.BATCH ? " (forced at least every " + config.batchWindowMs()
                            + " ms: a machine crash loses at most that window)" : "", ledger.lastSeq());
        }
        return server;
    }

    /** The port the server listens on (the chosen one when configured with 0). */
    public int port() {
        return serverSocket.getLocalPort();
    }

    /** Blocks until {@link #close()} has finished. */
    public void awaitStopped() throws InterruptedException {
        stopped.await();
    }

    boolean stopping() {
        return stopping;
    }

    /** The journal, for benchmarks that count its forces. */
    Journal journal() {
        return journal;
    }

    /** Connections being served now; tests wait for it to return to 0 to show that none leaked. */
    int activeConnections() {
        return connections.size();
    }

    void closed(Connection connection) {
        connections.remove(connection);
        permits.release();
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
            if (!permits.tryAcquire()) {
                refuse(socket, "the server is at its limit of " + config.maxConnections() + " connections; retry later");
                continue;
            }
            Connection connection = new Connection(nextConnectionId.getAndIncrement(), socket, dispatcher, config, this);
            connections.add(connection);
            try {
                pool.execute(connection);
            } catch (RejectedExecutionException e) {
                // A thread that just released its permit may not yet be back in the pool: treat it as busy.
                connections.remove(connection);
                permits.release();
                refuse(socket, stopping ? "the server is shutting down" : "the server is busy; retry later");
            }
        }
    }

    private void snapshotIfDue() {
        if (ledger.lastSeq() - lastSnapshotSeq >= config.snapshotEvery()) {
            snapshot();
        }
    }

    /**
     * Takes a snapshot: the state at one consistent point (money movement pauses while every account is copied),
     * then, once the journal keeps everything up to that point, the file. Never fails the server: a snapshot only
     * shortens the next start.
     */
    private synchronized void snapshot() {
        if (journal.failure() != null) {
            return;
        }
        try {
            long started = System.nanoTime();
            LedgerState state = ledger.exportState(Instant.now().minus(KEY_WINDOW));
            journal.awaitForced(state.lastSeq()); // on disk, even in batch mode, before a snapshot may cover it
            Path file = snapshots.write(state);
            lastSnapshotSeq = state.lastSeq();
            log.info("snapshot {} written: {} accounts as of tx {} in {} ms", file.getFileName(), state.accounts().size(),
                    state.lastSeq(), (System.nanoTime() - started) / 1_000_000);
        } catch (IOException | RuntimeException e) {
            log.error("snapshot failed; the journal alone still recovers everything", e);
        }
    }

    /** Tells a connection it cannot be served, in one reply line, and closes it. */
    private void refuse(Socket socket, String message) {
        String code = stopping ? "SHUTTING_DOWN" : "SERVER_BUSY";
        try (socket) {
            socket.setSoTimeout(1_000);
            socket.getOutputStream().write(("{\"id\":null,\"ok\":false,\"error\":{\"code\":\"" + code
                    + "\",\"message\":\"" + message + "\"}}\n").getBytes(StandardCharsets.UTF_8));
            log.warn("refused a connection from {}: {}", socket.getRemoteSocketAddress(), code);
        } catch (IOException e) {
            log.debug("refusing a connection: {}", e.toString());
        }
    }

    private void reapStuckWriters(long limitNanos) {
        long now = System.nanoTime();
        for (Connection connection : connections) {
            if (connection.stuckWriting(now, limitNanos)) {
                log.warn("connection {} has not read its replies for {} ms; closing it", connection.id(), config.idleTimeoutMs());
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
                log.warn("{} connections still busy after {} ms; closing them", connections.size(), config.shutdownGraceMs());
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
            if (config.durability() != Durability.NONE && ledger.lastSeq() > lastSnapshotSeq) {
                snapshot();
            }
            try {
                journal.close();
            } catch (IOException e) {
                log.error("closing the journal", e);
            }
            log.info("stopped");
            stopped.countDown();
        }
    }

    static String version() {
        try (InputStream in = BankServer.class.getResourceAsStream("version.properties")) {
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    /** The command line: {@code bank-server [--port 5050] [--bind 127.0.0.1] [--data DIR] ...}. */
    @Command(name = "bank-server", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = "Runs the ABC Bank server: line-delimited JSON over TCP (see docs/protocol.md).",
            footer = {"", "On first start with an empty data directory the server creates the user Audit, prints its "
                    + "password once on standard output and writes it to DATA/audit-password (mode 600).",
                    "", "Logs go to standard error; set BANK_LOG_LEVEL=DEBUG for one line per request."})
    static final class Main implements Callable<Integer> {
        @Option(names = "--port", defaultValue = "5050", description = "TCP port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
        int port;

        @Option(names = "--bind", defaultValue = "127.0.0.1", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
        String bind;

        @Option(names = "--data", defaultValue = "data", description = "Data directory (default: ${DEFAULT-VALUE}).")
        Path dataDir;

        @Option(names = "--port-file", description = "Write the port to this file once listening (for scripts).")
        Path portFile;

        @Option(names = "--max-connections", defaultValue = "256", description = "Connections served at once (default: ${DEFAULT-VALUE}).")
        int maxConnections;

        @Option(names = "--max-line-bytes", defaultValue = "65536", description = "Longest request line (default: ${DEFAULT-VALUE}).")
        int maxLineBytes;

        @Option(names = "--idle-timeout-ms", defaultValue = "300000", description = "Close a connection idle this long (default: ${DEFAULT-VALUE}).")
        int idleTimeoutMs;

        @Option(names = "--shutdown-grace-ms", defaultValue = "10000", description = "Wait this long for requests in flight on shutdown (default: ${DEFAULT-VALUE}).")
        int shutdownGraceMs;

        @Option(names = "--loan-limit", defaultValue = "50,000.00", description = "Most a customer may owe on loans (default: ${DEFAULT-VALUE}).")
        String loanLimit;

        @Option(names = "--pbkdf2-iterations", defaultValue = "600000", description = "PBKDF2 work factor for new passwords (default: ${DEFAULT-VALUE}).")
        int pbkdf2Iterations;

        @Option(names = "--durability", defaultValue = "fsync", converter = DurabilityConverter.class,
                description = "fsync: reply once the journal is forced to disk (default); batch: reply once written,"
                        + " force at least every --batch-ms (a machine crash loses at most that window);"
                        + " none: keep nothing (the bank is lost when the server stops).")
        Durability durability;

        @Option(names = "--batch-ms", defaultValue = "10", description = "With --durability batch: the longest the journal goes unforced (default: ${DEFAULT-VALUE}).")
        int batchWindowMs;

        @Option(names = "--snapshot-every", defaultValue = "100000", description = "Take a snapshot after this many transactions (and at shutdown), so a start replays only the journal after it (default: ${DEFAULT-VALUE}).")
        long snapshotEvery;

        @Option(names = "--repair-journal", description = "If the journal is damaged (not just a torn last record), cut it at the damage and start, losing every record from there on. Without it the server refuses to start on a damaged journal.")
        boolean repairJournal;

        @Override
        public Integer call() throws Exception {
            long loanLimitCents;
            try {
                loanLimitCents = Money.parseCents(loanLimit);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(new CommandLine(this), "--loan-limit: " + e.getMessage());
            }
            ServerConfig config = new ServerConfig(InetAddress.getByName(bind), port, dataDir, maxConnections,
                    maxLineBytes, idleTimeoutMs, shutdownGraceMs, pbkdf2Iterations,
                    LedgerConfig.defaults().withLoanLimitCents(loanLimitCents), durability, batchWindowMs, repairJournal,
                    snapshotEvery);
            BankServer server;
            try {
                server = BankServer.start(config, System.out);
            } catch (java.net.BindException e) {
                System.err.println("bank-server: cannot listen on " + bind + ":" + port + ": " + e.getMessage()
                        + " (is another server running? choose another --port)");
                return 1;
            } catch (IOException e) {
                System.err.println("bank-server: cannot start: " + e.getMessage());
                return 1;
            }
            Runtime.getRuntime().addShutdownHook(new Thread(server::close, "bank-shutdown"));
            if (portFile != null) {
                Path temporary = portFile.resolveSibling(portFile.getFileName() + ".tmp");
                Files.writeString(temporary, server.port() + "\n");
                Files.move(temporary, portFile, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            server.awaitStopped();
            return 0;
        }

        static final class DurabilityConverter implements CommandLine.ITypeConverter<Durability> {
            @Override
            public Durability convert(String value) {
                try {
                    return Durability.valueOf(value.toUpperCase(java.util.Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    throw new CommandLine.TypeConversionException("durability is fsync, batch or none, not '" + value + "'");
                }
            }
        }

        static final class Version implements CommandLine.IVersionProvider {
            @Override
            public String[] getVersion() {
                return new String[] {"bank-server " + BankServer.version()};
            }
        }
    }
}
