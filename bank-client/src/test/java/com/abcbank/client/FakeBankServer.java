package com.abcbank.client;

import static org.junit.jupiter.api.Assertions.assertFalse;

import com.abcbank.ledger.ErrorCode;
import com.abcbank.protocol.Failure;
import com.abcbank.protocol.Json;
import com.abcbank.protocol.Reply;
import com.abcbank.protocol.Request;
import com.abcbank.protocol.Result;
import com.abcbank.protocol.Scram;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.ongres.scram.common.ClientFirstMessage;
import com.ongres.scram.common.ScramFunctions;
import com.ongres.scram.common.ServerFinalMessage;
import com.ongres.scram.common.ServerFirstMessage;
import com.ongres.scram.common.exception.ScramException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * A stand-in for the bank on 127.0.0.1, port 0: it accepts one connection per script, in turn, and runs the
 * script against it, recording every request line it reads. Once the last connection is accepted it stops
 * listening, so a client that tries once more is refused at once (not left waiting for an answer). Replies are
 * made with the real protocol classes, and requests are read with the server's own strict parser, so a request
 * the real server would refuse fails here too.
 */
final class FakeBankServer implements AutoCloseable {
    /** What the server does with its one connection. */
    interface Script {
        void run(Lines in, PrintWriter out) throws Exception;
    }

    /** The connection's request lines, recorded as they are read. */
    final class Lines {
        private final BufferedReader reader;

        Lines(BufferedReader reader) {
            this.reader = reader;
        }

        /** The next request line, or null when the client closed the connection. */
        String next() throws IOException {
            String line = reader.readLine();
            if (line != null) {
                received.add(line);
            }
            return line;
        }
    }

    private final ServerSocket socket;
    private final Thread thread;
    private final List<String> received = Collections.synchronizedList(new ArrayList<>());
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean closed;

    /** @param scripts one per connection, in the order the connections come */
    FakeBankServer(Script... scripts) throws IOException {
        socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        thread = new Thread(
                () -> {
                    CURRENT.set(this);
                    try {
                        for (int i = 0; i < scripts.length; i++) {
                            try (Socket connection = socket.accept()) {
                                if (i == scripts.length - 1) {
                                    socket.close(); // no more connections expected: refuse any at once
                                }
                                connection.setSoTimeout(10_000); // a test that goes wrong fails instead of hanging
                                Lines in = new Lines(new BufferedReader(
                                        new InputStreamReader(connection.getInputStream(), StandardCharsets.UTF_8)));
                                PrintWriter out = new PrintWriter(
                                        new OutputStreamWriter(connection.getOutputStream(), StandardCharsets.UTF_8),
                                        true);
                                scripts[i].run(in, out);
                            }
                        }
                    } catch (Throwable t) {
                        if (!closed) {
                            failure.set(t);
                        }
                    }
                },
                "fake-bank");
        thread.setDaemon(true); // a stuck script must not hang the build
        thread.start();
    }

    /** Answers every request with {@code answer}'s result (a Result record) or refusal (a {@link Failure}). */
    static Script answering(Function<Request, Object> answer) {
        return (in, out) -> answerUntilClosed(in, out, answer);
    }

    static void answerUntilClosed(Lines in, PrintWriter out, Function<Request, Object> answer) throws IOException {
        for (String line = in.next(); line != null; line = in.next()) {
            out.println(reply(line, answer));
        }
    }

    /**
     * Answers the first request of a connection, the way in: a register (one line), or a login, whose two steps
     * (login, login_final) are both read and answered here.
     */
    static void logIn(Lines in, PrintWriter out, Function<Request, Object> answer) throws IOException {
        String line = in.next();
        String reply = reply(line, answer);
        out.println(reply);
        if (Json.parseRequest(line).request() instanceof Request.Login
                && Json.parseReply(reply).ok()) {
            out.println(reply(in.next(), answer));
        }
    }

    /**
     * The reply line to one request line. The SCRAM login is played for real: {@code login} is answered with a
     * server-first-message if {@code answer} lets it through (answers it with anything but a {@link Failure}), and
     * {@code login_final} is checked against the verifier of a user registered on this server, else against the
     * keys of each of {@link #PASSWORDS}: the right proof gets the server's true signature, which the client checks.
     */
    static String reply(String line, Function<Request, Object> answer) {
        Json.Parsed parsed = Json.parseRequest(line);
        if (parsed.failure() != null) {
            return Json.write(Reply.failure(parsed.id(), parsed.failure()));
        }
        // login_final is the fake's own business: the test's answer let the login through at its first step.
        Object result = parsed.request() instanceof Request.LoginFinal ? null : answer.apply(parsed.request());
        if (!(result instanceof Failure)) {
            result = CURRENT.get().scram(parsed.request(), result);
        }
        return Json.write(
                result instanceof Failure failure
                        ? Reply.failure(parsed.id(), failure)
                        : Reply.success(parsed.id(), Json.tree(result)));
    }

    /** The passwords a test may log in with, unless it registered its user on this server. */
    static final List<String> PASSWORDS = List.of("pw", "from-file", "from-env", "chosen-password", "secret-password");

    private static final ThreadLocal<FakeBankServer> CURRENT = new ThreadLocal<>();
    private static final byte[] SALT = "fake-bank-salt16".getBytes(StandardCharsets.US_ASCII);

