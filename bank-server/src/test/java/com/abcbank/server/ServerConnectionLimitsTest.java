package com.abcbank.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abcbank.ledger.ErrorCode;
import com.abcbank.protocol.Reply;
import com.abcbank.protocol.Request;
import com.abcbank.protocol.Result;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Limits on connections that a flood cannot use to lock everybody out: at most so many per client address, and
 * places beyond the connection limit that only the auditor may take. Each test crosses the limit and shows the
 * server still serving.
 */
class ServerConnectionLimitsTest {
    @TempDir
    Path dataDir;

    private TestServer bank;

    @AfterEach
    void stop() {
        if (bank != null) {
            bank.close();
        }
    }

    private void awaitActiveConnections(int expected) {
        Awaitility.await()
                .atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(10))
                .until(() -> bank.server.activeConnections() == expected);
    }

    @Test
    void oneAddressGetsNoMoreThanItsShareAndGetsItBackAsItsConnectionsClose() throws IOException {
        bank = TestServer.start(
                TestServer.config(dataDir).withLimits(ServerConfig.Limits.DEFAULTS.withConnections(3, 0)));
        TestClient alice = bank.customer("Alice");
        TestClient second = bank.connect();
        TestClient third = bank.connect();
        awaitActiveConnections(3);

        TestClient fourth = bank.connect();
        Reply refused = fourth.readReply();
        assertEquals(ErrorCode.SERVER_BUSY, refused.error().code());
        assertTrue(refused.error().message().contains("too many connections from"), refused::toString);
        fourth.assertClosedByServer();

        alice.ok(new Request.CreateAccount("1001", 100L), Result.Tx.class);
        third.close();
        awaitActiveConnections(2);
        assertEquals("Alice", bank.connect().login("Alice", TestServer.PASSWORD).user(), "a place came back");
        assertEquals(100, alice.balance("1001").balance());
        second.close();
    }

    @Test
    void theAuditorsPlacesServeTheAuditorOnly() throws IOException {
        bank = TestServer.start(TestServer.config(dataDir, 2, 65_536, 30_000, 2_000)
                .withLimits(ServerConfig.Limits.DEFAULTS.withConnections(100, 1)));
        TestClient alice = bank.customer("Alice");
        TestClient bob = bank.customer("Bob");
        awaitActiveConnections(2);

        TestClient stranger = bank.connect(); // the one reserved place
        assertEquals(ErrorCode.SERVER_BUSY, stranger.loginError("Bob", TestServer.PASSWORD));
        stranger.assertClosedByServer();
        awaitActiveConnections(2);

        TestClient squatter = bank.connect();
        assertEquals(ErrorCode.SERVER_BUSY, squatter.error(TestClient.registration("Carol", TestServer.PASSWORD)));
        squatter.assertClosedByServer();
        awaitActiveConnections(2);

        TestClient auditor = bank.audit();
        Result.Report report = auditor.report();
        assertEquals(0, report.sum(), "the auditor got in, and the books balance");

        TestClient beyond = bank.connect(); // every place taken: refused at once
        assertEquals(ErrorCode.SERVER_BUSY, beyond.readReply().error().code());
        beyond.assertClosedByServer();

        alice.ok(new Request.CreateAccount("1001", 100L), Result.Tx.class);
        assertEquals(100, alice.balance("1001").balance(), "the customers within the limit are served");
        bob.close();
    }
}
