package com.abcbank.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abcbank.protocol.Request;
import com.abcbank.protocol.Result;
import com.abcbank.server.bench.BigBank;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The generator of scripts/bigbank.sh writes a bank the real server starts on (from the snapshot, then the tail),
 * with the counts it was asked for, balanced books that verify from the first journal record, and users who can
 * log in; and the same seed gives the same bank.
 */
class BigBankTest {
    private static final int ACCOUNTS = 400;
    private static final int USERS = 50;
    private static final long TRANSACTIONS = 3_000;
    private static final long TAIL = 250;

    @TempDir
    Path tmp;

    private static int generate(Path dir, long seed) {
        return new CommandLine(new BigBank())
                .execute(
                        "--dir", dir.toString(),
                        "--accounts", Integer.toString(ACCOUNTS),
                        "--users", Integer.toString(USERS),
                        "--transactions", Long.toString(TRANSACTIONS),
                        "--tail", Long.toString(TAIL),
                        // restarts mid-way, so that the generator's restore path is what wrote the journal
                        "--restart-every", "900",
                        "--seed", Long.toString(seed));
    }

    @Test
    void theServerStartsOnTheGeneratedBankWithItsCountsAndBalancedBooks() throws Exception {
        Path dir = tmp.resolve("bank");
        assertEquals(0, generate(dir, 7));
        Properties manifest = manifest(dir);
        assertEquals(Long.toString(TRANSACTIONS), manifest.getProperty("transactions"));
        assertEquals(Long.toString(TRANSACTIONS - TAIL), manifest.getProperty("snapshotSeq"));
        try (Stream<Path> snapshots = Files.list(dir.resolve("snapshots"))) {
            assertEquals(
                    List.of(String.format("snapshot-%020d.snap", TRANSACTIONS - TAIL)),
                    snapshots.map(p -> p.getFileName().toString()).toList());
        }

        try (TestServer server = TestServer.start(TestServer.config(dir))) {
            TestClient audit = server.audit();
            Result.Report report = audit.report();
            assertEquals(TRANSACTIONS, report.transactions());
            assertEquals(0, report.sum());
            assertTrue(report.balanced());
            assertEquals(ACCOUNTS * 95 / 100, report.accounts().get("checking"));
            assertEquals(ACCOUNTS * 5 / 100, report.accounts().get("loan"));
            assertEquals(USERS, report.customers());
            assertEquals(
                    Long.parseLong(manifest.getProperty("checkingTotalCents")),
                    report.totals().get("checking"));

            Result.Verify verify = audit.ok(new Request.Verify(), Result.Verify.class);
            assertTrue(verify.ok(), () -> String.valueOf(verify.problems()));
            assertEquals(TRANSACTIONS, verify.transactions(), "verify re-reads the journal from its first record");

            // A customer whose users-file line was copied from the registered one logs in with the shared password.
            String password = Files.readString(
                            dir.resolve(manifest.getProperty("passwordFile")), StandardCharsets.UTF_8)
                    .strip();
            TestClient customer = server.connect();
            customer.login(manifest.getProperty("sample.user2"), password);
            Result.History history = customer.ok(
                    new Request.History(manifest.getProperty("sample.account2"), 0L, 5), Result.History.class);
            assertEquals(5, history.entries().size(), "an early page, read from the journal before the snapshot");
            assertEquals("OPEN_ACCOUNT", history.entries().get(0).type().toUpperCase(Locale.ROOT));
        }
    }

    @Test
    void theSameSeedGivesTheSameBankAndAnotherSeedAnother() throws Exception {
        assertEquals(0, generate(tmp.resolve("a"), 3));
        assertEquals(0, generate(tmp.resolve("b"), 3));
        assertEquals(0, generate(tmp.resolve("c"), 4));
        assertEquals(balances(tmp.resolve("a")), balances(tmp.resolve("b")));
        assertNotEquals(balances(tmp.resolve("a")), balances(tmp.resolve("c")));
    }

    @Test
    void aDirectoryThatIsNotEmptyIsRefusedAndLeftAlone() throws Exception {
        Path dir = tmp.resolve("used");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("keep-me"), "x");
        assertEquals(2, generate(dir, 1), "a usage error");
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(dir.resolve("keep-me")), files.toList());
        }
    }

    /**
     * Every account with its holder, kind and balance, as the auditor sees them on a server started on {@code dir}.
     * Not the opening times: the simulated clock ends at the moment of generation.
     */
    private static List<String> balances(Path dir) throws IOException {
        try (TestServer server = TestServer.start(TestServer.config(dir))) {
            Result.Holders holders = server.audit().ok(new Request.ShowAccountholders(), Result.Holders.class);
            return holders.holders().stream()
                    .flatMap(holder -> holder.accounts().stream())
                    .map(a -> a.owner() + " " + a.account() + " " + a.kind() + " " + a.balance())
                    .toList();
        }
    }

    private static Properties manifest(Path dir) throws IOException {
        Properties manifest = new Properties();
        try (InputStream in = Files.newInputStream(dir.resolve(BigBank.MANIFEST))) {
            manifest.load(in);
        }
        return manifest;
    }
}
