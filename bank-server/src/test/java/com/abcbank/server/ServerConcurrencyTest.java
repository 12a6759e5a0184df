package com.abcbank.server;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abcbank.ledger.ErrorCode;
import com.abcbank.protocol.Json;
import com.abcbank.protocol.Reply;
import com.abcbank.protocol.Request;
import com.abcbank.protocol.Result;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Conservation of money through the whole server: 64 clients, each on its own connection as its own customer
 * with two accounts, transfer at once between their own accounts, to other customers' accounts, and in
 * opposite directions within pairs (client t and t^1 send to each other: the pattern that deadlocks a server
 * that locks debit-then-credit), with deposits mixed in. Meanwhile the auditor asks for reports, each of which
 * must balance to zero. Afterwards the books must hold exactly the cash that came in, the journal must list
 * exactly the transactions that were acknowledged, and replaying its postings must give every balance
 * (Jepsen's bank test, over the wire).
 *
 * <p>The only acceptable refusal is {@code INSUFFICIENT_FUNDS}; anything else fails. Every wait is bounded
 * by a latch with a timeout; client threads are daemons, so a deadlock fails the test instead of hanging it.
 */
class ServerConcurrencyTest {
    private static final int CLIENTS = 64;
    private static final int OPS_PER_CLIENT = 150;
    private static final long OPENING_CENTS = 10_000;
    private static final int MAX_REPORTS_WHILE_RUNNING = 300;

    @TempDir
    Path dataDir;

    private TestServer bank;

    @BeforeEach
    void start() throws IOException {
        bank = TestServer.start(TestServer.config(dataDir, CLIENTS + 8, 65_536, 30_000, 2_000));
    }

    @AfterEach
    void stop() {
        bank.close();
    }

    private static String checking(int client) {
        return String.format("1%03d", client);
    }

    private static String savings(int client) {
        return String.format("2%03d", client);
    }

    @Test
    void sixtyFourClientsMovingMoneyAtOnceNeitherCreateNorDestroyAny() throws Exception {
        var ready = new CountDownLatch(CLIENTS);
        var startGate = new CountDownLatch(1);
        var endGate = new CountDownLatch(CLIENTS);
        var failure = new AtomicReference<Throwable>();
        var depositedCents = new AtomicLong(); // cash that came in: opening deposits and deposits
        var acknowledged = new AtomicLong(); // transactions the server said it committed
        var refused = new AtomicLong(); // INSUFFICIENT_FUNDS: a definite refusal, so the transfer did not happen

        for (int t = 0; t < CLIENTS; t++) {
            int client = t;
            Thread worker = new Thread(
                    () -> {
                        boolean counted = false;
                        try (TestClient connection = TestClient.connect(bank.port())) {
                            connection.register("user" + client, TestServer.PASSWORD);
                            connection.ok(new Request.CreateAccount(checking(client), OPENING_CENTS), Result.Tx.class);
                            connection.ok(new Request.CreateAccount(savings(client), OPENING_CENTS), Result.Tx.class);
                            depositedCents.addAndGet(2 * OPENING_CENTS);
                            acknowledged.addAndGet(2);
                            ready.countDown(); // every account exists before anyone transfers to it
                            counted = true;
                            if (!startGate.await(30, SECONDS)) {
                                throw new AssertionError("never started");
                            }
                            Random random = new Random(client); // seeded: replayable
                            int partner = client ^ 1;
                            for (int i = 0; i < OPS_PER_CLIENT; i++) {
                                long amount = 1L + random.nextInt(2_000);
                                int other = random.nextInt(CLIENTS);
                                Request request = switch (random.nextInt(10)) {
                                    case 0, 1, 2 -> new Request.Transfer(checking(client), checking(partner), amount);
                                    case 3 -> new Request.Transfer(savings(client), savings(partner), amount);
                                    case 4 ->
                                        new Request.Transfer(
                                                checking(client),
                                                random.nextBoolean() ? checking(other) : savings(other),
                                                amount);
                                    case 5 -> new Request.Transfer(savings(client), checking(client), amount);
                                    case 6 -> new Request.Transfer(checking(client), savings(client), amount);
                                    case 7 ->
                                        new Request.Deposit(
                                                random.nextBoolean() ? checking(other) : savings(other), amount);
                                    default ->
                                        new Request.Balance(random.nextBoolean() ? checking(client) : savings(client));
                                };
                                Reply reply = connection.call(request);
                                if (request instanceof Request.Balance) {
                                    assertTrue(reply.ok(), () -> request + ": " + reply.error());
                                    assertTrue(Json.convert(reply.result(), Result.Account.class)
                                                    .balance()
                                            >= 0);
                                } else if (reply.ok()) {
                                    acknowledged.incrementAndGet();
                                    Result.Tx tx = Json.convert(reply.result(), Result.Tx.class);
                                    assertEquals(amount, tx.amount());
                                    if (request instanceof Request.Deposit) {
                                        depositedCents.addAndGet(amount);
                                        assertTrue(tx.balance() >= amount, () -> "deposit left " + tx);
                                    } else {
                                        assertTrue(tx.fromBalance() >= 0, () -> "overdrawn: " + tx);
                                    }
                                } else if (request instanceof Request.Transfer transfer
                                        && transfer.from().equals(transfer.to())) {
                                    assertEquals(
                                            ErrorCode.SAME_ACCOUNT,
                                            reply.error().code());
                                } else {
                                    assertEquals(
                                            ErrorCode.INSUFFICIENT_FUNDS,
                                            reply.error().code(),
                                            () -> request + ": " + reply.error());
                                    refused.incrementAndGet();
                                }
                            }
                        } catch (Throwable e) {
                            failure.compareAndSet(null, e);
                        } finally {
                            if (!counted) {
                                ready.countDown(); // a failed setup must not hold the others back
                            }
                            endGate.countDown();
                        }
                    },
                    "client-" + client);
            worker.setDaemon(true); // a deadlocked server must not hang the build
            worker.start();
        }

        assertTrue(ready.await(30, SECONDS), "clients could not register and open accounts");
        assertNull(failure.get(), () -> "setup failed: " + failure.get());
        TestClient audit = bank.audit();
        startGate.countDown();

        // Reports taken while money moves: each one a consistent cut, so each balances.
        int reports = 0;
        while (endGate.getCount() > 0 && reports < MAX_REPORTS_WHILE_RUNNING) {
            Result.Report report = audit.report();
            assertEquals(0, report.sum(), "a report taken while money moved did not balance");
            assertEquals(
                    0,
                    report.totals().get("checking") + report.totals().get("internal"),
                    "no loans: checking mirrors the vault");
            reports++;
        }
        assertTrue(endGate.await(60, SECONDS), "clients stuck: deadlock?");
        if (failure.get() != null) {
            throw new AssertionError("a client failed", failure.get());
        }
        assertTrue(reports > 0);
        assertTrue(
                acknowledged.get() > CLIENTS * OPS_PER_CLIENT / 2,
                "most operations should have gone through: " + acknowledged);

        Result.Report report = audit.report();
        assertEquals(0, report.sum());
        assertTrue(report.balanced());
        assertEquals(depositedCents.get(), report.totals().get("checking"), "checking balances = cash that came in");
        assertEquals(-depositedCents.get(), report.totals().get("internal"));
        assertEquals(acknowledged.get(), report.transactions(), "every acknowledged transaction, and nothing else");
        assertEquals(2 * CLIENTS, report.accounts().get("checking"));
        assertEquals(CLIENTS, report.customers());

        Result.Holders holders = audit.ok(new Request.ShowAccountholders(), Result.Holders.class);
        assertEquals(CLIENTS, holders.holders().size());
        Map<String, Long> balances = new HashMap<>();
        for (Result.Holder holder : holders.holders()) {
            for (Result.Account account : holder.accounts()) {
                assertTrue(account.balance() >= 0, () -> "overdrawn: " + account);
                assertEquals(holder.user(), account.owner());
                balances.put(account.account(), account.balance());
            }
        }
        assertEquals(
                depositedCents.get(),
                balances.values().stream().mapToLong(Long::longValue).sum(),
                "the sum of all checking balances");

        // Replay: page through the journal, check each transaction balances, and rebuild every balance.
        Map<String, Long> replayed = new HashMap<>();
        long after = 0;
        long count = 0;
        while (true) {
            Result.Transactions page =
                    audit.ok(new Request.ShowHistory(after, 1_000, null, null, null, null), Result.Transactions.class);
            for (Result.Transaction tx : page.entries()) {
                assertEquals(++count, tx.tx(), "sequence numbers have no gaps");
                long sum = 0;
                for (Result.Posting posting : tx.postings()) {
                    sum += posting.amount();
                    long balance = replayed.merge(posting.account(), posting.amount(), Long::sum);
                    assertEquals(
                            balance,
                            posting.balance(),
                            () -> "tx " + tx.tx() + " posting's balance-after disagrees with replay");
                }
                assertEquals(0, sum, () -> "tx " + tx.tx() + " does not balance");
            }
            if (page.next() == null) {
                break;
            }
            after = page.next();
        }
        assertEquals(acknowledged.get(), count);
        balances.forEach((account, balance) ->
                assertEquals(balance, replayed.getOrDefault(account, 0L), () -> "replayed balance of " + account));

        audit.close();
        await().atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(10))
                .until(() -> bank.server.activeConnections() == 0);
    }
}
