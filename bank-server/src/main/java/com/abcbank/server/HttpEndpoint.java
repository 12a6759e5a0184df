package com.abcbank.server;

import com.abcbank.journal.DurableLog;
import com.abcbank.ledger.Ledger;
import com.abcbank.protocol.Json;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.javalin.http.staticfiles.Location;
import java.io.IOException;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.OptionalSslConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's HTTP side ({@code --http-port}): {@code GET /health} and {@code GET /metrics}, with Javalin over an
 * embedded Jetty, on the TCP side's bind address. Everything else is 404.
 *
 * <p><b>Life.</b> {@link BankServer#start} starts it right after binding the TCP port and before opening the data
 * directory, so that a port in use fails before anything is touched and {@code /health} can say {@code recovering}
 * (503) while the journal is replayed; {@link #ready} makes it 200 once the accept loop runs; {@link #stopping}
 * makes it 503 again when shutdown begins; {@link #close} stops Jetty and its threads, last, after the journal is
 * closed (so a probe sees {@code stopping} for the whole grace period, not a refused connection).
 *
 * <p><b>HTTPS.</b> With TLS on ({@link ServerConfig.Tls}) the port speaks HTTPS only, TLS 1.3 only, with the
 * {@link SSLContext} that {@link TlsAcceptor} made from the keystore (read once; the password is already wiped):
 * Jetty's own {@link SslConnectionFactory} in front of its HTTP/1.1 one, on the one connector. A plaintext request
 * there is told {@code 400 Bad Request} ("HTTP request to HTTPS port", Jetty's {@link OptionalSslConnectionFactory}
 * with no protocol to fall back to) and closed; it is never served.
 *
 * <p><b>Threads.</b> Jetty's own pool, bounded ({@link #MAX_THREADS}), named {@code bank-http-*}; no request here
 * takes a ledger lock: {@code /health} reads two volatile counters, {@code /metrics} reads the meters.
 */
final class HttpEndpoint implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HttpEndpoint.class);
    /**
     * Jetty's acceptor and selector threads come out of this pool (at most 4 + 4, by the number of cores), so it
     * needs some beyond them. Threads are made as needed: most of the time a handful exist. Enough that a few clients
     * sending slow requests (each holding one for at most {@link #BLOCKING_TIMEOUT_MS}) leave room for the rest.
     */
    static final int MAX_THREADS = 64;
    /**
     * The longest a request's blocking read or a response's blocking write may wait (a body that stops arriving, a
     * browser that stops reading): the thread is then released, not held for Jetty's default 30 s.
     */
    static final long BLOCKING_TIMEOUT_MS = 10_000;
    /** The slowest a request body may arrive (a body trickled a byte at a time is cut off, 408). */
    static final long MIN_REQUEST_BYTES_PER_SECOND = 1_024;

    /** uPlot sets element styles from script, hence {@code style-src 'unsafe-inline'}; scripts are files only. */
    static final String CONTENT_SECURITY_POLICY =
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline';"
                    + " img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    /** What {@code /health} says; only {@link #READY} is 200. */
    enum State {
        RECOVERING,
        READY,
        STOPPING;

        String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The body of {@code /health}: {@code {"status":"ready","last_seq":..,"durable_seq":..}}. */
    record Health(String status, long lastSeq, long durableSeq) {}

    private final Javalin app;
    private final BankMetrics metrics;
    private volatile State state = State.RECOVERING;
    /** Set once the bank is open; null while recovering. */
    private volatile Ledger ledger;

    private volatile DurableLog journal;
    /** The console's API, once the bank is open; null before. */
    private volatile Console console;

    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "bank-console-sampler");
        thread.setDaemon(true);
        return thread;
    });

    private HttpEndpoint(Javalin app, BankMetrics metrics) {
        this.app = app;
        this.metrics = metrics;
    }

    /**
     * Binds {@code config.http().port()} on {@code config.bind()} and serves, over HTTPS with {@code tls} (null: plain
     * HTTP); {@code /health} says recovering.
     */
    static HttpEndpoint start(ServerConfig config, BankMetrics metrics, TlsAcceptor tls) throws IOException {
        QueuedThreadPool threads = new QueuedThreadPool(MAX_THREADS, 2, 30_000);
        threads.setName("bank-http");
        String host = config.bind().getHostAddress();
        int port = config.http().port();
        Javalin app = Javalin.create(javalin -> {
            javalin.showJavalinBanner = false;
            javalin.startupWatcherEnabled = false;
            javalin.jetty.threadPool = threads;
            javalin.http.maxRequestSize = config.maxLineBytes(); // an API request is a request line
            javalin.jetty.modifyHttpConfiguration(HttpEndpoint::slowClientLimits);
            // The console's pages, from the jar (no CDN, no build step), and its chart library from its WebJar.
            javalin.staticFiles.add(files -> {
                files.hostedPath = "/console";
                files.directory = "/console";
                files.location = Location.CLASSPATH;
            });
            javalin.staticFiles.enableWebjars();
            if (tls != null) {
                // Javalin makes its default plain connector only when none was added: this one is the only one.
                javalin.jetty.addConnector((server, http) -> httpsConnector(server, http, tls.context(), host, port));
            }
        });
        HttpEndpoint endpoint = new HttpEndpoint(app, metrics);
        app.before(HttpEndpoint::securityHeaders);
        app.get("/", ctx -> ctx.redirect("/console/"));
        app.get("/health", endpoint::health);
        app.get("/metrics", endpoint::metrics);
        Console.routes(app, () -> endpoint.console, () -> endpoint.state == State.STOPPING);
        try {
            app.start(host, port);
        } catch (RuntimeException e) { // Javalin's bind failure is unchecked: say it as the TCP side does
            app.stop();
            throw new IOException(
                    "cannot listen for HTTP on " + config.bind().getHostAddress() + ":"
                            + config.http().port() + ": " + e.getMessage(),
                    e);
        }
        log.info("{} on {}:{} (/health, /metrics)", tls == null ? "HTTP" : "HTTPS", host, app.port());
        return endpoint;
    }

    /**
     * A connector that speaks HTTP/1.1 inside TLS 1.3 only, with {@code context}. The {@link SecureRequestCustomizer}
     * makes requests know they are secure (the {@code https} scheme); its SNI host check is off because clients reach the
     * bank by IP address, which carries no SNI, and the certificate is the client's to check.
     */
    private static ServerConnector httpsConnector(
            Server server, HttpConfiguration base, SSLContext context, String host, int port) {
        SslContextFactory.Server ssl = new SslContextFactory.Server();
        ssl.setSslContext(context);
        ssl.setIncludeProtocols(TlsAcceptor.PROTOCOL);
        HttpConfiguration secure = new HttpConfiguration(base);
        slowClientLimits(secure);
        SecureRequestCustomizer customizer = new SecureRequestCustomizer();
        customizer.setSniHostCheck(false);
        secure.addCustomizer(customizer);
        HttpConnectionFactory http11 = new HttpConnectionFactory(secure);
        SslConnectionFactory tls = new SslConnectionFactory(ssl, http11.getProtocol());
        // First on the connector: looks at the first bytes; a TLS record goes on to `tls`, anything else (no next
        // protocol given) is answered "400 Bad Request: HTTP request to HTTPS port" and closed: never served.
        OptionalSslConnectionFactory plaintextRefusal = new OptionalSslConnectionFactory(tls, null);
        ServerConnector connector = new ServerConnector(server, plaintextRefusal, tls, http11);
        connector.setHost(host);
        connector.setPort(port);
        return connector;
    }

    /**
     * What every answer says about itself: the page may load only its own scripts, styles and data (no inline script,
     * no other site, never framed), types are not sniffed, and no address leaks to another site.
     */
    private static void securityHeaders(Context ctx) {
        ctx.header("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Referrer-Policy", "no-referrer");
        ctx.header("X-Frame-Options", "DENY");
    }

    /**
     * Bounds what a slow client holds: a pool thread blocked reading a body or writing a response is released after
     * {@link #BLOCKING_TIMEOUT_MS}, and a body slower than {@link #MIN_REQUEST_BYTES_PER_SECOND} is refused, so a few
     * sockets that send half a request cannot take the pool (and {@code /health} with it).
     */
    private static void slowClientLimits(HttpConfiguration http) {
        http.setIdleTimeout(BLOCKING_TIMEOUT_MS);
        http.setMinRequestDataRate(MIN_REQUEST_BYTES_PER_SECOND);
    }

    /** The port HTTP listens on (the chosen one when configured with 0). */
    int port() {
        return app.port();
    }

    State state() {
        return state;
    }

    /**
     * The bank is open and serving: {@code /health} is 200 from now on, and the console's API answers; its charts get a
     * point a second, and expired sign-ins and sessions are dropped as often.
     */
    void ready(Ledger openLedger, DurableLog openJournal, Console openConsole) {
        this.ledger = openLedger;
        this.journal = openJournal;
        this.console = openConsole;
        Periodic.every(sampler, 1, TimeUnit.SECONDS, "console figures", () -> {
            openConsole.stats().sample(Instant.now().getEpochSecond());
            openConsole.sessions().sweep();
        });
        state = State.READY;
    }

    /** Shutdown began: {@code /health} is 503 from now on. */
    void stopping() {
        state = State.STOPPING;
    }

    private void health(Context ctx) {
        State now = state;
        Ledger l = ledger;
        DurableLog j = journal;
        boolean ready = now == State.READY && j.failure() == null;
        // A failed journal refuses every request until a restart: not ready, though up.
        String status = now == State.READY && !ready ? "storage_failed" : now.wire();
        Health body = new Health(status, l == null ? 0 : l.lastSeq(), j == null ? 0 : j.durableSeq());
        ctx.status(ready ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE)
                .contentType("application/json")
                .result(Json.tree(body).toString());
    }

    private void metrics(Context ctx) {
        ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape());
    }

    /** Stops Jetty: the port is released and its threads end. Idempotent. */
    @Override
    public void close() {
        state = State.STOPPING;
        sampler.shutdownNow();
        app.stop();
    }
}
