package com.abcbank.server;

import com.abcbank.journal.Durability;
import com.abcbank.ledger.LedgerConfig;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Everything a {@link BankServer} needs to start.
 *
 * @param bind               the address to listen on
 * @param port               the TCP port; 0 picks a free one (tests)
 * @param dataDir            where users (and the auditor's password) are kept
 * @param maxConnections     connections served at once; one more gets {@code SERVER_BUSY} and is closed
 * @param maxLineBytes       the longest request line accepted
 * @param idleTimeoutMs      a connection that sends nothing for this long is closed; also the longest a reply
 *                           may wait for a client that does not read
 * @param shutdownGraceMs    how long shutdown waits for requests in flight before closing connections anyway
 * @param pbkdf2Iterations   the fewest PBKDF2 iterations a SCRAM verifier may be made with (register, passwd);
 *                           at least RFC 7677's 4096
 * @param ledger             the ledger's settings (loan limit, vault shards)
 * @param durability         when a transaction counts as kept (see {@link Durability})
 * @param batchWindowMs      with {@link Durability#BATCH}: the longest the journal goes unforced
 * @param repairJournal      on damage, cut the journal there (losing what follows) instead of refusing to start
 * @param snapshotEvery      take a snapshot once this many transactions came after the last one (and at shutdown)
 * @param limits             what a client may hold against everyone else: deadlines and connections ({@link Limits})
 * @param tls                TLS on every connection, or plaintext ({@link Tls#OFF})
 * @param http               the HTTP side ({@code /health}, {@code /metrics}), or none ({@link Http#OFF})
 */
public record ServerConfig(
        InetAddress bind,
        int port,
        Path dataDir,
        int maxConnections,
        int maxLineBytes,
        int idleTimeoutMs,
        int shutdownGraceMs,
        int pbkdf2Iterations,
        LedgerConfig ledger,
        Durability durability,
        int batchWindowMs,
        boolean repairJournal,
        long snapshotEvery,
        Limits limits,
        Tls tls,
        Http http) {
    /**
     * What one client may hold against everyone else.
     *
     * @param authTimeoutMs   a connection not logged in this long after it opened is told so and closed (PostgreSQL's
     *                        {@code authentication_timeout}), however it trickles bytes
     * @param lineTimeoutMs   a request line must be whole this long after its first byte arrived, or the connection
     *                        is told so and closed (nginx's {@code client_header_timeout})
     * @param maxPerAddress   connections served at once from one client address; one more is told so and closed
     * @param auditorReserved connections kept for the auditor beyond {@code maxConnections} (PostgreSQL's
     *                        {@code superuser_reserved_connections}): a connection accepted into one of them must log
     *                        in as the auditor, and is closed at any other request
     * @param auditorFrom     where the auditor is expected to log in from: failed logins from elsewhere never block
     *                        it there (see {@code LoginThrottle})
     */
    public record Limits(
            int authTimeoutMs,
            int lineTimeoutMs,
            int maxPerAddress,
            int auditorReserved,
            Set<InetAddress> auditorFrom) {
        /**
         * A minute to log in (PostgreSQL's default); ten seconds to finish a line of a few hundred bytes; half the
         * default connection limit per address (one address cannot take the server, a local benchmark still fits);
         * PostgreSQL's three reserved connections.
         */
        public static final int DEFAULT_AUTH_TIMEOUT_MS = 60_000;

        public static final int DEFAULT_LINE_TIMEOUT_MS = 10_000;
        public static final int DEFAULT_MAX_PER_ADDRESS = 128;
        public static final int DEFAULT_AUDITOR_RESERVED = 3;
        /** The auditor works on the bank's own machine unless told otherwise. */
        public static final String DEFAULT_AUDITOR_FROM = "127.0.0.1,::1";
        /** The defaults above, which bank-server's options also show. */
        public static final Limits DEFAULTS = new Limits(
                DEFAULT_AUTH_TIMEOUT_MS,
                DEFAULT_LINE_TIMEOUT_MS,
                DEFAULT_MAX_PER_ADDRESS,
                DEFAULT_AUDITOR_RESERVED,
                addresses(DEFAULT_AUDITOR_FROM));

        public Limits {
            auditorFrom = Set.copyOf(auditorFrom);
            if (authTimeoutMs < 1 || lineTimeoutMs < 1 || maxPerAddress < 1 || auditorReserved < 0) {
                throw new IllegalArgumentException("deadlines and connections per address must be positive,"
                        + " reserved connections not negative");
            }
        }

        public Limits withDeadlines(int newAuthTimeoutMs, int newLineTimeoutMs) {
            return new Limits(newAuthTimeoutMs, newLineTimeoutMs, maxPerAddress, auditorReserved, auditorFrom);
        }

        public Limits withConnections(int newMaxPerAddress, int newAuditorReserved) {
            return new Limits(authTimeoutMs, lineTimeoutMs, newMaxPerAddress, newAuditorReserved, auditorFrom);
        }

        /** Literal addresses, comma-separated (no name lookup). */
        static Set<InetAddress> addresses(String literals) {
            Set<InetAddress> addresses = new HashSet<>();
            for (String literal : literals.split(",", -1)) {
                try {
                    addresses.add(InetAddress.getByName(literal.strip()));
                } catch (UnknownHostException e) {
                    throw new IllegalArgumentException("not an address: " + literal, e);
                }
            }
            return Set.copyOf(addresses);
        }

        public Limits withAuditorFrom(Set<InetAddress> newAuditorFrom) {
            return new Limits(authTimeoutMs, lineTimeoutMs, maxPerAddress, auditorReserved, newAuditorFrom);
        }
    }

    /**
     * TLS on every connection (TLS 1.3 only, the JDK's own provider), or none: a server speaks one or the other on
     * its port, never both. Paths only: the password is read from its file when the server starts (see
     * {@link TlsAcceptor}) and is never held here, so no {@code toString} or log line can show it.
     *
     * @param keystore     a PKCS12 file with the server's private key and certificate chain; null for plaintext
     * @param passwordFile a file whose first line is the keystore's password (and the key's); null for plaintext
     */
    public record Tls(Path keystore, Path passwordFile) {
        /** Plaintext, as before TLS: what a server started without {@code --tls-keystore} speaks. */
        public static final Tls OFF = new Tls(null, null);

        public Tls {
            if ((keystore == null) != (passwordFile == null)) {
                throw new IllegalArgumentException("a TLS keystore and its password file go together");
            }
        }

        /** Whether connections speak TLS. */
        public boolean enabled() {
            return keystore != null;
        }
    }

    /**
     * The HTTP side ({@link HttpEndpoint}): {@code /health} and {@code /metrics}, on the same {@link #bind} address as
     * the TCP port. Off unless a port is given.
     *
     * @param port the HTTP port; 0 picks a free one (tests); -1 for none
     */
    public record Http(int port, List<String> hosts) {
        /** No HTTP listener: what a server started without {@code --http-port} runs. */
        public static final Http OFF = new Http(-1);

        /**
         * @param hosts the host names the HTTP side answers to besides IP addresses and {@code localhost}
         *              ({@code --http-host}): a request naming any other host is refused, so a page on a name that a
         *              DNS rebinding points at this server cannot talk to it
         */
        public Http {
            if (port < -1 || port > 65_535) {
                throw new IllegalArgumentException("HTTP port must be 0..65535: " + port);
            }
            hosts = hosts.stream()
                    .map(h -> h.toLowerCase(java.util.Locale.ROOT))
                    .toList();
            for (String host : hosts) {
                if (!host.matches("[a-z0-9]([a-z0-9.-]*[a-z0-9])?")) {
                    throw new IllegalArgumentException("not a host name: " + host);
                }
            }
        }

        public Http(int port) {
            this(port, List.of());
        }

        /** Whether the server listens for HTTP. */
        public boolean enabled() {
            return port >= 0;
        }
    }

    public ServerConfig {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be 0..65535: " + port);
        }
        if (maxConnections < 1) {
            throw new IllegalArgumentException("max connections must be positive: " + maxConnections);
        }
        if (maxLineBytes < 256) {
            throw new IllegalArgumentException("max line bytes must be at least 256: " + maxLineBytes);
        }
        if (limits == null || tls == null || http == null) {
            throw new IllegalArgumentException(
                    "limits, TLS and HTTP settings are required (Limits.DEFAULTS, Tls.OFF, Http.OFF)");
        }
        if (idleTimeoutMs < 1
                || shutdownGraceMs < 0
                || pbkdf2Iterations < 4096
                || batchWindowMs < 1
                || snapshotEvery < 1) {
            throw new IllegalArgumentException(
                    "timeouts and windows must be positive, PBKDF2 iterations at least 4096 (RFC 7677)");
        }
    }

    /** With the default {@link Limits}, in plaintext, without HTTP: change them with the {@code with...} methods. */
    public ServerConfig(
            InetAddress bind,
            int port,
            Path dataDir,
            int maxConnections,
            int maxLineBytes,
            int idleTimeoutMs,
            int shutdownGraceMs,
            int pbkdf2Iterations,
            LedgerConfig ledger,
            Durability durability,
            int batchWindowMs,
            boolean repairJournal,
            long snapshotEvery) {
        this(
                bind,
                port,
                dataDir,
                maxConnections,
                maxLineBytes,
                idleTimeoutMs,
                shutdownGraceMs,
                pbkdf2Iterations,
                ledger,
                durability,
                batchWindowMs,
                repairJournal,
                snapshotEvery,
                Limits.DEFAULTS,
                Tls.OFF,
                Http.OFF);
    }

    /** This configuration with other {@link Limits}. */
    public ServerConfig withLimits(Limits newLimits) {
        return new ServerConfig(
                bind,
                port,
                dataDir,
                maxConnections,
                maxLineBytes,
                idleTimeoutMs,
                shutdownGraceMs,
                pbkdf2Iterations,
                ledger,
                durability,
                batchWindowMs,
                repairJournal,
                snapshotEvery,
                newLimits,
                tls,
                http);
    }

    /** This configuration with other {@link Tls} settings. */
    public ServerConfig withTls(Tls newTls) {
        return new ServerConfig(
                bind,
                port,
                dataDir,
                maxConnections,
                maxLineBytes,
                idleTimeoutMs,
                shutdownGraceMs,
                pbkdf2Iterations,
                ledger,
                durability,
                batchWindowMs,
                repairJournal,
                snapshotEvery,
                limits,
                newTls,
                http);
    }

    /** This configuration with other {@link Http} settings. */
    public ServerConfig withHttp(Http newHttp) {
        return new ServerConfig(
                bind,
                port,
                dataDir,
                maxConnections,
                maxLineBytes,
                idleTimeoutMs,
                shutdownGraceMs,
                pbkdf2Iterations,
                ledger,
                durability,
                batchWindowMs,
                repairJournal,
                snapshotEvery,
                limits,
                tls,
                newHttp);
    }

    /** The default durability: every acknowledged transaction forced to disk. */
    public ServerConfig(
            InetAddress bind,
            int port,
            Path dataDir,
            int maxConnections,
            int maxLineBytes,
            int idleTimeoutMs,
            int shutdownGraceMs,
            int pbkdf2Iterations,
            LedgerConfig ledger) {
        this(
                bind,
                port,
                dataDir,
                maxConnections,
                maxLineBytes,
                idleTimeoutMs,
                shutdownGraceMs,
                pbkdf2Iterations,
                ledger,
                Durability.FSYNC,
                10,
                false,
                DEFAULT_SNAPSHOT_EVERY);
    }

    public static final long DEFAULT_SNAPSHOT_EVERY = 100_000;

    /** Where snapshots are kept. */
    public Path snapshotDir() {
        return dataDir.resolve("snapshots");
    }

    /** The journal's directory. */
    public Path journalDir() {
        return dataDir.resolve("journal");
    }
}
