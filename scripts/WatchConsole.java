import com.abcbank.protocol.Scram;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

/**
 * A real browser on the console, for the scripts (scripts/http_cost.sh measures what a watching browser costs;
 * run_bank.sh --console --screenshot takes the README's picture): signs USER in over the console's API with SCRAM
 * (the password never leaves this process), starts Debian's chromedriver and a headless chromium through the W3C
 * WebDriver protocol (plain HTTP: no Selenium needed for five commands), hands the browser the session cookie, opens
 * the console on its Live tab, and prints {@code watching} once the page's live feed is connected.
 *
 * <p>Then it reads commands on standard input: {@code shot FILE} saves a screenshot as PNG, {@code tab NAME} clicks a
 * tab ({@code live}, {@code books}, ...); end of input (or {@code quit}) closes the browser and the driver.
 *
 * <p>With {@code --reader} there is no browser: this process reads the live feed itself and drops what it reads (the
 * server's side of a watcher, without a browser's rendering on the same cores); {@code shot} and {@code tab} are
 * then refused.
 *
 * <p>{@code java -cp bank-client.jar scripts/WatchConsole.java URL USER PASSWORD_FILE [--reader]}
 */
class WatchConsole {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private static final Duration WAIT = Duration.ofSeconds(60);

    public static void main(String[] args) throws Exception {
        if (args.length < 3 || args.length > 4 || (args.length == 4 && !args[3].equals("--reader"))) {
            System.err.println("usage: WatchConsole URL USER PASSWORD_FILE [--reader]");
            System.exit(2);
        }
        String base = args[0].replaceAll("/+$", "");
        String cookie = signIn(base, args[1], Files.readAllLines(Path.of(args[2])).get(0).strip());
        if (args.length == 4) {
            read(base, cookie);
            return;
        }
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Process driver = new ProcessBuilder("/usr/bin/chromedriver", "--port=" + port)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        String webdriver = "http://127.0.0.1:" + port;
        String session = null;
        try {
            session = newSession(webdriver);
            String at = webdriver + "/session/" + session;
            call("POST", at + "/url", "{\"url\":" + quote(base + "/health") + "}"); // the origin, to set its cookie
            ObjectNode add = JSON.createObjectNode();
            add.putObject("cookie")
                    .put("name", "bank_session")
                    .put("value", cookie)
                    .put("path", "/")
                    .put("httpOnly", true)
                    .put("sameSite", "Strict");
            call("POST", at + "/cookie", add.toString());
            call("POST", at + "/url", "{\"url\":" + quote(base + "/console/") + "}");
            waitFor(at, "return document.getElementById('feed-status').textContent === 'connected'");
            System.out.println("watching");
            System.out.flush();
            BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line; (line = commands.readLine()) != null && !line.equals("quit"); ) {
                if (line.startsWith("shot ")) {
                    JsonNode png = call("GET", at + "/screenshot", null);
                    Files.write(Path.of(line.substring(5).strip()), Base64.getDecoder().decode(png.asText()));
                    System.out.println("shot");
                } else if (line.startsWith("tab ")) {
                    script(at, "document.getElementById('tab-" + line.substring(4).strip().replaceAll("[^a-z]", "")
                            + "').click(); return true");
                    System.out.println("tab");
                } else {
                    System.out.println("unknown command: " + line);
                }
                System.out.flush();
            }
        } finally {
            if (session != null) {
                try {
                    call("DELETE", webdriver + "/session/" + session, null);
                } catch (IOException e) {
                    System.err.println("WatchConsole: closing the browser: " + e.getMessage());
                }
            }
            driver.destroy();
        }
    }

    /** Reads the live feed on a thread of its own, dropping it, until standard input ends. */
    private static void read(String base, String cookie) throws Exception {
        HttpResponse<java.io.InputStream> feed = HTTP.send(
                HttpRequest.newBuilder(URI.create(base + "/api/events"))
                        .header("Accept", "text/event-stream")
                        .header("Cookie", "bank_session=" + cookie)
                        .build(),
                HttpResponse.BodyHandlers.ofInputStream());
        if (feed.statusCode() != 200) {
            throw new IllegalStateException("the live feed answered " + feed.statusCode());
        }
        Thread reader = new Thread(
                () -> {
                    byte[] buffer = new byte[64 * 1024];
                    try (java.io.InputStream in = feed.body()) {
                        while (in.read(buffer) >= 0) {
                            // dropped: only the server's side of watching is measured
                        }
                    } catch (IOException e) {
                        // the feed ended
                    }
                },
                "feed-reader");
        reader.setDaemon(true);
        reader.start();
        System.out.println("watching");
        System.out.flush();
        BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = commands.readLine()) != null && !line.equals("quit"); ) {
            System.out.println("no browser with --reader: " + line);
            System.out.flush();
        }
    }

    /** The console's two sign-in steps; the session cookie's value. */
    private static String signIn(String base, String user, String password) throws Exception {
        Scram.ClientExchange exchange = Scram.ClientExchange.withPassword(user, password.toCharArray());
        HttpResponse<String> first = post(base + "/api/login", "{\"client_first\":" + quote(exchange.clientFirst()) + "}");
        JsonNode challenge = JSON.readTree(first.body());
        if (first.statusCode() != 200) {
            throw new IllegalStateException("sign-in refused: " + first.body());
        }
        String clientFinal = exchange.clientFinal(challenge.get("server_first").asText());
        HttpResponse<String> last = post(
                base + "/api/login/final",
                "{\"login\":" + quote(challenge.get("login").asText()) + ",\"client_final\":" + quote(clientFinal) + "}");
        if (last.statusCode() != 200) {
            throw new IllegalStateException("sign-in refused: " + last.body());
        }
        exchange.checkServerFinal(JSON.readTree(last.body()).get("server_final").asText());
        for (String header : last.headers().allValues("Set-Cookie")) {
            if (header.startsWith("bank_session=")) {
                return header.substring("bank_session=".length(), header.indexOf(';'));
            }
        }
        throw new IllegalStateException("signed in, but no session cookie came");
    }

    private static String newSession(String webdriver) throws Exception {
        ObjectNode capabilities = JSON.createObjectNode();
        ObjectNode always = capabilities.putObject("capabilities").putObject("alwaysMatch");
        always.put("browserName", "chrome");
        ObjectNode chrome = always.putObject("goog:chromeOptions");
        chrome.put("binary", "/usr/bin/chromium");
        Path profile = Files.createTempDirectory("watch-console-profile");
        for (String arg : List.of(
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-quic",
                "--no-first-run",
                "--window-size=1280,900",
                "--user-data-dir=" + profile)) {
            chrome.withArray("args").add(arg);
        }
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) { // the driver takes a moment to listen
            try {
                return call("POST", webdriver + "/session", capabilities.toString()).get("sessionId").asText();
            } catch (java.net.ConnectException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100); // a script's wait for a process to listen, not a test's synchronisation
            }
        }
    }

    private static void waitFor(String at, String condition) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!script(at, condition).asBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the console did not get there within " + WAIT + ": " + condition);
            }
            Thread.sleep(100);
        }
    }

    private static JsonNode script(String at, String body) throws IOException, InterruptedException {
        return call("POST", at + "/execute/sync", "{\"script\":" + quote(body) + ",\"args\":[]}");
    }

    /** One WebDriver command; its {@code value}, or an exception with the driver's error. */
    private static JsonNode call(String method, String url, String body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(WAIT);
        request.method(
                method,
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode value = JSON.readTree(response.body()).path("value");
        if (response.statusCode() != 200) {
            throw new IOException("WebDriver " + method + " " + url + ": " + value.path("message").asText(response.body()));
        }
        return value;
    }

    private static HttpResponse<String> post(String url, String json) throws IOException, InterruptedException {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(WAIT)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(json))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String quote(String text) {
        return JSON.getNodeFactory().textNode(text).toString();
    }
}
