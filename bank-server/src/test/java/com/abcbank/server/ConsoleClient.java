package com.abcbank.server;

import com.abcbank.protocol.Scram;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.ongres.scram.common.exception.ScramException;
import java.io.IOException;
import java.net.CookieManager;
import java.net.HttpCookie;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A browser's side of the console's API, for tests: its own cookie jar, SCRAM sign-in with the client half the CLI
 * uses ({@link Scram.ClientExchange}), the CSRF header on every POST, and a live feed read line by line.
 */
final class ConsoleClient {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String base;
    private final CookieManager cookies = new CookieManager();
    private final HttpClient http;
    private String csrf;

    ConsoleClient(int port) {
        this.base = "http://127.0.0.1:" + port;
        this.http = HttpClient.newBuilder()
                .cookieHandler(cookies)
                .connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** An answer: its status and its body as JSON (an empty object when there is none). */
    record Answer(int status, JsonNode body, HttpResponse<String> response) {
        String code() {
            return body.path("error").path("code").asText(null);
        }

        JsonNode result() {
            return body.path("result");
        }
    }

    /** A new client of {@code bank}'s console, signed in as {@code user} (failing the test if it cannot). */
    static ConsoleClient signedIn(TestServer bank, String user, String password)
            throws IOException, InterruptedException {
        ConsoleClient console = new ConsoleClient(bank.server.httpPort());
        Answer answer = console.signIn(user, password);
        if (answer.status() != 200) {
            throw new AssertionError("could not sign in as " + user + ": " + answer.body());
        }
        return console;
    }

    /** Signs in with SCRAM over the two steps; the answer of the last step taken (200 when signed in). */
    Answer signIn(String user, String password) throws IOException, InterruptedException {
        Scram.ClientExchange exchange = Scram.ClientExchange.withPassword(user, password.toCharArray());
        Answer first = post("/api/login", "{\"client_first\":" + quote(exchange.clientFirst()) + "}", false);
        if (first.status() != 200) {
            return first;
        }
        String clientFinal;
        try {
            clientFinal = exchange.clientFinal(first.body().get("server_first").asText());
        } catch (ScramException e) {
            throw new AssertionError("the server's first message is not SCRAM: " + first.body(), e);
        }
        Answer last = post(
                "/api/login/final",
                "{\"login\":" + quote(first.body().get("login").asText()) + ",\"client_final\":" + quote(clientFinal)
                        + "}",
                false);
        if (last.status() == 200) {
            try {
                exchange.checkServerFinal(last.body().get("server_final").asText());
            } catch (ScramException e) {
                throw new AssertionError("the server's signature does not check: " + last.body(), e);
            }
            csrf = last.body().get("csrf").asText();
        }
        return last;
    }

    /** A bank operation: {@code request} is a TCP request line without its id. */
    Answer op(String request) throws IOException, InterruptedException {
        return post("/api/op", request, true);
    }

    Answer get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
    }

    /** A POST with a JSON body, with the session's CSRF token when {@code withCsrf}. */
    Answer post(String path, String json, boolean withCsrf) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        if (withCsrf && csrf != null) {
            request.header(Console.CSRF_HEADER, csrf);
        }
        return send(request);
    }

    /** A request as the caller builds it (other headers, another body type), sent with this client's cookies. */
    Answer send(HttpRequest.Builder request) throws IOException, InterruptedException {
        HttpResponse<String> response =
                http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        String body = response.body();
        JsonNode tree = body.isEmpty() || !body.startsWith("{") ? JSON.createObjectNode() : JSON.readTree(body);
        return new Answer(response.statusCode(), tree, response);
    }

    String csrf() {
        return csrf;
    }

    String base() {
        return base;
    }

    /** The session cookie as the jar keeps it, or null. */
    HttpCookie sessionCookie() {
        List<HttpCookie> all = cookies.getCookieStore().getCookies();
        return all.stream()
                .filter(c -> c.getName().equals(Console.COOKIE))
                .findFirst()
                .orElse(null);
    }

    /** Opens the live feed; its events arrive in the returned {@link Feed}. */
    Feed feed() {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/api/events"))
                .header("Accept", "text/event-stream")
                .GET()
                .build();
        Feed feed = new Feed();
        feed.response = http.sendAsync(request, HttpResponse.BodyHandlers.ofLines())
                .thenApply(response -> {
                    feed.status = response.statusCode();
                    Thread reader = new Thread(() -> feed.read(response.body()), "test-feed-reader");
                    reader.setDaemon(true);
                    reader.start();
                    return response;
                });
        return feed;
    }

    /** A live feed's events as they arrive: {@code name} is the SSE event name, {@code data} its JSON. */
    static final class Feed implements AutoCloseable {
        record Event(String name, JsonNode data) {}

        private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
        /** Every event taken off the queue, in order; guarded by itself. */
        private final List<Event> seen = new java.util.ArrayList<>();
        /** Per event name, the index in {@link #seen} after the last one returned. */
        private final java.util.Map<String, Integer> taken = new java.util.HashMap<>();

        private volatile CompletableFuture<HttpResponse<Stream<String>>> response;
        private volatile int status;
        private volatile Stream<String> lines;

        private void read(Stream<String> body) {
            lines = body;
            String[] name = {"message"};
            try {
                body.forEach(line -> {
                    if (line.startsWith("event:")) {
                        name[0] = line.substring(6).strip();
                    } else if (line.startsWith("data:")) {
                        try {
                            events.add(new Event(
                                    name[0], JSON.readTree(line.substring(5).strip())));
                        } catch (IOException e) {
                            throw new AssertionError("an SSE data line that is not JSON: " + line, e);
                        }
                    } else if (line.isEmpty()) {
                        name[0] = "message";
                    }
                });
            } catch (RuntimeException e) {
                // the stream was closed under us: the test is done with it
            }
        }

        /** The response's status, once its headers came (waits up to 10 s). */
        int status() throws Exception {
            response.get(10, TimeUnit.SECONDS);
            return status;
        }

        /**
         * The next event named {@code name} within {@code timeoutMs}: the first after the last one this returned for
         * that name (events of other names stay, in order, for their own calls); null if none came.
         */
        Event next(String name, long timeoutMs) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
            synchronized (seen) {
                while (true) {
                    events.drainTo(seen);
                    int from = taken.getOrDefault(name, 0);
                    for (int i = from; i < seen.size(); i++) {
                        if (seen.get(i).name().equals(name)) {
                            taken.put(name, i + 1);
                            return seen.get(i);
                        }
                    }
                    taken.put(name, seen.size());
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return null;
                    }
                    Event arrived = events.poll(left, TimeUnit.NANOSECONDS);
                    if (arrived == null) {
                        return null;
                    }
                    seen.add(arrived);
                }
            }
        }

        @Override
        public void close() {
            Stream<String> open = lines;
            if (open != null) {
                open.close();
            }
            response.cancel(true);
        }
    }

    static String quote(String text) {
        return JSON.getNodeFactory().textNode(text).toString();
    }
}
