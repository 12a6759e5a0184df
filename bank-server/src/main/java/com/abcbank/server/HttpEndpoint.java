package com.abcbank.server;

import com.abcbank.journal.DurableLog;
import com.abcbank.ledger.Ledger;
import com.abcbank.protocol.Json;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.io.IOException;
import java.util.Locale;
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
 * <p><b>Threads.</b> Jetty's own pool, bounded ({@link #MAX_THREADS}), named {@code bank-http-*}; no request here
 * takes a ledger lock: {@code /health} reads two volatile counters, {@code /metrics} reads the meters.
 */
final class HttpEndpoint implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HttpEndpoint.class);
    /**
     * Jetty's acceptor and selector threads come out of this pool (at most 4 + 4, by the number of cores), so it
     * needs some beyond them; probes and scrapes are rare and quick.
     */
    static final int MAX_THREADS = 16;

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

    private HttpEndpoint(Javalin app, BankMetrics metrics) {
        this.app = app;
        this.metrics = metrics;
    }

    /** Binds {@code config.http().port()} on {@code config.bind()} and serves; {@code /health} says recovering. */
    static HttpEndpoint start(ServerConfig config, BankMetrics metrics) throws IOException {
        QueuedThreadPool threads = new QueuedThreadPool(MAX_THREADS, 2, 30_000);
        threads.setName("bank-http");
        Javalin app = Javalin.create(javalin -> {
            javalin.showJavalinBanner = false;
            javalin.startupWatcherEnabled = false;
            javalin.jetty.threadPool = threads;
        });
        HttpEndpoint endpoint = new HttpEndpoint(app, metrics);
        app.get("/health", endpoint::health);
        app.get("/metrics", endpoint::metrics);
        try {
            app.start(config.bind().getHostAddress(), config.http().port());
        } catch (RuntimeException e) { // Javalin's bind failure is unchecked: say it as the TCP side does
            app.stop();
            throw new IOException(
                    "cannot listen for HTTP on " + config.bind().getHostAddress() + ":"
                            + config.http().port() + ": " + e.getMessage(),
                    e);
        }
        log.info("HTTP on {}:{} (/health, /metrics)", config.bind().getHostAddress(), app.port());
        return endpoint;
    }

    /** The port HTTP listens on (the chosen one when configured with 0). */
    int port() {
        return app.port();
    }

    State state() {
        return state;
    }

    /** The bank is open and serving: {@code /health} is 200 from now on. */
    void ready(Ledger openLedger, DurableLog openJournal) {
        this.ledger = openLedger;
        this.journal = openJournal;
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
        app.stop();
    }
}
