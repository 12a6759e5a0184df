package com.abcbank.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.abcbank.ledger.ErrorCode;
import com.abcbank.protocol.Request;
import com.abcbank.protocol.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk: the journal's segment is {@code /dev/full}, where every write fails with ENOSPC. The server must
 * not acknowledge what it could not keep, must refuse further requests with a clear error instead of dying or
 * lying, and after a restart on a working disk must show nothing of what it refused.
 */
class ServerStorageFailureTest {
    private static final Path FULL = Path.of("/dev/full");

    @TempDir
    Path dataDir;

    @Test
    void aJournalThatCannotBeWrittenStopsMoneyMovementWithoutAcknowledgingIt() throws Exception {
        assumeTrue(Files.exists(FULL), "needs Linux's /dev/full");
        Path segment = dataDir.resolve("journal").resolve("journal-00000000000000000001.log");
        Files.createDirectories(segment.getParent());
        Files.createSymbolicLink(segment, FULL);

        try (TestServer server = TestServer.start(TestServer.config(dataDir))) {
            TestClient alice = server.customer("Alice");
            var first = alice.fail(new Request.CreateAccount("1001", 50_000L));
            assertEquals(ErrorCode.STORAGE_FAILED, first.code(), first::toString);
            assertTrue(first.message().contains("may or may not"), first::message);

            // From now on: refused at once, clearly, and the server is still there to say so.
            var second = alice.fail(new Request.Deposit("1001", 100));
            assertEquals(ErrorCode.STORAGE_FAILED, second.code());
            assertTrue(second.message().contains("until restarted"), second::message);
            assertEquals(ErrorCode.STORAGE_FAILED, alice.error(new Request.Balance("1001")));
            TestClient bob = server.connect();
            assertEquals("Bob", bob.register("Bob", TestServer.PASSWORD).user(), "the server still serves logins");
        }

        // The disk is mended (the segment is a plain file again): nothing refused was kept.
        Files.delete(segment);
        try (TestServer server = TestServer.start(TestServer.config(dataDir))) {
            TestClient alice = server.connect();
            alice.login("Alice", TestServer.PASSWORD);
            assertEquals(ErrorCode.UNKNOWN_ACCOUNT, alice.error(new Request.Balance("1001")));
            assertEquals(
                    Result.Tx.class,
                    alice.ok(new Request.CreateAccount("1001", 50_000L), Result.Tx.class)
                            .getClass());
            assertEquals(50_000, alice.balance("1001").balance());
        }
    }
}