    /**
     * Verifiers registered, by user: on any fake server of this JVM, since a client saves the keys it enrolled with
     * and logs in with them at the next server a test starts.
     */
    private static final Map<String, Scram.Verifier> registered = new ConcurrentHashMap<>();
    /** The secret each successful login used: a password of {@link #PASSWORDS}, or "registered". */
    private final List<String> loggedInWith = Collections.synchronizedList(new ArrayList<>());

    private ClientFirstMessage clientFirst;
    private ServerFirstMessage serverFirst;

    private Object scram(Request request, Object result) {
        try {
            if (request instanceof Request.Register r) {
                registered.put(r.user(), r.verifier());
            } else if (request instanceof Request.Login l) {
                clientFirst = ClientFirstMessage.parseFrom(l.clientFirst());
                Scram.Verifier known = registered.get(clientFirst.getUsername());
                serverFirst = new ServerFirstMessage(
                        clientFirst.getClientNonce(),
                        "fake-server-nonce",
                        Scram.base64(known == null ? SALT : known.salt()),
                        known == null ? Scram.MIN_ITERATIONS : known.iterations());
                return new Result.Challenge(serverFirst.toString());
            } else if (request instanceof Request.LoginFinal f) {
                String user = clientFirst.getUsername();
                String authMessage = ScramFunctions.authMessage(clientFirst, serverFirst, null);
                byte[] proof = Scram.fromBase64(
                        f.clientFinal().substring(f.clientFinal().lastIndexOf(",p=") + 3));
                Map<String, Scram.Verifier> candidates = new LinkedHashMap<>();
                if (registered.containsKey(user)) {
                    candidates.put("registered", registered.get(user));
                }
                byte[] salt = Scram.fromBase64(serverFirst.getSalt());
                PASSWORDS.forEach(p -> candidates.put(
                        p,
                        Scram.derive(p.toCharArray(), salt, serverFirst.getIterationCount())
                                .verifier()));
                for (Map.Entry<String, Scram.Verifier> candidate : candidates.entrySet()) {
                    Scram.Verifier v = candidate.getValue();
                    if (ScramFunctions.verifyClientProof(Scram.MECHANISM, proof, v.storedKey(), authMessage)) {
                        loggedInWith.add(candidate.getKey());
                        byte[] signature = ScramFunctions.serverSignature(Scram.MECHANISM, v.serverKey(), authMessage);
                        String role = user.equalsIgnoreCase("Audit") ? "AUDITOR" : "CUSTOMER";
                        return new Result.User(user, role, new ServerFinalMessage(signature).toString());
                    }
                }
                return refuse(ErrorCode.BAD_CREDENTIALS, "unknown user or wrong password");
            }
        } catch (ScramException e) {
            return refuse(ErrorCode.MALFORMED_REQUEST, e.getMessage());
        }
        return result;
    }

    /** The secret each successful login used, in order: a password of {@link #PASSWORDS}, or "registered". */
    List<String> loggedInWith() throws InterruptedException {
        received();
        return List.copyOf(loggedInWith);
    }

    /** How {@link #logins} shows a login of {@code user}, both steps together. */
    static Request login(String user) {
        return new Request.Login(null, user, null);
    }

    /** The requests read, a login's two steps shown as one {@link #login}. */
    List<Request> logins() throws InterruptedException {
        return requests().stream()
                .filter(r -> !(r instanceof Request.LoginFinal))
                .map(r -> r instanceof Request.Login l ? login(l.scramUser()) : r)
                .toList();
    }

    static Failure refuse(ErrorCode code, String message) {
        return new Failure(code, message);
    }

    int port() {
        return socket.getLocalPort();
    }

    /** Waits for the script to end (the client closed the connection), then gives every request line read. */
    List<String> received() throws InterruptedException {
        thread.join(10_000);
        assertFalse(thread.isAlive(), "the fake server's script did not finish");
        if (failure.get() != null) {
            throw new AssertionError("the fake server failed", failure.get());
        }
        return List.copyOf(received);
    }

    /** Every request line read until now, without waiting for the script to end: for a server that may see none. */
    List<String> requestsSoFar() {
        return List.copyOf(received);
    }

    /** The requests read, parsed by the server's parser. */
    List<Request> requests() throws InterruptedException {
        return received().stream()
                .map(line -> Json.parseRequest(line).request())
                .toList();
    }

    /** {@code request} as it would be without its idempotency key: to compare what was sent, key aside. */
    static Request withoutKey(Request request) {
        try {
            ObjectNode wire = (ObjectNode) new ObjectMapper().readTree(Json.writeRequest(null, request));
            wire.remove("key");
            return Json.parseRequest(wire.toString()).request();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        socket.close();
        thread.interrupt();
    }

    /**
     * A port on which nothing listens: connecting to it is refused at once. It is held by a socket that is bound and
     * never listens nor connects, for the life of the JVM: a port merely closed could be taken again, by a server or
     * as the local port of a client's own connection to it (which then connects to itself, not refused).
     */
    static synchronized int closedPort() throws IOException {
        if (held == null) {
            Socket socket = new Socket();
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            held = socket;
        }
        return held.getLocalPort();
    }

    /** The socket that holds {@link #closedPort}; never closed. */
    private static Socket held;
}
