package com.abcbank.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abcbank.ledger.ErrorCode;
import com.abcbank.protocol.Failure;
import com.abcbank.protocol.Json;
import com.abcbank.protocol.Reply;
import com.abcbank.protocol.Request;
import com.abcbank.protocol.Result;
import com.abcbank.protocol.Scram;
import com.fasterxml.jackson.databind.node.LongNode;
import com.ongres.scram.common.exception.ScramException;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * A raw-socket client for the server tests: it writes request lines and reads reply lines, nothing more, so a
 * test sees exactly the bytes the server sends. It is deliberately not bank-client's connection: that one is
 * under test elsewhere and may hide what the wire does (retries, buffering).
 *
 * <p>Every wait is bounded: connecting by {@link #CONNECT_TIMEOUT_MS}, each read by {@link #READ_TIMEOUT_MS}
 * (a server that never answers fails the test with a {@link java.net.SocketTimeoutException}, it does not hang
 * the build). A reply line is read byte by byte up to its newline; a connection that ends in the middle of a
 * line is a truncated reply and fails the test, since the protocol sends whole lines only.
 *
 * <p>Requests made with {@link #call(Request)} carry an increasing numeric {@code id}, and the reply must
 * echo it: that checks the one-reply-per-request, in-order rule on every call of every test.
 */
final class TestClient implements AutoCloseable {
    static final int CONNECT_TIMEOUT_MS = 2_000;
    static final int READ_TIMEOUT_MS = 5_000;
    /** The longest reply line a test accepts; a server that never sends a newline must not fill the heap. */
    private static final int MAX_REPLY_BYTES = 16 * 1024 * 1024;

    /** Socket options to set before connecting (buffer sizes must be set then to take effect). */
    interface Setup {
        void apply(Socket socket) throws IOException;
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private long nextId = 1;

    private TestClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
        this.out = socket.getOutputStream();
    }

    static TestClient connect(int port) throws IOException {
        return connect(port, socket -> {});
    }

    static TestClient connect(int port, Setup setup) throws IOException {
        Socket socket = new Socket();
        try {
            setup.apply(socket);
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), CONNECT_TIMEOUT_MS);
            socket.setSoTimeout(READ_TIMEOUT_MS);
            socket.setTcpNoDelay(true);
            return new TestClient(socket);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** A client over a socket already connected (and, for TLS, handshaken) by the test; it sets no options. */
    static TestClient over(Socket socket) throws IOException {
        return new TestClient(socket);
    }

    Socket socket() {
        return socket;
    }

    /** The buffered input the reply reader uses: read raw bytes through this, never the socket's own stream. */
    InputStream input() {
        return in;
    }

    // ------------------------------------------------------------ typed requests

    /** Sends {@code request} with the next id and reads its reply, which must echo that id. */
    Reply call(Request request) throws IOException {
        long id = nextId++;
        send(Json.writeRequest(LongNode.valueOf(id), request));
        Reply reply = readReply();
        assertNotNull(reply.id(), () -> "reply to " + request + " has no id: " + reply);
        assertTrue(
                reply.id().isIntegralNumber() && reply.id().longValue() == id,
                () -> "reply to request " + id + " (" + request + ") carries id " + reply.id() + ": out of order?");
        return reply;
    }

    /** Calls {@code request}, requires success, and reads its result as {@code type}. */
    <T> T ok(Request request, Class<T> type) throws IOException {
        Reply reply = call(request);
        assertTrue(reply.ok(), () -> "expected " + request + " to succeed, got " + reply.error());
        assertNotNull(reply.result(), () -> "success without a result: " + reply);
        return Json.convert(reply.result(), type);
    }

    /** Calls {@code request} and requires a failure: the reply's error. */
    Failure fail(Request request) throws IOException {
        Reply reply = call(request);
        assertFalse(reply.ok(), () -> "expected " + request + " to fail, got " + reply.result());
        assertNotNull(reply.error(), () -> "failure without an error: " + reply);
        assertNotNull(reply.error().code(), () -> "failure without a code: " + reply);
        return reply.error();
    }

    /** Calls {@code request} and requires a failure: its code. */
    ErrorCode error(Request request) throws IOException {
        return fail(request).code();
    }

    /** The least PBKDF2 work the server takes: tests register quickly, the exchange is the same. */
    static final int ITERATIONS = Scram.MIN_ITERATIONS;

    /** Registers {@code user} as a client does: the verifier of {@code password}, never the password. */
    Result.User register(String user, String password) throws IOException {
        return ok(registration(user, password), Result.User.class);
    }

    /** The register request a client sends for {@code user} and {@code password}. */
    static Request.Register registration(String user, String password) {
        return new Request.Register(
                user, Scram.newKeys(password.toCharArray(), ITERATIONS).verifier());
    }

    /** Logs in with SCRAM-SHA-256, requires success, and checks the server's signature. */
    Result.User login(String user, String password) throws IOException {
        Reply reply = loginCall(user, password);
        assertTrue(reply.ok(), () -> "expected the login of " + user + " to succeed, got " + reply.error());
        Result.User logged = Json.convert(reply.result(), Result.User.class);
        return new Result.User(logged.user(), logged.role()); // its server_final is checked: compare the rest
    }

    /**
     * Runs both steps of a SCRAM-SHA-256 login (or the first, if it is refused) and returns the last reply; on
     * success, requires the server's signature to be right.
     */
    Reply loginCall(String user, String password) throws IOException {
        try {
            return Scram.login(this::call, Scram.ClientExchange.withPassword(user, password.toCharArray()));
        } catch (ScramException e) {
            throw new AssertionError("the server's SCRAM messages are wrong: " + e.getMessage(), e);
        }
    }

    /** A login that must fail: its error. */
    Failure loginFailure(String user, String password) throws IOException {
        Reply reply = loginCall(user, password);
        assertFalse(reply.ok(), () -> "expected the login of " + user + " to fail");
        return reply.error();
    }

    /** A login that must fail: its code. */
    ErrorCode loginError(String user, String password) throws IOException {
        return loginFailure(user, password).code();
    }

    Result.Account balance(String account) throws IOException {
        return ok(new Request.Balance(account), Result.Account.class);
    }

    Result.Report report() throws IOException {
        return ok(new Request.Report(), Result.Report.class);
    }

    // ------------------------------------------------------------ raw lines

    /** Writes {@code line} and a newline, as one write. */
    void send(String line) throws IOException {
        write((line + "\n").getBytes(StandardCharsets.UTF_8));
    }

    void write(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Sends a raw line and reads the reply to it. */
    Reply callLine(String line) throws IOException {
        send(line);
        return readReply();
    }

    /** Reads one reply line; the server must not close the connection instead. */
    Reply readReply() throws IOException {
        String line = readLine();
        assertNotNull(line, "the server closed the connection instead of replying");
        return Json.parseReply(line);
    }

    /**
     * The next line without its newline, or {@code null} if the server closed the connection at a line
     * boundary. A close in the middle of a line fails: a reply was cut short.
     */
    String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(256);
        while (true) {
            int b = in.read();
            if (b < 0) {
                if (line.size() > 0) {
                    throw new AssertionError("the connection ended in the middle of a reply line: "
                            + line.toString(StandardCharsets.UTF_8));
                }
                return null;
            }
            if (b == '\n') {
                return strictUtf8(line.toByteArray());
            }
            if (line.size() == MAX_REPLY_BYTES) {
                throw new AssertionError("a reply line longer than " + MAX_REPLY_BYTES + " bytes");
            }
            line.write(b);
        }
    }

    /** Requires that the server has closed the connection: the next read sees end of stream, not data, not a reset. */
    void assertClosedByServer() throws IOException {
        int b;
        try {
            b = in.read();
        } catch (SocketException e) {
            throw new AssertionError("the server reset the connection instead of closing it: " + e, e);
        }
        assertEquals(-1, b, "expected the server to close the connection, but it sent more data");
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    private static String strictUtf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new AssertionError("the server sent a reply line that is not UTF-8", e);
        }
    }
}
