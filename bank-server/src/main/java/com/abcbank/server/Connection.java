package com.abcbank.server;

import com.abcbank.ledger.Caller;
import com.abcbank.ledger.ErrorCode;
import com.abcbank.ledger.Outcome;
import com.abcbank.protocol.Failure;
import com.abcbank.protocol.Json;
import com.abcbank.protocol.Reply;
import com.abcbank.protocol.Request;
import com.abcbank.protocol.Result;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One client connection, served by one thread: read a line, answer it, repeat. Replies therefore leave in
 * request order, and a client may pipeline as many requests as it likes. A reply is flushed as soon as no
 * further request is already waiting in the input buffer, so a pipelined burst is answered in few writes.
 *
 * <p>What a client sends can end this connection (a line over the limit, an idle timeout, a write the
 * client never reads) but never the server: every failure is caught here, answered if possible, and logged.
 */
final class Connection implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(Connection.class);

    private final long id;
    private final Socket socket;
    private final Dispatcher dispatcher;
    private final ServerConfig config;
    private final BankServer server;
    /** Nanotime at which the current write began, or 0 when not writing; read by the server's reaper. */
    private volatile long writeStartedNanos;

    private Caller caller;
    private long requests;

    Connection(long id, Socket socket, Dispatcher dispatcher, ServerConfig config, BankServer server) {
        this.id = id;
        this.socket = socket;
        this.dispatcher = dispatcher;
        this.config = config;
        this.server = server;
    }

    long id() {
        return id;
    }

    @Override
    @SuppressWarnings("try") // the MDC scope is used for its extent: every log line of this connection names it
    public void run() {
        try (MDC.MDCCloseable ignored = MDC.putCloseable("conn", Long.toString(id));
                Socket s = socket) {
            log.info("open from {}", s.getRemoteSocketAddress());
            s.setSoTimeout(config.idleTimeoutMs());
            s.setTcpNoDelay(true);
            LineReader in =
                    new LineReader(new BufferedInputStream(s.getInputStream(), 16 * 1024), config.maxLineBytes());
            OutputStream out = new BufferedOutputStream(s.getOutputStream(), 16 * 1024);
            serve(in, out);
            log.info("closed after {} requests{}", requests, caller == null ? "" : " (user " + caller.user() + ")");
        } catch (IOException e) {
            log.info("closed after {} requests by an I/O failure: {}", requests, e.toString());
        } catch (RuntimeException | Error e) {
            log.error("connection failed after {} requests", requests, e);
        } finally {
            server.closed(this);
        }
    }

    private void serve(LineReader in, OutputStream out) throws IOException {
        while (true) {
            String line;
            try {
                line = in.readLine();
            } catch (SocketTimeoutException e) {
                log.info("idle for {} ms, closing", config.idleTimeoutMs());
                return;
            } catch (LineReader.LineTooLongException e) {
                write(
                        out,
                        Reply.failure(
                                null,
                                new Failure(
                                        ErrorCode.LINE_TOO_LONG,
                                        "a request line may be at most " + config.maxLineBytes() + " bytes; closing")),
                        true);
                log.info("line over {} bytes, closing", config.maxLineBytes());
                return;
            } catch (LineReader.MalformedLineException e) {
                write(
                        out,
                        Reply.failure(null, new Failure(ErrorCode.MALFORMED_REQUEST, e.getMessage())),
                        !in.hasBufferedInput());
                continue;
            }
            if (line == null) {
                return; // the client closed, or the server is shutting down
            }
            if (line.isBlank()) {
                continue;
            }
            requests++;
            Reply reply = answer(line);
            write(out, reply, !in.hasBufferedInput());
            if (server.stopping()) {
                out.flush();
                return;
            }
        }
    }

    private Reply answer(String line) {
        Json.Parsed parsed = Json.parseRequest(line);
        if (parsed.failure() != null) {
            log.debug("bad request: {}", parsed.failure().code());
            return Reply.failure(parsed.id(), parsed.failure());
        }
        Request request = parsed.request();
        log.debug("{}", request); // records mask passwords in toString
        try {
            if (Dispatcher.authenticates(request)) {
                Outcome<Caller> outcome = dispatcher.authenticate(request);
                if (!outcome.isOk()) {
                    return Reply.failure(parsed.id(), new Failure(outcome.error(), outcome.message()));
                }
                caller = outcome.value();
                log.info("authenticated as {}", caller.user());
                return Reply.success(
                        parsed.id(),
                        Json.tree(new Result.User(caller.user(), caller.role().name())));
            }
            Outcome<?> outcome = dispatcher.dispatch(caller, request);
            if (!outcome.isOk()) {
                return Reply.failure(parsed.id(), new Failure(outcome.error(), outcome.message()));
            }
            return Reply.success(parsed.id(), Json.tree(outcome.value()));
        } catch (RuntimeException e) {
            log.error("failed to handle {}", request.getClass().getSimpleName(), e);
            return Reply.failure(
                    parsed.id(),
                    new Failure(ErrorCode.INTERNAL_ERROR, "the server failed to handle this request; see its log"));
        }
    }

    private void write(OutputStream out, Reply reply, boolean flush) throws IOException {
        byte[] bytes = (Json.write(reply) + "\n").getBytes(StandardCharsets.UTF_8);
        writeStartedNanos = System.nanoTime() | 1; // never 0 while writing
        try {
            out.write(bytes);
            if (flush) {
                out.flush();
            }
        } finally {
            writeStartedNanos = 0;
        }
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
