package com.abcbank.server;

import com.abcbank.journal.JournalFailedException;
import com.abcbank.ledger.Caller;
import com.abcbank.ledger.ErrorCode;
import com.abcbank.ledger.Outcome;
import com.abcbank.protocol.Failure;
import com.abcbank.protocol.Json;
import com.abcbank.protocol.Request;
import com.abcbank.protocol.Wire;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One client connection, served by one thread: read the lines already sent, execute them, wait once for the log
 * to keep them, answer them all, repeat. Replies leave in request order, and a client may pipeline as many
 * requests as it likes: a pipelined burst costs one wait for durability and one flush (a pipelined group commit),
 * not one of each per request. No reply leaves before the log keeps everything it shows.
 *
 * <p>What a client sends can end this connection (a line over the limit, an idle timeout, a write the
 * client never reads) but never the server: every failure is caught here, answered if possible, and logged.
 */
final class Connection implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(Connection.class);
    /**
     * The most requests executed before their replies are sent: a client that pipelines more gets them in several
     * batches, so one connection's replies never wait long behind its own later requests.
     */
    static final int MAX_BATCH = 256;

    private final long id;
    private final Socket socket;
    private final Dispatcher dispatcher;
    private final ServerConfig config;
    private final BankServer server;
    /** Null for plaintext; else the handshake to run before the first request (on this thread, not the acceptor's). */
    private final TlsAcceptor tls;
    /**
     * Nanotime by which the TLS handshake must be done, or 0 when none is under way; read by the server's reaper,
     * which closes a connection past it (a read timeout alone restarts with every trickled byte).
     */
    private volatile long handshakeUntilNanos;
    /** Nanotime at which the current write began, or 0 when not writing; read by the server's reaper. */
    private volatile long writeStartedNanos;
    /** On a cluster node, the last money request of the batch being read, while in flight (this thread's only). */
    private CompletableFuture<Outcome<?>> writesInFlight;

    private LoginSession session;
    private long requests;
    private ConnectionDeadlines deadlines;
    /** Accepted into one of the auditor's reserved places: any request but the auditor's login closes it. */
    private final boolean reserved;
    /** Whether requests are timed for {@link BankMetrics}: without HTTP, not even the clock is read. */
    private final boolean metered;

    /** Set when the batch being read must be the last: its replies are sent, then the connection closes. */
    private boolean closing;

    Connection(
            long id,
            Socket socket,
            Dispatcher dispatcher,
            ServerConfig config,
            BankServer server,
            boolean reserved,
            TlsAcceptor tls) {
        this.reserved = reserved;
        this.tls = tls;
        this.id = id;
        this.socket = socket;
        this.dispatcher = dispatcher;
        this.config = config;
        this.server = server;
        this.metered = server.metrics().enabled();
    }

    long id() {
        return id;
    }

    /** The client's address, as {@link BankServer} counted it. */
    InetAddress address() {
        return socket.getInetAddress();
    }

    @Override
    @SuppressWarnings("try") // the MDC scope is used for its extent: every log line of this connection names it
    public void run() {
        try (MDC.MDCCloseable ignored = MDC.putCloseable("conn", Long.toString(id));
                Socket plain = socket) {
            log.info("open from {}", plain.getRemoteSocketAddress());
            plain.setTcpNoDelay(true);
            deadlines = new ConnectionDeadlines(plain, config); // timeouts set on the plain socket bound TLS reads too
            session = new LoginSession(dispatcher.users(), plain.getInetAddress(), true, dispatcher.cluster());
            Socket opened = tls == null ? plain : handshake(plain);
            if (opened == null) {
                return;
            }
            try (Socket s = opened) { // for TLS: closing sends close_notify, then closes the plain socket
                LineReader in = new LineReader(s.getInputStream(), config.maxLineBytes(), deadlines);
                OutputStream out = new BufferedOutputStream(s.getOutputStream(), 16 * 1024);
                serve(in, out);
            }
            Caller caller = session.caller();
            log.info("closed after {} requests{}", requests, caller == null ? "" : " (user " + caller.user() + ")");
        } catch (IOException e) {
            log.info("closed after {} requests by an I/O failure: {}", requests, e.toString());
        } catch (RuntimeException | Error e) {
            log.error("connection failed after {} requests", requests, e);
        } finally {
            if (session != null) {
                session.close();
            }
            server.closed(this);
        }
    }

    /** The TLS socket over {@code plain}, or null if there is none to serve ({@link TlsAcceptor#open}). */
    private Socket handshake(Socket plain) throws IOException {
        handshakeUntilNanos = deadlines.unauthenticatedDeadlineNanos() | 1; // never 0 while handshaking
        try {
            return tls.open(plain, deadlines);
        } finally {
            handshakeUntilNanos = 0;
        }
    }

    /**
     * Serves batches until the client closes, idles out or breaks the protocol, or the server stops. A batch is
     * every request line already buffered when the first is read (at most {@link #MAX_BATCH}): all are executed,
     * the connection waits once for the log to keep what the last answer shows, and all replies leave in one flush.
     */
    private void serve(LineReader in, OutputStream out) throws IOException {
        List<Pending> batch = new ArrayList<>();
        boolean open = true;
        while (open) {
            try {
                open = read(in, batch);
            } catch (SocketTimeoutException e) {
                timedOut(batch);
                open = false;
            }
            send(batch, out);
            batch.clear();
            if (server.stopping()) {
                return;
            }
        }
    }

    /**
     * Reads and executes one batch into {@code batch}: blocks for its first line only. Returns whether the
     * connection stays open after it.
     */
    private boolean read(LineReader in, List<Pending> batch) throws IOException {
        do {
            byte[] line;
            try {
                line = in.readLine();
            } catch (LineReader.LineTooLongException e) {
                batch.add(Pending.failed(
                        null,
                        ErrorCode.LINE_TOO_LONG,
                        "a request line may be at most " + config.maxLineBytes() + " bytes; closing"));
                log.info("line over {} bytes, closing", config.maxLineBytes());
                return false;
            } catch (LineReader.MalformedLineException e) {
                batch.add(Pending.failed(null, ErrorCode.MALFORMED_REQUEST, e.getMessage()));
                continue;
            }
            if (line == null) {
                return false; // the client closed, or the server is shutting down
            }
            if (!isBlank(line)) {
                requests++;
                deadlines.requested();
                batch.add(answer(line, metered ? System.nanoTime() : 0));
                if (closing) {
                    return false;
                }
            }
        } while (batch.size() < MAX_BATCH && in.hasBufferedLine());
        return true;
    }

    /** {@link String#isBlank} of the line, without decoding an ASCII one. */
    /** A read ran into a deadline: says which, on the connection (if it is not mere idleness) and in the log. */
    private void timedOut(List<Pending> batch) {
        switch (deadlines.armed()) {
            case IDLE -> log.info("idle for {} ms, closing", config.idleTimeoutMs());
            case AUTHENTICATION -> {
                batch.add(Pending.failed(
                        null,
                        ErrorCode.UNAUTHENTICATED,
                        "not logged in within " + config.limits().authTimeoutMs() + " ms of connecting; closing"));
                log.info("not logged in within {} ms, closing", config.limits().authTimeoutMs());
            }
            case LINE -> {
                batch.add(Pending.failed(
                        null,
                        ErrorCode.MALFORMED_REQUEST,
                        "a request line must end within " + config.limits().lineTimeoutMs()
                                + " ms of its first byte; closing"));
                log.info(
                        "a line unfinished after {} ms, closing",
                        config.limits().lineTimeoutMs());
            }
        }
    }

    private static boolean isBlank(byte[] line) {
        for (byte b : line) {
            if (b < 0) {
                return new String(line, StandardCharsets.UTF_8).isBlank();
            }
            if (!Character.isWhitespace(b)) {
                return false;
            }
        }
        return true;
    }

    private Pending answer(byte[] line, long startedNanos) {
        Pending pending = answer(line);
        pending.startedNanos = startedNanos;
        return pending;
    }

    private Pending answer(byte[] line) {
        Json.Parsed parsed = Json.parseRequest(line);
        if (parsed.failure() != null) {
            log.debug("bad request: {}", parsed.failure().code());
            return new Pending(
                    parsed,
                    Dispatcher.Answer.now(Outcome.fail(
                            parsed.failure().code(), parsed.failure().message())));
        }
        Request request = parsed.request();
        log.debug("{}", request); // records mask passwords in toString
        Caller caller = session.caller();
        if (reserved && caller == null && !forTheAuditor(request)) {
            closing = true;
            log.info(
                    "a place reserved for the auditor was asked for {}; closing",
                    request.getClass().getSimpleName());
            return Pending.failed(
                    parsed,
                    ErrorCode.SERVER_BUSY,
                    "the server is at its limit of " + config.maxConnections()
                            + " connections; the places left are the auditor's; retry later");
        }
        try {
            if (LoginSession.handles(request)) {
                Outcome<?> outcome = session.answer(request);
                if (reserved && !outcome.isOk()) {
                    closing = true; // a reserved place is not for guessing the auditor's password
                }
                if (outcome.isOk()
                        && session.caller() != null
                        && !session.caller().equals(caller)) {
                    deadlines.authenticated();
                    log.info("authenticated as {}", session.caller().user());
                }
                return new Pending(parsed, Dispatcher.Answer.now(outcome));
            }
            session.otherRequest();
            // The console's live feed: records only while a browser watches, within its budget.
            String req = caller == null ? null : server.activity().started('t', id, requests, caller, request);
            if (!(request instanceof Request.Money)) {
                awaitWritesOfThisBatch(); // on a cluster, a pipelined read must see this connection's writes before it
            }
            Dispatcher.Answer answer = dispatcher.execute(caller, request);
            if (answer.later() == null) {
                server.securityEvents().answered(caller, request, answer.outcome(), address()); // the audit trail
            } else { // a cluster's write: its outcome comes from the log; the trail takes it then, without waiting
                writesInFlight = answer.later();
                InetAddress from = address();
                var unused = answer.later()
                        .thenAccept(outcome -> server.securityEvents().answered(caller, request, outcome, from));
            }
            Pending pending = new Pending(parsed, answer);
            pending.req = req;
            pending.caller = caller;
            return pending;
        } catch (RuntimeException e) {
            log.error("failed to handle {}", request.getClass().getSimpleName(), e);
            return Pending.failed(
                    parsed, ErrorCode.INTERNAL_ERROR, "the server failed to handle this request; see its log");
        }
    }

    /**
     * On a cluster node, money requests of a pipelined batch are in flight together (their answers come from the log);
     * a request after them in the same batch waits until the last of them is applied: its read index, taken after
     * that, covers them, so the connection reads its own writes in order, as on a single server.
     */
    private void awaitWritesOfThisBatch() {
        CompletableFuture<Outcome<?>> last = writesInFlight;
        if (last != null) {
            var unused = last.join(); // completes by itself at the cluster's request timeout
            writesInFlight = null;
        }
    }

    /** Whether a request on a place reserved for the auditor is the auditor's login (either of its two steps). */
    private boolean forTheAuditor(Request request) {
        if (request instanceof Request.Login l) {
            return Wire.AUDITOR.equalsIgnoreCase(l.scramUser());
        }
        return request instanceof Request.LoginFinal && Wire.AUDITOR.equalsIgnoreCase(session.pendingUser());
    }

    /**
     * Waits once for the log to keep everything the batch's answers show (the last shows the most: the answers of
     * one connection show ever later transactions), then writes every reply and flushes them together.
     */
    private void send(List<Pending> batch, OutputStream out) throws IOException {
        if (batch.isEmpty()) {
            return;
        }
        long shows = 0;
        for (Pending pending : batch) {
            shows = Math.max(shows, pending.answer().shows());
        }
        JournalFailedException failure = dispatcher.awaitDurable(shows);
        writeStartedNanos = System.nanoTime() | 1; // never 0 while writing
        try {
            for (Pending pending : batch) {
                Outcome<?> outcome = dispatcher.settle(pending.answer(), failure);
                if (outcome.isOk()) {
                    Json.writeReply(out, pending.line(), outcome.value());
                } else {
                    Json.writeFailure(out, pending.line(), new Failure(outcome.error(), outcome.message()));
                }
            }
            out.flush();
        } finally {
            writeStartedNanos = 0;
        }
        measure(batch, failure);
    }

    /**
     * Records the batch's requests in the server's meters, and their ends in the console's live feed if they were
     * announced there: after the flush, outside every lock.
     */
    private void measure(List<Pending> batch, JournalFailedException failure) {
        BankMetrics metrics = server.metrics();
        if (!metrics.enabled()) {
            return;
        }
        long now = System.nanoTime();
        for (Pending pending : batch) {
            Request request = pending.line() == null ? null : pending.line().request();
            long started = pending.startedNanos == 0 ? now : pending.startedNanos;
            Outcome<?> outcome = dispatcher.settle(pending.answer(), failure);
            metrics.answered(request, outcome, now - started);
            if (pending.req != null) {
                server.activity().done(pending.req, pending.caller, request, outcome, now - started);
            }
        }
    }

    /**
     * A request of the batch, executed: the line its reply answers ({@code null}: unreadable), the answer, and when
     * its line was read (0: not a request line, such as a deadline's notice).
     */
    private static final class Pending {
        private final Json.Parsed line;
        private final Dispatcher.Answer answer;
        long startedNanos;
        /** Its name in the console's live feed, when it was announced there ({@link ActivityFeed#started}); else null. */
        String req;
        /** Who asked, for the live feed. */
        Caller caller;

        Pending(Json.Parsed line, Dispatcher.Answer answer) {
            this.line = line;
            this.answer = answer;
        }

        Json.Parsed line() {
            return line;
        }

        Dispatcher.Answer answer() {
            return answer;
        }

        static Pending failed(Json.Parsed line, ErrorCode code, String message) {
            return new Pending(line, Dispatcher.Answer.now(Outcome.fail(code, message)));
        }
    }

    /** Whether a TLS handshake is still under way past the connection's deadline to log in. */
    boolean handshakeOverdue(long nowNanos) {
        long until = handshakeUntilNanos;
        return until != 0 && nowNanos - until > 0;
    }

    /** Whether a write has been blocked longer than {@code limitNanos}: the client is not reading its replies. */
    boolean stuckWriting(long nowNanos, long limitNanos) {
        long started = writeStartedNanos;
        return started != 0 && nowNanos - started > limitNanos;
    }

    /** Stops reading: a blocked read returns end-of-stream, so the thread finishes its reply and closes. */
    void stopReading() {
        try {
            socket.shutdownInput();
        } catch (IOException e) {
            log.debug("shutdownInput: {}", e.toString());
        }
    }

    /** Closes the socket, failing any blocked read or write. */
    void abort() {
        try {
            socket.close();
        } catch (IOException e) {
            log.debug("close: {}", e.toString());
        }
    }
}
