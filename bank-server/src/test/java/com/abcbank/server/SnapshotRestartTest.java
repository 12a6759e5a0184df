package com.abcbank.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abcbank.journal.Durability;
import com.abcbank.ledger.LedgerConfig;
import com.abcbank.protocol.Request;
import com.abcbank.protocol.Result;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restart from a snapshot plus the journal after it shows the same bank as before: balances, the whole history
 * (older transactions now read from the journal on disk), idempotency keys, loan numbers; and verify still proves
 * it from the first record.
 */
class SnapshotRestartTest {
    @TempDir
    Path dataDir;

    private ServerConfig config() {
        return new ServerConfig(
                InetAddress.getLoopbackAddress(),
                0,
                dataDir,
                64,
                65_536,
                30_000,
                2_000,
                TestServer.PBKDF2_ITERATIONS,
                LedgerConfig.defaults(),
                Durability.FSYNC,
                10,
                false,
                1_000_000);
    }

    @Test
    void aRestartFromASnapshotShowsTheSameBankHistoryAndKeys() throws Exception {
        List<Result.Transaction> historyBefore;
        Result.History aliceBefore;
        Result.Report reportBefore;
        Result.Tx keyed;
        try (TestServer server = TestServer.start(config())) {
            TestClient alice = server.customer("Alice");
            TestClient bob = server.customer("Bob");
            alice.ok(new Request.CreateAccount("1001", 1_000_000L), Result.Tx.class);
            bob.ok(new Request.CreateAccount("2001", 500_000L), Result.Tx.class);
            for (int i = 0; i < 600; i++) {
                alice.ok(new Request.Transfer("1001", "2001", 100 + i), Result.Tx.class);
                bob.ok(new Request.Transfer("2001", "1001", 50 + i), Result.Tx.class);
            }
            keyed = alice.ok(new Request.ApplyLoan("1001", 10_000, "loan-key-1"), Result.Tx.class);
            historyBefore = allTransactions(server.audit());
            aliceBefore = alice.ok(new Request.History("1001", 700L, 50), Result.History.class);
            reportBefore = server.audit().report();
        } // clean shutdown: a snapshot as of the last transaction

        try (Stream<Path> snapshots = Files.list(dataDir.resolve("snapshots"))) {
            assertEquals(1, snapshots.count(), "a snapshot was written at shutdown");
        }
        try (TestServer server = TestServer.start(config())) {
            TestClient audit = server.audit();
            assertEquals(reportBefore, audit.report());
            assertEquals(historyBefore, allTransactions(audit), "history before the snapshot is read from the journal");
            TestClient alice = server.connect();
            alice.login("Alice", TestServer.PASSWORD);
            assertEquals(aliceBefore, alice.ok(new Request.History("1001", 700L, 50), Result.History.class));
            assertEquals(
                    keyed,
                    alice.ok(new Request.ApplyLoan("1001", 10_000, "loan-key-1"), Result.Tx.class),
                    "a retry after the restart returns the original loan");
            Result.Tx next = alice.ok(new Request.ApplyLoan("1001", 10_000), Result.Tx.class);
            assertEquals("L100002", next.loan());
            assertEquals(keyed.tx() + 1, next.tx());
            Result.Verify verify = audit.ok(new Request.Verify(), Result.Verify.class);
            assertTrue(verify.ok(), () -> verify.problems().toString());
            assertEquals(next.tx(), verify.transactions(), "verify reads the journal from its first record");
        }
    }

    @Test
    void aDamagedNewestSnapshotFallsBackToTheJournal() throws Exception {
        Result.Report before;
        try (TestServer server = TestServer.start(config())) {
            TestClient alice = server.customer("Alice");
            alice.ok(new Request.CreateAccount("1001", 1_000_000L), Result.Tx.class);
            alice.ok(new Request.Withdraw("1001", 1_234), Result.Tx.class);
            before = server.audit().report();
        }
        Path snapshot;
        try (Stream<Path> snapshots = Files.list(dataDir.resolve("snapshots"))) {
            snapshot = snapshots.findFirst().orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(snapshot);
        bytes[bytes.length / 2] ^= 0x10;
        Files.write(snapshot, bytes);

        try (TestServer server = TestServer.start(config())) {
            assertEquals(before, server.audit().report());
        }
    }

    private static List<Result.Transaction> allTransactions(TestClient audit) throws Exception {
        List<Result.Transaction> all = new ArrayList<>();
        Long after = 0L;
        while (after != null) {
            Result.Transactions page =
                    audit.ok(new Request.ShowHistory(after, 97, null, null, null, null), Result.Transactions.class);
            all.addAll(page.entries());
            after = page.next();
        }
        return all;
    }
}
