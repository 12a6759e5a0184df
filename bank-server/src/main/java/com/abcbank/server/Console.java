package com.abcbank.server;

import com.abcbank.lab.ContentionLab;
import com.abcbank.lab.DeadlockLab;
import com.abcbank.lab.RaceLab;
import com.abcbank.ledger.Caller;
import com.abcbank.ledger.ErrorCode;
import com.abcbank.ledger.Outcome;
import com.abcbank.protocol.Failure;
import com.abcbank.protocol.Json;
import com.abcbank.protocol.Request;
import com.abcbank.protocol.Result;
import com.abcbank.protocol.Wire;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.HttpStatus;
import io.javalin.http.SameSite;
import io.javalin.http.sse.SseClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web console's API (docs/protocol.md, "The console"): sign-in, the bank's operations, the live feed, the charts'
 * figures and the laboratory, under {@code /api}; the pages themselves are static files from the jar ({@link
 * HttpEndpoint}).
 *
 * <p><b>One mapping.</b> A console operation is a TCP request line without its id: it is read by the same parser
 * ({@link Json#parseRequest}), executed by the same {@link Dispatcher} (the same rules, the same wait for the journal
 * before answering), recorded in the same security trail and meters, and answered with the same reply object. Sign-in
 * is the TCP protocol's own SCRAM exchange ({@link LoginSession}), split over two requests ({@link ConsoleSessions}).
 *
 * <p><b>Who sees what.</b> The ledger decides, as for TCP: a customer asking for another's account or for an
 * auditor's op gets {@code FORBIDDEN}, here with status 403. The live feed shows a customer only their own requests.
 *
 * <p><b>Cross-site requests.</b> The session cookie is {@code SameSite=Strict} and HttpOnly, and every state-changing
 * request must also carry the session's CSRF token in {@code X-CSRF-Token} and a JSON body: a form or a script on
 * another site can send neither without a CORS preflight, which this server never grants. The two sign-in steps carry
 * no session; they are refused when their {@code Origin} names another site (no login CSRF).
 *
 * <p><b>Threads.</b> API requests run on Jetty's pool; each live feed has a thread of its own ({@code console-watch-N})
 * that reads the {@link ActivityFeed} and writes to its browser, so a stalled browser blocks only that thread, until
 * Jetty's idle timeout fails its write. The laboratory runs one experiment at a time.
 */
final class Console {
    private static final Logger log = LoggerFactory.getLogger(Console.class);
    static final String COOKIE = "bank_session";
    static final String CSRF_HEADER = "X-CSRF-Token";
    /** Sent on an open live feed when nothing else was: a dead connection is noticed by the failed write. */
    static final long KEEPALIVE_NANOS = TimeUnit.SECONDS.toNanos(15);

    private static final String SESSION = "bank.session";

    private final Dispatcher dispatcher;
    private final SecurityEvents securityEvents;
    private final BankMetrics metrics;
    private final ActivityFeed activity;
    private final ConsoleStats stats;
    private final ConsoleSessions sessions;
    private final boolean https;
    /** Host names answered besides IP addresses and localhost ({@code --http-host}). */
    private final List<String> hosts;
    /** Where the auditor is expected to sign in from ({@code --auditor-from}): only there its reserved places. */
    private final java.util.Set<InetAddress> auditorFrom;

    private final Semaphore oneLab = new Semaphore(1);
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong watchers = new AtomicLong();

    Console(
            Dispatcher dispatcher,
            SecurityEvents securityEvents,
            BankMetrics metrics,
            ActivityFeed activity,
            ConsoleStats stats,
            ConsoleSessions sessions,
            boolean https,
            List<String> hosts,
            java.util.Set<InetAddress> auditorFrom) {
        this.dispatcher = dispatcher;
        this.securityEvents = securityEvents;
        this.metrics = metrics;
        this.activity = activity;
        this.stats = stats;
        this.sessions = sessions;
        this.https = https;
        this.hosts = List.copyOf(hosts);
        this.auditorFrom = java.util.Set.copyOf(auditorFrom);
    }

    ConsoleSessions sessions() {
        return sessions;
    }

    ConsoleStats stats() {
        return stats;
    }

    /**
     * Adds the API's routes to {@code app}; {@code console} is null until the bank is open, and every API request is
     * answered {@code NOT_READY} (503) until then.
     */
    static void routes(Javalin app, Supplier<Console> console, BooleanSupplier stopping) {
        app.before("/api/*", ctx -> {
            ctx.header("Cache-Control", "no-store");
            Console c = console.get();
            if (c == null) {
                refuse(ctx, ErrorCode.NOT_READY, "the bank is still opening its books; try again in a moment");
                return;
            }
            if (stopping.getAsBoolean()) {
                refuse(ctx, ErrorCode.SHUTTING_DOWN, "the server is shutting down");
                return;
            }
            c.guard(ctx);
        });
        app.post("/api/login", ctx -> console.get().loginFirst(ctx));
        app.post("/api/login/final", ctx -> console.get().loginFinal(ctx));
        app.get("/api/session", ctx -> console.get().session(ctx));
        app.post("/api/logout", ctx -> console.get().logout(ctx));
        app.post("/api/op", ctx -> console.get().op(ctx));
        app.get("/api/stats", ctx -> console.get().statsNow(ctx));
        app.post("/api/lab/race", ctx -> console.get().race(ctx));
        app.post("/api/lab/deadlock", ctx -> console.get().deadlock(ctx));
        app.post("/api/lab/contention", ctx -> console.get().contention(ctx));
        app.sse("/api/events", client -> console.get().watch(client));
    }

    // ---- the guard: session, CSRF, origin -------------------------------------------------------------------------

    /** Runs before every API request: finds the session, and refuses what may not go on. */
    private void guard(Context ctx) {
        if (!hostAllowed(ctx.host())) {
            fail(ctx, ErrorCode.FORBIDDEN, "this server does not answer to that host name (see --http-host)");
            ctx.status(HttpStatus.MISDIRECTED_REQUEST).skipRemainingHandlers();
            return;
        }
        String path = ctx.path();
        boolean signIn = path.equals("/api/login") || path.equals("/api/login/final");
        boolean post = ctx.method().name().equals("POST");
        if (post && !sameOrigin(ctx)) {
            refuse(ctx, ErrorCode.FORBIDDEN, "a request from another site (Origin " + ctx.header("Origin") + ")");
            return;
        }
        if (post && !isJson(ctx)) {
            refuse(ctx, ErrorCode.MALFORMED_REQUEST, "send the request as Content-Type: application/json");
            return;
        }
        if (post && ctx.req().getContentLengthLong() < 0) {
            // Jetty enforces the size limit against Content-Length only: a chunked body could be any size.
            fail(ctx, ErrorCode.MALFORMED_REQUEST, "send the body with a Content-Length, not chunked");
            ctx.status(HttpStatus.LENGTH_REQUIRED).skipRemainingHandlers();
            return;
        }
        if (signIn) {
            return;
        }
        ConsoleSessions.Session session = sessions.find(ctx.cookie(COOKIE));
        if (session == null) {
            if (!path.equals("/api/session")) {
                refuse(ctx, ErrorCode.UNAUTHENTICATED, "sign in first");
            }
            return;
        }
        if (post && !session.csrfMatches(ctx.header(CSRF_HEADER))) {
            refuse(ctx, ErrorCode.FORBIDDEN, "CSRF token missing or wrong: send the session's token in " + CSRF_HEADER);
            return;
        }
        ctx.attribute(SESSION, session);
    }

    /**
     * Whether {@code hostHeader} ({@code name[:port]}) names this server: an IP address, {@code localhost}, or a name
     * given with {@code --http-host}. Against DNS rebinding: a page whose name was pointed at this address runs in the
     * victim's browser with its own name in the Host header, and is refused here before sign-in.
     */
    boolean hostAllowed(String hostHeader) {
        if (hostHeader == null) {
            return false;
        }
        String host = hostHeader.toLowerCase(java.util.Locale.ROOT);
        if (host.startsWith("[")) {
            return host.indexOf(']') > 0; // an IPv6 literal
        }
        int colon = host.lastIndexOf(':');
        String name = colon >= 0 ? host.substring(0, colon) : host;
        return name.equals("localhost") || IPV4.matcher(name).matches() || hosts.contains(name);
    }

    private static final java.util.regex.Pattern IPV4 =
            java.util.regex.Pattern.compile("\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");

    private static boolean sameOrigin(Context ctx) {
        String origin = ctx.header("Origin");
        return origin == null || origin.equalsIgnoreCase(ctx.scheme() + "://" + ctx.host());
    }

    private static boolean isJson(Context ctx) {
        String type = ctx.contentType();
        return type != null && type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json");
    }

    private static void refuse(Context ctx, ErrorCode code, String message) {
        fail(ctx, code, message);
        ctx.skipRemainingHandlers();
    }

    private static ConsoleSessions.Session session(Context ctx, boolean required) {
        ConsoleSessions.Session session = ctx.attribute(SESSION);
        if (session == null && required) {
            throw new IllegalStateException("no session past the guard on " + ctx.path());
        }
        return session;
    }

    // ---- sign-in ---------------------------------------------------------------------------------------------------

    private void loginFirst(Context ctx) {
        JsonNode body = body(ctx);
        String clientFirst = text(body, "client_first");
        if (clientFirst == null) {
            fail(ctx, ErrorCode.MALFORMED_REQUEST, "send {\"client_first\":...}, SCRAM-SHA-256's first message");
            return;
        }
        InetAddress from = address(ctx);
        LoginSession login = new LoginSession(dispatcher.users(), from, false); // never parks a pool thread
        long started = System.nanoTime();
        Request.Login request = new Request.Login(clientFirst);
        Outcome<?> outcome = login.answer(request);
        metrics.answered(request, outcome, System.nanoTime() - started);
        if (!outcome.isOk()) {
            login.close();
            fail(ctx, outcome.error(), outcome.message());
            return;
        }
        boolean reserved = Wire.AUDITOR.equalsIgnoreCase(login.pendingUser()) && auditorFrom.contains(from);
        String id = sessions.hold(login, login.pendingUser(), from, reserved);
        if (id == null) {
            login.close();
            fail(ctx, ErrorCode.SERVER_BUSY, "too many sign-ins in progress; retry in a moment");
            return;
        }
        ObjectNode result = Json.object();
        result.put("login", id);
        result.put("server_first", ((Result.Challenge) outcome.value()).serverFirst());
        json(ctx, HttpStatus.OK, result);
    }

    private void loginFinal(Context ctx) {
        JsonNode body = body(ctx);
        String clientFinal = text(body, "client_final");
        ConsoleSessions.Taken taken = sessions.take(text(body, "login"));
        LoginSession login = taken == null ? null : taken.login();
        if (clientFinal == null || login == null) {
            if (login != null) {
                login.close();
            }
            fail(
                    ctx,
                    ErrorCode.MALFORMED_REQUEST,
                    "no sign-in in progress under that id (they last 30 s): start again");
            return;
        }
        long started = System.nanoTime();
        Request.LoginFinal request = new Request.LoginFinal(clientFinal);
        Outcome<?> outcome = login.answer(request);
        metrics.answered(request, outcome, System.nanoTime() - started);
        if (!outcome.isOk()) {
            fail(ctx, outcome.error(), outcome.message());
            return;
        }
        Caller caller = login.caller();
        ConsoleSessions.Session session = sessions.open(caller, taken.epoch());
        if (session == null) {
            fail(
                    ctx,
                    ErrorCode.SERVER_BUSY,
                    "no session: too many are open, or the password just changed; sign in again");
            return;
        }
        ctx.cookie(new Cookie(COOKIE, session.token(), "/", -1, https, 0, true, null, null, SameSite.STRICT));
        log.info("console: {} signed in from {}", caller.user(), ctx.ip());
        ObjectNode result = whoami(session);
        result.put("server_final", ((Result.User) outcome.value()).serverFinal());
        json(ctx, HttpStatus.OK, result);
    }

    private void session(Context ctx) {
        ConsoleSessions.Session session = session(ctx, false);
        if (session == null) {
            fail(ctx, ErrorCode.UNAUTHENTICATED, "not signed in");
            return;
        }
        json(ctx, HttpStatus.OK, whoami(session));
    }

    private void logout(Context ctx) {
        ConsoleSessions.Session session = session(ctx, true);
        sessions.close(session);
        ctx.cookie(new Cookie(COOKIE, "", "/", 0, https, 0, true, null, null, SameSite.STRICT));
        log.info("console: {} signed out", session.caller().user());
        ctx.status(HttpStatus.NO_CONTENT);
    }

    private static ObjectNode whoami(ConsoleSessions.Session session) {
        ObjectNode node = Json.object();
        node.put("user", session.caller().user());
        node.put("role", session.caller().role().name());
        node.put("csrf", session.csrf());
        return node;
    }

    // ---- operations
    // --------------------------------------------------------------------------------------------------

    /** One request of the TCP protocol, without its id: the same parser, dispatcher, trail, meters and reply. */
    private void op(Context ctx) {
        Caller caller = session(ctx, true).caller();
        long started = System.nanoTime();
        Json.Parsed parsed = Json.parseRequest(ctx.bodyAsBytes());
        if (parsed.failure() != null) {
            metrics.answered(
                    null, Outcome.fail(parsed.failure().code(), parsed.failure().message()), 0);
            reply(
                    ctx,
                    parsed,
                    Outcome.fail(parsed.failure().code(), parsed.failure().message()));
            return;
        }
        Request request = parsed.request();
        if (LoginSession.handles(request)) {
            reply(
                    ctx,
                    parsed,
                    Outcome.fail(
                            ErrorCode.MALFORMED_REQUEST,
                            Request.op(request)
                                    + " is not a console operation: sign in with /api/login; register and passwd"
                                    + " are the command-line client's"));
            return;
        }
        String req = activity.started('w', -1, requests.incrementAndGet(), caller, request);
        Outcome<?> outcome;
        try {
            outcome = dispatcher.dispatch(caller, request); // answered once the journal keeps what it shows
            securityEvents.answered(caller, request, outcome, address(ctx));
        } catch (RuntimeException e) {
            log.error("console: failed to handle {}", Request.op(request), e);
            outcome = Outcome.fail(ErrorCode.INTERNAL_ERROR, "the server failed to handle this request; see its log");
        }
        long nanos = System.nanoTime() - started;
        metrics.answered(request, outcome, nanos);
        if (req != null) {
            activity.done(req, caller, request, outcome, nanos);
        }
        reply(ctx, parsed, outcome);
    }

    private static void reply(Context ctx, Json.Parsed parsed, Outcome<?> outcome) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (outcome.isOk()) {
                Json.writeReply(out, parsed, outcome.value());
            } else {
                Json.writeFailure(out, parsed, new Failure(outcome.error(), outcome.message()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        ctx.status(outcome.isOk() ? HttpStatus.OK : status(outcome.error()))
                .contentType("application/json")
                .result(out.toByteArray());
    }

    /** The HTTP status of a refusal: what a browser, a proxy or a script expects of it (docs/protocol.md). */
    static HttpStatus status(ErrorCode code) {
        return switch (code) {
            case UNAUTHENTICATED, BAD_CREDENTIALS -> HttpStatus.UNAUTHORIZED;
            case FORBIDDEN -> HttpStatus.FORBIDDEN;
            case UNKNOWN_ACCOUNT -> HttpStatus.NOT_FOUND;
            case INSUFFICIENT_FUNDS,
                    LOAN_OVERPAYMENT,
                    DUPLICATE_ACCOUNT,
                    LOAN_LIMIT_EXCEEDED,
                    SAME_ACCOUNT,
                    WRONG_ACCOUNT_KIND,
                    KEY_REUSED,
                    BALANCE_OVERFLOW,
                    USER_EXISTS -> HttpStatus.CONFLICT;
            case THROTTLED -> HttpStatus.TOO_MANY_REQUESTS;
            case SERVER_BUSY, SHUTTING_DOWN, NOT_READY, STORAGE_FAILED, CLUSTER_UNAVAILABLE ->
                HttpStatus.SERVICE_UNAVAILABLE;
            case INTERNAL_ERROR -> HttpStatus.INTERNAL_SERVER_ERROR;
            case LINE_TOO_LONG -> HttpStatus.CONTENT_TOO_LARGE;
            case INVALID_AMOUNT,
                    INVALID_ACCOUNT_NUMBER,
                    INVALID_ARGUMENT,
                    MALFORMED_REQUEST,
                    UNKNOWN_OP,
                    INVALID_USER -> HttpStatus.BAD_REQUEST;
        };
    }

    /** A refusal as the TCP protocol writes it (without an id), with its status. */
    static void fail(Context ctx, ErrorCode code, String message) {
        reply(ctx, null, Outcome.fail(code, message));
    }

    // ---- the live feed and the charts ----------------------------------------------------------------------------

    private void statsNow(Context ctx) {
        if (!session(ctx, true).caller().isAuditor()) {
            fail(ctx, ErrorCode.FORBIDDEN, "the bank's figures are for the auditor only");
            return;
        }
        ObjectNode body = Json.object();
        body.set("points", Json.tree(stats.points()));
        json(ctx, HttpStatus.OK, body);
    }

    /** An SSE client: a thread of its own reads the activity feed and writes to it until either side ends. */
    private void watch(SseClient client) {
        ConsoleSessions.Session session = session(client.ctx(), true);
        if (session.feeds.incrementAndGet() > ConsoleSessions.MAX_FEEDS_PER_SESSION) {
            session.feeds.decrementAndGet();
            client.sendEvent(
                    "refused",
                    "{\"code\":\"SERVER_BUSY\",\"message\":\"this session has " + ConsoleSessions.MAX_FEEDS_PER_SESSION
                            + " live feeds open already\"}");
            client.close();
            return;
        }
        ActivityFeed.Watcher watcher;
        try {
            watcher = activity.watch(session.caller());
        } catch (RuntimeException e) { // the durable feed closed under a shutdown: no place may stay taken
            session.feeds.decrementAndGet();
            throw e;
        }
        if (watcher == null) {
            session.feeds.decrementAndGet();
            client.sendEvent("refused", "{\"code\":\"SERVER_BUSY\",\"message\":\"too many live feeds are open\"}");
            client.close();
            return;
        }
        try {
            client.keepAlive();
            Thread thread =
                    new Thread(() -> feed(client, watcher, session), "console-watch-" + watchers.incrementAndGet());
            thread.setDaemon(true);
            client.onClose(thread::interrupt);
            thread.start();
        } catch (RuntimeException | Error e) {
            watcher.close();
            session.feeds.decrementAndGet();
            throw e;
        }
    }

    private void feed(SseClient client, ActivityFeed.Watcher watcher, ConsoleSessions.Session session) {
        long lastStats = 0;
        long lastSentNanos = System.nanoTime();
        try (watcher) {
            client.sendComment("ABC Bank live feed for " + session.caller().user());
            while (!client.terminated()
                    && sessions.isLive(session)
                    && !Thread.currentThread().isInterrupted()) {
                ActivityFeed.Batch batch = watcher.poll();
                boolean sent = !batch.events().isEmpty() || batch.skipped() > 0;
                for (ActivityFeed.Event event : batch.events()) {
                    client.sendEvent(event.kind(), activity.json(event, session.caller()));
                }
                if (batch.skipped() > 0) {
                    client.sendEvent("skipped", "{\"skipped\":" + batch.skipped() + "}");
                }
                ConsoleStats.Point point = session.caller().isAuditor() ? stats.latest() : null; // the bank's figures
                if (point != null && point.t() != lastStats) {
                    lastStats = point.t();
                    client.sendEvent("stats", Json.tree(point).toString());
                    sent = true;
                }
                long now = System.nanoTime();
                if (sent) {
                    lastSentNanos = now;
                } else if (now - lastSentNanos > KEEPALIVE_NANOS) {
                    client.sendComment("keep-alive");
                    lastSentNanos = now;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(ActivityFeed.TICK_MS));
            }
        } catch (RuntimeException e) {
            log.debug("console: a live feed ended: {}", e.toString());
        } finally {
            session.feeds.decrementAndGet();
            client.close();
        }
    }

    // ---- the laboratory ------------------------------------------------------------------------------------------

    /**
     * The most threads and operations a race may have when run in the server: the bank's cores are its customers', and
     * {@code client demo race} runs the full bounds on one's own machine.
     */
    static final int LAB_MAX_THREADS = 16;

    static final int LAB_MAX_OPERATIONS = 20_000;

    private void race(Context ctx) throws InterruptedException {
        JsonNode body = body(ctx);
        RaceLab.Settings settings;
        try {
            if (intOr(body, "threads", 8) > LAB_MAX_THREADS || intOr(body, "operations", 2_000) > LAB_MAX_OPERATIONS) {
                throw new IllegalArgumentException("in the server a race has at most " + LAB_MAX_THREADS
                        + " threads and " + LAB_MAX_OPERATIONS + " operations a thread (client demo race runs more)");
            }
            settings = new RaceLab.Settings(
                    intOr(body, "threads", 8),
                    intOr(body, "accounts", 3),
                    intOr(body, "operations", 2_000),
                    intOr(body, "window_us", 50),
                    body.path("seed").asLong(Instant.now().toEpochMilli()));
        } catch (IllegalArgumentException e) {
            fail(ctx, ErrorCode.INVALID_ARGUMENT, e.getMessage());
            return;
        }
        lab(ctx, () -> RaceLab.run(settings));
    }

    private void contention(Context ctx) throws InterruptedException {
        JsonNode body = body(ctx);
        ContentionLab.Settings settings;
        try {
            settings = new ContentionLab.Settings(
                    intOr(body, "threads", 4), intOr(body, "operations", 5), intOr(body, "hold_us", 5_000));
        } catch (IllegalArgumentException e) {
            fail(ctx, ErrorCode.INVALID_ARGUMENT, e.getMessage());
            return;
        }
        lab(ctx, () -> ContentionLab.run(settings));
    }

    private void deadlock(Context ctx) throws InterruptedException {
        lab(ctx, DeadlockLab::run);
    }

    private interface Experiment {
        Object run() throws InterruptedException;
    }

    /**
     * Runs {@code experiment} for the auditor, one at a time: it takes the bank's own cores, so it is not for every
     * signed-in customer to start at will (a customer runs the same laboratory with {@code client demo}, on their own
     * machine).
     */
    private void lab(Context ctx, Experiment experiment) throws InterruptedException {
        if (!session(ctx, true).caller().isAuditor()) {
            fail(
                    ctx,
                    ErrorCode.FORBIDDEN,
                    "the laboratory runs on the bank's servers for the auditor only;"
                            + " run it on your own machine with client demo race|deadlock|contention");
            return;
        }
        if (!oneLab.tryAcquire()) {
            fail(ctx, ErrorCode.SERVER_BUSY, "a laboratory run is going on; one at a time");
            return;
        }
        try {
            json(ctx, HttpStatus.OK, Json.tree(experiment.run()));
        } finally {
            oneLab.release();
        }
    }

    // ---- small things --------------------------------------------------------------------------------------------

    private static JsonNode body(Context ctx) {
        try {
            JsonNode node = Json.readTree(ctx.body());
            return node.isObject() ? node : Json.object();
        } catch (UncheckedIOException e) {
            return Json.object(); // its fields are missing, and each route says which it needs
        }
    }

    private static String text(JsonNode body, String field) {
        JsonNode node = body.get(field);
        return node != null && node.isTextual() ? node.asText() : null;
    }

    /** {@code field} as an int, {@code otherwise} when absent; anything but a whole number is refused. */
    private static int intOr(JsonNode body, String field, int otherwise) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return otherwise;
        }
        if (!node.canConvertToInt() || !node.isIntegralNumber()) {
            throw new IllegalArgumentException(field + " must be a whole number");
        }
        return node.intValue();
    }

    private static void json(Context ctx, HttpStatus status, JsonNode body) {
        ctx.status(status).contentType("application/json").result(body.toString());
    }

    private static InetAddress address(Context ctx) {
        try {
            return InetAddress.getByName(ctx.req().getRemoteAddr()); // a numeric address: no lookup
        } catch (UnknownHostException e) {
            throw new IllegalStateException("Jetty gave a remote address that is not one: " + e.getMessage(), e);
        }
    }
}
