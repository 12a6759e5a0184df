package com.abcbank.server;

import com.abcbank.journal.Durability;
import com.abcbank.ledger.LedgerConfig;
import com.abcbank.ledger.Money;
import com.abcbank.protocol.Wire;
import com.abcbank.server.cluster.ClusterConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The {@code bank-server} command: parses the options into a {@link ServerConfig}, starts a {@link BankServer},
 * installs the shutdown hook (SIGTERM, Ctrl-C) and waits until it has stopped. The jar's main class.
 *
 * <p>Exit codes: 0 after a clean shutdown, 1 when the server cannot start (the reason on standard error), 2 for a
 * usage error (picocli's).
 */
public final class ServerMain {
    private ServerMain() {}

    public static void main(String[] args) {
        System.exit(new CommandLine(new Cli()).execute(args));
    }

    /** The build's version, from {@code version.properties}. */
    static String version() {
        try (InputStream in = ServerMain.class.getResourceAsStream("version.properties")) {
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The command line: {@code bank-server [--port 5050] [--bind 127.0.0.1] [--data DIR] ...}. */
    @Command(
            name = "bank-server",
            mixinStandardHelpOptions = true,
            versionProvider = Cli.Version.class,
            description = "Runs the ABC Bank server: line-delimited JSON over TCP (see docs/protocol.md).",
            footer = {
                "",
                "On first start with an empty data directory the server creates the user Audit, prints its "
                        + "password once on standard output and writes it to DATA/audit-password (mode 600).",
                "",
                "Logs go to standard error; set BANK_LOG_LEVEL=DEBUG for one line per request."
            })
    static final class Cli implements Callable<Integer> {
        /** The command line being run: usage errors go to its error stream (a fresh {@code CommandLine} has another). */
        @Spec
        CommandSpec spec;

        @Option(
                names = "--port",
                defaultValue = "" + Wire.DEFAULT_PORT,
                description = "TCP port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
        int port;

        @Option(
                names = "--bind",
                defaultValue = "127.0.0.1",
                description = "Address to listen on (default: ${DEFAULT-VALUE}).")
        String bind;

        @Option(names = "--data", defaultValue = "data", description = "Data directory (default: ${DEFAULT-VALUE}).")
        Path dataDir;

        @Option(names = "--port-file", description = "Write the port to this file once listening (for scripts).")
        Path portFile;

        @Option(
                names = "--http-port",
                paramLabel = "PORT",
                description = "Also serve HTTP on this port, on the --bind address: GET /health (200 once the bank is"
                        + " open, 503 while recovering or stopping) and GET /metrics (Prometheus text format); 0 picks"
                        + " a free one. HTTPS only (TLS 1.3) when --tls-keystore is given. Off unless given.")
        Integer httpPort;

        @Option(
                names = "--http-host",
                paramLabel = "NAME",
                description = "A host name the HTTP side answers to, besides IP addresses and localhost (repeat for"
                        + " more): a request for any other name is refused (421), against DNS rebinding.")
        List<String> httpHosts = new ArrayList<>();

        @Option(
                names = "--http-port-file",
                description = "Write the HTTP port to this file once listening (for scripts; needs --http-port).")
        Path httpPortFile;

        @Option(
                names = "--max-connections",
                defaultValue = "256",
                description = "Connections served at once (default: ${DEFAULT-VALUE}).")
        int maxConnections;

        @Option(
                names = "--max-line-bytes",
                defaultValue = "65536",
                description = "Longest request line (default: ${DEFAULT-VALUE}).")
        int maxLineBytes;

        @Option(
                names = "--idle-timeout-ms",
                defaultValue = "300000",
                description = "Close a connection idle this long (default: ${DEFAULT-VALUE}).")
        int idleTimeoutMs;

        @Option(
                names = "--shutdown-grace-ms",
                defaultValue = "10000",
                description = "Wait this long for requests in flight on shutdown (default: ${DEFAULT-VALUE}).")
        int shutdownGraceMs;

        @Option(
                names = "--loan-limit",
                defaultValue = "50,000.00",
                description = "Most a customer may owe on loans (default: ${DEFAULT-VALUE}).")
        String loanLimit;

        @Option(
                names = "--pbkdf2-iterations",
                defaultValue = "4096",
                description = "The fewest PBKDF2 iterations a SCRAM-SHA-256 verifier may have (register, passwd;"
                        + " the client stretches, not the server; default: ${DEFAULT-VALUE}, RFC 7677's floor).")
        int pbkdf2Iterations;

        @Option(
                names = "--durability",
                defaultValue = "fsync",
                converter = DurabilityConverter.class,
                description = "fsync: reply once the journal is forced to disk (default); batch: reply once written,"
                        + " force at least every --batch-ms (a machine crash loses at most that window);"
                        + " none: keep nothing (the bank is lost when the server stops).")
        Durability durability;

        @Option(
                names = "--batch-ms",
                defaultValue = "10",
                description =
                        "With --durability batch: the longest the journal goes unforced (default: ${DEFAULT-VALUE}).")
        int batchWindowMs;

        @Option(
                names = "--snapshot-every",
                defaultValue = "100000",
                description =
                        "Take a snapshot after this many transactions (and at shutdown), so a start replays only the journal after it (default: ${DEFAULT-VALUE}).")
        long snapshotEvery;

        @Option(
                names = "--auth-timeout-ms",
                defaultValue = "" + ServerConfig.Limits.DEFAULT_AUTH_TIMEOUT_MS,
                description =
                        "Close a connection that has not logged in this long after it opened (a TLS handshake included), however it trickles bytes (default: ${DEFAULT-VALUE}).")
        int authTimeoutMs;

        @Option(
                names = "--line-timeout-ms",
                defaultValue = "" + ServerConfig.Limits.DEFAULT_LINE_TIMEOUT_MS,
                description =
                        "Close a connection whose request line is not whole this long after its first byte (default: ${DEFAULT-VALUE}).")
        int lineTimeoutMs;

        @Option(
                names = "--max-connections-per-address",
                defaultValue = "" + ServerConfig.Limits.DEFAULT_MAX_PER_ADDRESS,
                description = "Connections served at once from one client address (default: ${DEFAULT-VALUE}).")
        int maxPerAddress;

        @Option(
                names = "--auditor-reserved",
                defaultValue = "" + ServerConfig.Limits.DEFAULT_AUDITOR_RESERVED,
                description =
                        "Connections kept for the auditor beyond --max-connections; one of them must log in as the auditor (default: ${DEFAULT-VALUE}).")
        int auditorReserved;

        @Option(
                names = "--auditor-from",
                split = ",",
                defaultValue = ServerConfig.Limits.DEFAULT_AUDITOR_FROM,
                description = "Addresses the auditor logs in from: failed logins for it from elsewhere never block it"
                        + " there (default: ${DEFAULT-VALUE}).")
        List<InetAddress> auditorFrom;

        @Option(
                names = "--tls-keystore",
                paramLabel = "FILE.p12",
                description =
                        "Serve TLS 1.3 only, with the key and certificate in this PKCS12 keystore (needs --tls-password-file; scripts/make-tls-cert.sh makes one). Without it the server speaks plaintext.")
        Path tlsKeystore;

        @Option(
                names = "--tls-password-file",
                paramLabel = "FILE",
                description = "The first line of FILE is the --tls-keystore password (keep it mode 600).")
        Path tlsPasswordFile;

        @Option(
                names = "--node-id",
                paramLabel = "ID",
                description = "Run as this node of a replicated bank (Apache Ratis; needs --peers): every node serves"
                        + " clients, writes go through the Raft log, reads are linearizable. Without it the server runs"
                        + " alone, as before. scripts/cluster.sh starts three nodes on one machine.")
        String nodeId;

        @Option(
                names = "--peers",
                paramLabel = "ID=HOST:PORT,...",
                description = "Every node of the cluster with its Raft address, this one included, the same list on"
                        + " every node: n1=127.0.0.1:9871,n2=127.0.0.1:9872,n3=127.0.0.1:9873.")
        String peers;

        @Option(
                names = "--raft-dir",
                paramLabel = "DIR",
                description = "Where a node keeps its Raft log and snapshots (default: DATA/raft).")
        Path raftDir;

        @Option(
                names = "--election-timeout-ms",
                paramLabel = "MIN-MAX",
                defaultValue = ClusterConfig.DEFAULT_ELECTION_MIN_MS + "-" + ClusterConfig.DEFAULT_ELECTION_MAX_MS,
                description = "A follower stands for election after a random time in this range without hearing from"
                        + " the leader (default: ${DEFAULT-VALUE}; Ratis's own 150-300 is too eager for three JVMs on"
                        + " a busy machine).")
        String electionTimeoutMs;

        @Option(
                names = "--raft-snapshot-every",
                paramLabel = "ENTRIES",
                defaultValue = "" + ClusterConfig.DEFAULT_SNAPSHOT_EVERY,
                description = "A node snapshots after this many log entries, and the log before it may be purged"
                        + " (default: ${DEFAULT-VALUE}).")
        long raftSnapshotEvery;

        @Option(
                names = "--repair-journal",
                description =
                        "If the journal is damaged (not just a torn last record), cut it at the damage and start, losing every record from there on. Without it the server refuses to start on a damaged journal.")
        boolean repairJournal;

        @Override
        public Integer call() throws Exception {
            long loanLimitCents;
            try {
                loanLimitCents = Money.parseCents(loanLimit);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--loan-limit: " + e.getMessage());
            }
            if ((tlsKeystore == null) != (tlsPasswordFile == null)) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(), "--tls-keystore and --tls-password-file go together");
            }
            if (httpPortFile != null && httpPort == null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--http-port-file needs --http-port");
            }
            ServerConfig.Http http;
            try {
                http = httpPort == null ? ServerConfig.Http.OFF : new ServerConfig.Http(httpPort, httpHosts);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--http-port: " + e.getMessage());
            }
            ServerConfig config = new ServerConfig(
                    InetAddress.getByName(bind),
                    port,
                    dataDir,
                    maxConnections,
                    maxLineBytes,
                    idleTimeoutMs,
                    shutdownGraceMs,
                    pbkdf2Iterations,
                    LedgerConfig.defaults().withLoanLimitCents(loanLimitCents),
                    durability,
                    batchWindowMs,
                    repairJournal,
                    snapshotEvery,
                    new ServerConfig.Limits(
                            authTimeoutMs, lineTimeoutMs, maxPerAddress, auditorReserved, Set.copyOf(auditorFrom)),
                    new ServerConfig.Tls(tlsKeystore, tlsPasswordFile),
                    http);
            ClusterConfig cluster = cluster(config);
            BankServer server;
            try {
                server = BankServer.start(config, cluster, java.time.Clock.systemUTC(), System.out);
            } catch (BindException e) {
                System.err.println("bank-server: cannot listen on " + bind + ":" + port + ": " + e.getMessage()
                        + " (is another server running? choose another --port)");
                return 1;
            } catch (IOException e) {
                System.err.println("bank-server: cannot start: " + e.getMessage());
                return 1;
            }
            Runtime.getRuntime().addShutdownHook(new Thread(server::close, "bank-shutdown"));
            if (portFile != null) {
                writePort(portFile, server.port());
            }
            if (httpPortFile != null) {
                writePort(httpPortFile, server.httpPort());
            }
            server.awaitStopped();
            return 0;
        }

        /** The cluster options as a {@link ClusterConfig}, or {@code null} when the server runs alone. */
        private ClusterConfig cluster(ServerConfig config) {
            if (nodeId == null && peers == null && raftDir == null) {
                return null;
            }
            if (nodeId == null || peers == null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--node-id and --peers go together");
            }
            try {
                String[] range = electionTimeoutMs.split("-", 2);
                if (range.length != 2) {
                    throw new IllegalArgumentException("--election-timeout-ms is MIN-MAX in ms, like 1000-2000");
                }
                ClusterConfig cluster = ClusterConfig.of(
                                nodeId,
                                ClusterConfig.parsePeers(peers),
                                raftDir != null ? raftDir : config.dataDir().resolve("raft"))
                        .withElection(Integer.parseInt(range[0].strip()), Integer.parseInt(range[1].strip()))
                        .withSnapshotEvery(raftSnapshotEvery);
                return cluster;
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
        }

        /** Writes {@code port} to {@code file} atomically: a script polling for it never reads half a number. */
        private static void writePort(Path file, int port) throws IOException {
            Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(temporary, port + "\n");
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }

        static final class DurabilityConverter implements CommandLine.ITypeConverter<Durability> {
            @Override
            public Durability convert(String value) {
                try {
                    return Durability.valueOf(value.toUpperCase(Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    throw new CommandLine.TypeConversionException(
                            "durability is fsync, batch or none, not '" + value + "'");
                }
            }
        }

        static final class Version implements CommandLine.IVersionProvider {
            @Override
            public String[] getVersion() {
                return new String[] {"bank-server " + version()};
            }
        }
    }
}
