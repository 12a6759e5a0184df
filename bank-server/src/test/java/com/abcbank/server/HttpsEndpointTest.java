package com.abcbank.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP side on a server with a TLS keystore: HTTPS only, TLS 1.3 only, the TCP side's certificate. */
class HttpsEndpointTest {
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    /** Every request here ends (answered or refused) well within this. */
    private static final Duration BOUND = Duration.ofSeconds(20);

    @TempDir
    static Path keys;

    private static TestCertificates certificates;
    private static SSLContext trusting;

    @TempDir
    Path dataDir;

    private TestServer bank;

    @BeforeAll
    static void makeKeys() throws Exception {
        certificates = TestCertificates.make(keys);
        trusting = certificates.clientContext();
    }

    @AfterEach
    void stop() {
        if (bank != null) {
            bank.close();
        }
    }

    private int startWithTls() throws IOException {
        bank = TestServer.start(
                TestServer.config(dataDir).withTls(certificates.tls()).withHttp(new ServerConfig.Http(0)));
        return bank.server.httpPort();
    }

    private static HttpClient client(SSLContext context, String... protocols) {
        return HttpClient.newBuilder()
                .sslContext(context)
                .sslParameters(new SSLParameters(null, protocols))
                .connectTimeout(REQUEST_TIMEOUT)
                .build();
    }

    private static HttpResponse<String> get(HttpClient client, String url) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                .timeout(REQUEST_TIMEOUT)
                .GET()
                .build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void healthAnswersOverHttpsToAClientThatTrustsTheCertificate() throws Exception {
        int port = startWithTls();
        HttpResponse<String> health = get(client(trusting, "TLSv1.3"), "https://127.0.0.1:" + port + "/health");
        assertEquals(200, health.statusCode(), health.body());
        assertTrue(health.body().contains("\"status\":\"ready\""), health.body());
        assertEquals("TLSv1.3", health.sslSession().orElseThrow().getProtocol());
        HttpResponse<String> metrics = get(client(trusting, "TLSv1.3"), "https://127.0.0.1:" + port + "/metrics");
        assertEquals(200, metrics.statusCode());
        assertTrue(metrics.body().contains("bank_connections_open"), metrics.body());
    }

    @Test
    void plainHttpOnTheHttpsPortGetsNoHealth() throws Exception {
        int port = startWithTls();
        HttpClient plain =
                HttpClient.newBuilder().connectTimeout(REQUEST_TIMEOUT).build();
        HttpResponse<String> response =
                assertTimeoutPreemptively(BOUND, () -> get(plain, "http://127.0.0.1:" + port + "/health"));
        assertEquals(400, response.statusCode(), response.body());
        assertTrue(response.body().contains("HTTP request to HTTPS port"), response.body());
        assertFalse(response.body().contains("ready"), response.body());
    }

    @Test
    void aTls12OnlyClientIsRefused() throws Exception {
        int port = startWithTls();
        HttpClient old = client(trusting, "TLSv1.2");
        assertTimeoutPreemptively(BOUND, () -> {
            // A handshake refusal (protocol_version), not a plaintext port's "Unrecognized SSL message".
            assertThrows(SSLHandshakeException.class, () -> get(old, "https://127.0.0.1:" + port + "/health"));
        });
    }

    @Test
    void withoutAKeystoreHttpIsPlainAsBefore() throws Exception {
        bank = TestServer.start(TestServer.config(dataDir).withHttp(new ServerConfig.Http(0)));
        int port = bank.server.httpPort();
        HttpResponse<String> health = get(
                HttpClient.newBuilder().connectTimeout(REQUEST_TIMEOUT).build(),
                "http://127.0.0.1:" + port + "/health");
        assertEquals(200, health.statusCode(), health.body());
        assertTrue(health.sslSession().isEmpty(), "plain HTTP has no TLS session");
        assertThrows(
                IOException.class,
                () -> get(client(trusting, "TLSv1.3"), "https://127.0.0.1:" + port + "/health"),
                "no HTTPS without a keystore");
    }
}
