package com.abcbank.client;

import com.abcbank.protocol.Json;
import com.abcbank.protocol.Reply;
import com.abcbank.protocol.Request;
import com.abcbank.protocol.Scram;
import com.ongres.scram.common.exception.ScramException;
import java.io.BufferedWriter;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * One connection to the bank: line-delimited JSON over TCP, one reply line per request line, in order.
 *
 * <p>Requests get ids 1, 2, 3, ... and replies must come back with the same ids in the same order; since
 * the order is fixed, the id is a check, not a lookup key. A reply with a {@code null} id is accepted as the
 * answer to the oldest request only if it is an error: the server could not read our id (a line too long,
 * say, or it was busy before it read anything).
 *
 * <p>Writes are buffered and flushed just before the connection waits for a reply, so a pipelined burst
 * goes out in few packets while a lone request is never left sitting in the buffer.
 *
 * <p>Every wait is bounded: the connect timeout, a read timeout per reply, and a maximum reply line
 * length. Failures become a {@link ClientException}: {@link ExitCodes#UNAVAILABLE} when the connection
 * cannot be made, {@link Lost} (also exit 75) when it breaks or times out once made, {@link ExitCodes#PROTOCOL}
 * when the other end sends something that is not a reply in order. Not thread-safe: one thread owns a connection.
 */
final class BankConnection implements AutoCloseable {
    /** A reply line longer than this is not from a sane server (a page of 1,000 transactions is far less). */
    static final int MAX_REPLY_BYTES = 64 << 20;

    /**
     * The connection broke (reset, ended, or no reply in time) with {@link #inFlight} requests sent and unanswered:
     * each of those may or may not have taken effect. A broken connection is not used again; the caller may open
     * another and send them again ({@link RetryingConnection}, {@link BatchCommand}).
     */
    static final class Lost extends ClientException {
        private static final long serialVersionUID = 1L;

        /** What happened, without the count of unanswered requests: {@code 127.0.0.1:5050 closed the connection}. */
        final String reason;

        Lost(String reason, String unanswered, Throwable cause) {
            super(ExitCodes.UNAVAILABLE, reason + unanswered, cause);
            this.reason = reason;
        }
    }

    private final String peer;
    private final InputStream in;
    private final Writer out;
    private final Closeable resource;
    /** Our own read buffer, scanned for newlines a block at a time rather than a byte per call. */
    private final byte[] buffer = new byte[1 << 16];

    private int position;
    private int limit;
    /** The start of a reply longer than what {@link #buffer} held. */
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);

    private long nextId = 1;
    private long oldestUnanswered = 1;
    private boolean unflushed;

    BankConnection(String peer, InputStream in, OutputStream out, Closeable resource) {
        this.peer = peer;
        this.in = in;
        this.out = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
        this.resource = resource;
    }

    /** From now on, waits at most {@code timeoutMs} for each reply; returns this connection. */
    BankConnection replyTimeout(int timeoutMs) {
        if (resource instanceof Socket socket) {
            try {
                socket.setSoTimeout(timeoutMs);
            } catch (IOException e) {
                throw new ClientException(ExitCodes.UNAVAILABLE, "cannot set the reply timeout on " + peer, e);
            }
        }
        return this;
    }

    /** Connects to {@code host:port} in plaintext, or throws {@link ClientException} (exit 75). */
    static BankConnection open(String host, int port, int connectTimeoutMs, int readTimeoutMs) {
        return open(host, port, connectTimeoutMs, readTimeoutMs, null);
    }

    /**
     * Connects to {@code host:port}, with {@code tls} (its handshake bounded by the connect timeout) unless it is
     * null, or throws {@link ClientException}.
     */
    static BankConnection open(String host, int port, int connectTimeoutMs, int readTimeoutMs, ClientTls tls) {
        String peer = host + ":" + port;
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true); // request/reply: Nagle would hold a lone request back by up to an RTT
            socket.setSoTimeout(readTimeoutMs);
            socket.connect(new InetSocketAddress(host, port), connectTimeoutMs);
        } catch (IOException e) {
            closeQuietly(socket);
            throw cannotConnect(peer, e, connectTimeoutMs);
        }
        try {
            Socket connected = tls == null ? socket : tls.handshake(socket, host, connectTimeoutMs, readTimeoutMs);
            return new BankConnection(peer, connected.getInputStream(), connected.getOutputStream(), connected);
        } catch (IOException e) {
            closeQuietly(socket);
            throw cannotConnect(peer, e, connectTimeoutMs);
        } catch (RuntimeException e) {
            closeQuietly(socket);
            throw e;
        }
    }

    /** Why connecting to {@code peer} failed, said one way for every client (exit 75). */
    static ClientException cannotConnect(String peer, Exception e, int connectTimeoutMs) {
        String reason = e instanceof UnknownHostException || e instanceof UnresolvedAddressException
                ? "unknown host"
                : e instanceof SocketTimeoutException ? "no answer within " + connectTimeoutMs + " ms" : e.getMessage();
        return new ClientException(ExitCodes.UNAVAILABLE, "cannot connect to " + peer + ": " + reason, e);
    }

    String peer() {
        return peer;
    }

    /** Requests sent whose replies have not been read yet. */
    long inFlight() {
        return nextId - oldestUnanswered;
    }

    /**
     * Whether reply bytes are already read from the socket and waiting here: the next {@link #receive} may then
     * not block. A pipelining caller reads these before it sends more, so that its next requests go out in one
     * flush rather than one each.
     */
    boolean replyBuffered() {
        return position < limit;
    }

    /** Sends one request and waits for its reply. */
    Reply call(Request request) {
        send(request);
        return receive();
    }

    /**
     * Authenticates this connection with SCRAM-SHA-256, or throws: BAD_CREDENTIALS and THROTTLED exit 4, and so do
     * a server whose signature is wrong and saved keys the server no longer takes.
     *
     * @param secret a password, or the {@link Scram.ClientKeys} derived from one in their saved form
     * @return the keys the login used: derived from the password (one PBKDF2), or the saved ones
     */
    Scram.ClientKeys login(String user, String secret) {
        Optional<Scram.ClientKeys> keys = Scram.ClientKeys.decode(secret);
        Scram.ClientExchange exchange = keys.isPresent()
                ? Scram.ClientExchange.withKeys(user, keys.get(), null)
                : Scram.ClientExchange.withPassword(user, secret.toCharArray());
        Reply reply;
        try {
            reply = Scram.login(this::call, exchange);
        } catch (Scram.StaleKeysException e) {
            throw new ClientException(
                    ExitCodes.AUTH,
                    "the saved keys of " + user + " are not the server's any more (was the password changed"
                            + " elsewhere?): give the password with --password-file or BANK_PASSWORD",
                    e);
        } catch (ScramException e) {
            throw new ClientException(
                    ExitCodes.AUTH, "the server's answer to the login of " + user + " is wrong: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // call does not throw it: it fails with ClientException
        }
        if (!reply.ok()) {
            throw ClientException.refused(reply.error());
        }
        return exchange.keys();
    }

    /**
     * Sends {@code requests} with at most {@code window} unanswered at any time, and hands each reply, in
     * order, to {@code onReply} with the index of its request.
     *
     * <p>The window bounds what sits in the socket buffers in both directions. That matters because one
     * thread both writes and reads: with an unbounded burst, the server could block writing replies we are
     * not reading while we block writing requests it is not reading. A window of a few dozen small lines
     * fits in any socket buffer, so neither side can block on the other.
     *
     * <p>It refills only once half the window is answered, so requests leave in bursts of about
     * {@code window / 2} per flush, not one packet each.
     */
    void pipeline(List<Request> requests, int window, BiConsumer<Integer, Reply> onReply) {
        if (window < 1) {
            throw new IllegalArgumentException("window must be at least 1: " + window);
        }
        int sent = 0;
        int answered = 0;
        while (answered < requests.size()) {
            if (sent < requests.size() && sent - answered <= window / 2) {
                while (sent < requests.size() && sent - answered < window) {
                    send(requests.get(sent++));
                }
            }
            Reply reply = receive();
            onReply.accept(answered++, reply);
        }
    }

    /** Buffers one request line; {@link #receive} flushes it. */
    void send(Request request) {
        String text = Json.writeRequest(nextId, request);
        try {
            out.write(text);
            out.write('\n');
        } catch (IOException e) {
            throw lost(e);
        }
        nextId++;
        unflushed = true;
    }

    /** Flushes what was sent, then reads the reply to the oldest unanswered request. */
    Reply receive() {
        if (inFlight() == 0) {
            throw new IllegalStateException("no request awaits a reply"); // a bug in the caller
        }
        try {
            if (unflushed) {
                out.flush();
                unflushed = false;
            }
            String text = readLine();
            Reply reply;
            try {
                reply = Json.parseReply(text);
            } catch (UncheckedIOException e) {
                throw protocol(e.getMessage(), e);
            }
            checkInOrder(reply);
            oldestUnanswered++;
            return reply;
        } catch (SocketTimeoutException e) {
            throw new Lost("no reply from " + peer + " in time", unanswered(), e);
        } catch (IOException e) {
            throw lost(e);
        }
    }

    private void checkInOrder(Reply reply) {
        if (reply.ok() ? reply.result() == null : reply.error() == null) {
            throw protocol(reply.ok() ? "a success reply without a result" : "a failure reply without an error", null);
        }
        boolean unread = reply.unidentified() && !reply.ok();
        if (!unread && !reply.answers(oldestUnanswered)) {
            throw protocol("reply id " + reply.idText() + " where " + oldestUnanswered + " was due", null);
        }
    }

    /** One line, without its terminator; bounded, so a runaway peer cannot exhaust memory. */
    private String readLine() throws IOException {
        line.reset();
        while (true) {
            if (position == limit) {
                int n = in.read(buffer, 0, buffer.length);
                if (n < 0) {
                    throw new IOException(
                            peer + " closed the connection" + (line.size() > 0 ? " in the middle of a reply" : ""));
                }
                position = 0;
                limit = n;
            }
            int start = position;
            while (position < limit && buffer[position] != '\n') {
                position++;
            }
            int length = position - start;
            if (line.size() + length > MAX_REPLY_BYTES) {
                throw protocol("a reply line longer than " + MAX_REPLY_BYTES + " bytes", null);
            }
            if (position == limit) {
                line.write(buffer, start, length); // no newline yet: keep it and read on
                continue;
            }
            position++; // past the newline
            String text;
            if (line.size() == 0) {
                text = new String(buffer, start, length, StandardCharsets.UTF_8);
            } else {
                line.write(buffer, start, length);
                text = line.toString(StandardCharsets.UTF_8);
            }
            return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
        }
    }

    private Lost lost(IOException e) {
        String reason = e.getMessage() != null && e.getMessage().startsWith(peer)
                ? e.getMessage()
                : "lost the connection to " + peer + ": " + e.getMessage();
        return new Lost(reason, unanswered(), e);
    }

    private ClientException protocol(String what, Throwable cause) {
        return new ClientException(ExitCodes.PROTOCOL, "protocol error from " + peer + ": " + what, cause);
    }

    private String unanswered() {
        long count = inFlight();
        return count == 0
                ? ""
                : "; " + count + (count == 1 ? " request" : " requests")
                        + " unanswered: may or may not have taken effect";
    }

    @Override
    public void close() {
        closeQuietly(resource);
    }

    private static void closeQuietly(Closeable closeable) {
        try {
            closeable.close();
        } catch (IOException ignored) {
            // Closing is best effort: every reply we needed was already read, or we are failing anyway.
        }
    }
}
