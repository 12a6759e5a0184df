package com.abcbank.client;

import static org.junit.jupiter.api.Assertions.assertFalse;

import com.abcbank.ledger.ErrorCode;
import com.abcbank.protocol.Failure;
import com.abcbank.protocol.Json;
import com.abcbank.protocol.Reply;
import com.abcbank.protocol.Request;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
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

    /** The reply line to one request line. */
    static String reply(String line, Function<Request, Object> answer) {
        Json.Parsed parsed = Json.parseRequest(line);
        if (parsed.failure() != null) {
            return Json.write(Reply.failure(parsed.id(), parsed.failure()));
        }
        Object result = answer.apply(parsed.request());
        return Json.write(
                result instanceof Failure failure
                        ? Reply.failure(parsed.id(), failure)
                        : Reply.success(parsed.id(), Json.tree(result)));
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

    /** A port on which nothing listens: connecting to it is refused at once. */
    static int closedPort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }
}
