package com.abcbank.server;

import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.concurrent.TimeUnit;

/**
 * The deadlines of one connection, which no stream of bytes can push back:
 * <ul>
 *   <li><b>idle</b>: {@link ServerConfig#idleTimeoutMs()} after the last request (or the opening). Bytes that make
 *       no request, such as blank lines or a line trickled a byte at a time, do not count.
 *   <li><b>authentication</b>: {@link ServerConfig.Limits#authTimeoutMs()} after the opening, until the caller logs in.
 *   <li><b>line</b>: {@link ServerConfig.Limits#lineTimeoutMs()} after the first byte of a request line, until its newline.
 * </ul>
 * Before each read that may block ({@link LineReader.Deadline}), the socket's timeout is set to what is left of the
 * nearest of them, and {@link #armed()} says which one that is, so that a read that times out knows what it
 * ran into. A deadline already passed throws at once.
 *
 * <p>One thread only: the connection's.
 */
final class ConnectionDeadlines implements LineReader.Deadline {
    /** Which deadline a read ran into. */
    enum Kind {
        IDLE,
        AUTHENTICATION,
        LINE
    }

    private final Socket socket;
    private final long idleNanos;
    private final long authNanos;
    private final long lineNanos;
    private final long openedNanos;

    private long lastRequestNanos;
    private long lineStartedNanos;
    private boolean lineStarted;
    private boolean authenticated;
    private Kind armed = Kind.IDLE;

    ConnectionDeadlines(Socket socket, ServerConfig config) {
        this.socket = socket;
        this.idleNanos = TimeUnit.MILLISECONDS.toNanos(config.idleTimeoutMs());
        this.authNanos = TimeUnit.MILLISECONDS.toNanos(config.limits().authTimeoutMs());
        this.lineNanos = TimeUnit.MILLISECONDS.toNanos(config.limits().lineTimeoutMs());
        this.openedNanos = System.nanoTime();
        this.lastRequestNanos = openedNanos;
    }

    /** A request (a non-blank line) arrived: the idle deadline starts again. */
    void requested() {
        lastRequestNanos = System.nanoTime();
    }

    /** The caller logged in: the authentication deadline no longer applies. */
    void authenticated() {
        authenticated = true;
    }

    /**
     * When a client that has not logged in must be gone: the nearer of the authentication and idle deadlines. The TLS
     * handshake comes before any login, so this bounds it as a whole, however the handshake's bytes are trickled
     * ({@link BankServer}'s reaper enforces it; a read timeout alone restarts with every byte).
     */
    long unauthenticatedDeadlineNanos() {
        long idle = lastRequestNanos + idleNanos;
        long auth = openedNanos + authNanos;
        return auth - idle < 0 ? auth : idle;
    }

    /** The deadline the last read's timeout stood for. */
    Kind armed() {
        return armed;
    }

    @Override
    public void beforeRead(boolean midLine) throws IOException {
        long now = System.nanoTime();
        if (!midLine) {
            lineStarted = false;
        } else if (!lineStarted) {
            lineStarted = true; // the bytes just read began this line
            lineStartedNanos = now;
        }
        Kind nearest = Kind.IDLE;
        long deadline = lastRequestNanos + idleNanos;
        if (!authenticated && openedNanos + authNanos - deadline < 0) {
            nearest = Kind.AUTHENTICATION;
            deadline = openedNanos + authNanos;
        }
        if (lineStarted && lineStartedNanos + lineNanos - deadline < 0) {
            nearest = Kind.LINE;
            deadline = lineStartedNanos + lineNanos;
        }
        armed = nearest;
        long leftMs = TimeUnit.NANOSECONDS.toMillis(deadline - now);
        if (leftMs <= 0) {
            throw new SocketTimeoutException(nearest + " deadline passed");
        }
        socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, leftMs));
    }
}
