package com.abcbank.server;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abcbank.journal.Durability;
import com.abcbank.journal.DurableFeed;
import com.abcbank.journal.DurableListener;
import com.abcbank.journal.Journal;
import com.abcbank.ledger.Caller;
import com.abcbank.ledger.Ledger;
import com.abcbank.ledger.LedgerConfig;
import com.abcbank.ledger.Transaction;
import com.abcbank.ledger.TxType;
import com.abcbank.protocol.Request;
import com.abcbank.protocol.Result;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The durable-transaction seam ({@link DurableFeed}): every transaction exactly once, in order, never before the
 * log covers it, under 16 writer threads over a real fsync journal; a blocked listener does not hold up money
 * movement; a listener that throws stops only its own subscription; closing stops delivery; the server offers
 * the feed.
 */
class DurableFeedTest {
    private static final int WRITERS = 16;
    private static final long WAIT_SECONDS = 30;

    @TempDir
    Path dir;

    private final List<AutoCloseable> opened = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
    }

    private <T extends AutoCloseable> T closeLater(T closeable) {
        opened.add(closeable);
        return closeable;
    }

    /** A ledger over a real journal in the test's directory, every transaction forced before it counts. */
    private record Bank(Journal journal, Ledger ledger, DurableFeed feed) {}

    private Bank bank() throws Exception {
        Journal journal =
                closeLater(new Journal(dir.resolve("journal"), Durability.FSYNC, 10, Journal.DEFAULT_SEGMENT_BYTES));
        Ledger ledger = new Ledger(LedgerConfig.defaults(), Clock.systemUTC(), journal);
        journal.recover(false, ledger::replay);
        DurableFeed feed = closeLater(new DurableFeed(journal, ledger::transaction));
        return new Bank(journal, ledger, feed);
    }

    private static String account(int writer) {
        return Integer.toString(10_000 + writer);
    }

    private static void open(Ledger ledger, int writer) {
        Caller owner = Caller.customer("user" + writer);
        assertTrue(ledger.createAccount(
                        owner, account(writer), 1_000_000, UUID.randomUUID().toString())
                .isOk());
    }

    /**
     * Runs {@link #WRITERS} threads, each moving money {@code perWriter} times (deposits into, and transfers out of,
     * its own account, which {@link #open} made), and returns once all are done, failing if they are not within
     * {@link #WAIT_SECONDS}.
     */
    private static void write(Ledger ledger, int perWriter) throws InterruptedException {
        CountDownLatch startGate = new CountDownLatch(1);
        CountDownLatch endGate = new CountDownLatch(WRITERS);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int t = 0; t < WRITERS; t++) {
            int writer = t;
            Random random = new Random(t);
            Thread thread = new Thread(
                    () -> {
                        try {
                            startGate.await();
                            Caller owner = Caller.customer("user" + writer);
                            for (int i = 0; i < perWriter; i++) {
                                String key = UUID.randomUUID().toString();
                                int other = (writer + 1 + random.nextInt(WRITERS - 1)) % WRITERS; // never itself
                                var outcome = i % 2 == 0
                                        ? ledger.deposit(owner, account(writer), 1 + random.nextInt(500), key)
                                        : ledger.transfer(
                                                owner, account(writer), account(other), 1 + random.nextInt(100), key);
                                if (!outcome.isOk()) {
                                    throw new AssertionError("writer " + writer + ": " + outcome);
                                }
                            }
                        } catch (Throwable e) {
                            failure.compareAndSet(null, e);
                        } finally {
                            endGate.countDown();
                        }
                    },
                    "writer-" + t);
            thread.setDaemon(true);
            thread.start();
        }
        startGate.countDown();
        assertTrue(endGate.await(WAIT_SECONDS, SECONDS), "writers stuck");
        assertNull(failure.get());
    }

    @Test
    void everyTransactionExactlyOnceInOrderAndNeverAboveTheDurableOne() throws Exception {
        Bank bank = bank();
        BlockingQueue<Transaction> received = new LinkedBlockingQueue<>();
        ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
        DurableFeed.Subscription subscription = bank.feed().subscribe(0, tx -> {
            long durable = bank.journal().durableSeq();
            if (tx.seq() > durable) {
                violations.add("tx " + tx.seq() + " delivered while durable was " + durable);
            }
            received.add(tx);
        });
        for (int t = 0; t < WRITERS; t++) {
            open(bank.ledger(), t);
        }
        write(bank.ledger(), 100);
        long last = bank.ledger().lastSeq();
        assertEquals(WRITERS + WRITERS * 100L, last, "every open, deposit and transfer commits one transaction");

        for (long seq = 1; seq <= last; seq++) {
            Transaction tx = received.poll(WAIT_SECONDS, SECONDS);
            assertNotNull(tx, "tx " + seq + " never delivered");
            assertEquals(seq, tx.seq(), "out of order, missing or repeated");
            assertEquals(bank.ledger().transaction(seq), tx);
        }
        subscription.close();
        assertTrue(received.isEmpty(), () -> "delivered beyond the last transaction: " + received.peek());
        assertTrue(violations.isEmpty(), violations::toString);
        assertEquals(last, subscription.position());
    }

    @Test
    void aBlockedListenerDoesNotHoldUpMoneyMovement() throws Exception {
        Bank bank = bank();
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        DurableFeed.Subscription blocked = bank.feed().subscribe(0, tx -> {
            calls.incrementAndGet();
            entered.countDown();
            assertTrue(release.await(WAIT_SECONDS, SECONDS), "never released");
        });
        open(bank.ledger(), 0);
        assertTrue(entered.await(WAIT_SECONDS, SECONDS), "the first transaction was never delivered");

        for (int t = 1; t < WRITERS; t++) {
            open(bank.ledger(), t);
        }
        write(bank.ledger(), 50); // bounded: fails if the writers wait for the listener
        long last = bank.ledger().lastSeq();
        bank.journal().awaitDurable(last);
        assertEquals(1, calls.get(), "the listener is still in its first call");
        assertEquals(0, blocked.position());

        release.countDown();
        await().atMost(Duration.ofSeconds(WAIT_SECONDS)).until(() -> blocked.position() == last);
        assertEquals(last, calls.get(), "once released it catches up, each transaction once");
    }

    @Test
    void closingStopsDelivery() throws Exception {
        Bank bank = bank();
        List<Long> seen = new ArrayList<>(); // written by the subscription's thread only, read after close
        DurableFeed.Subscription first = bank.feed().subscribe(0, tx -> seen.add(tx.seq()));
        open(bank.ledger(), 0);
        await().atMost(Duration.ofSeconds(WAIT_SECONDS)).until(() -> first.position() == 1);
        first.close();
        assertFalse(first.isOpen());

        open(bank.ledger(), 1);
        open(bank.ledger(), 2);
        long last = bank.ledger().lastSeq();
        bank.journal().awaitDurable(last);
        // A second subscriber gets everything: there was time and durability enough to deliver to the first.
        DurableFeed.Subscription second = bank.feed().subscribe(0, tx -> {});
        await().atMost(Duration.ofSeconds(WAIT_SECONDS)).until(() -> second.position() == last);
        assertEquals(List.of(1L), seen, "delivered after close");
        assertEquals(1, first.position());
    }

    @Test
    void aListenerThatThrowsStopsOnlyItsOwnSubscription() throws Exception {
        Bank bank = bank();
        List<Long> seen = new ArrayList<>();
        DurableFeed.Subscription failing = bank.feed().subscribe(0, tx -> {
            seen.add(tx.seq());
            if (tx.seq() == 2) {
                throw new IllegalStateException("a listener bug");
            }
        });
        DurableFeed.Subscription healthy = bank.feed().subscribe(0, tx -> {});
        for (int t = 0; t < 4; t++) {
            open(bank.ledger(), t);
        }
        assertTrue(failing.awaitStopped(TimeUnit.SECONDS.toMillis(WAIT_SECONDS)), "the failed subscription goes on");
        assertFalse(failing.isOpen());
        assertEquals(List.of(1L, 2L), seen, "the transaction it threw on is not offered again");
        await().atMost(Duration.ofSeconds(WAIT_SECONDS)).until(() -> healthy.position() == 4);
        assertTrue(healthy.isOpen());
        open(bank.ledger(), 4);
        assertEquals(5, bank.ledger().lastSeq(), "money still moves");
    }

    @Test
    void nothingIsDeliveredBeforeTheLogCoversIt() throws Exception {
        ControlledLog log = new ControlledLog();
        Ledger ledger = new Ledger(LedgerConfig.defaults(), Clock.systemUTC(), log);
        DurableFeed feed = closeLater(new DurableFeed(log, ledger::transaction));
        BlockingQueue<Transaction> received = new LinkedBlockingQueue<>();
        ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
        DurableListener listener = tx -> {
            if (tx.seq() > log.durableSeq()) {
                violations.add("tx " + tx.seq() + " above durable " + log.durableSeq());
            }
            received.add(tx);
        };
        feed.subscribe(0, listener);
        open(ledger, 0);
        open(ledger, 1);
        assertEquals(2, log.committedSeq());
        assertNull(received.poll(300, TimeUnit.MILLISECONDS), "delivered a transaction the log does not cover");

        log.makeDurable(1);
        assertEquals(1, received.poll(WAIT_SECONDS, SECONDS).seq());
        assertNull(received.poll(300, TimeUnit.MILLISECONDS), "delivered tx 2 before the log covered it");
        log.makeDurable(2);
        assertEquals(2, received.poll(WAIT_SECONDS, SECONDS).seq());
        assertTrue(violations.isEmpty(), violations::toString);
    }

    @Test
    void aPacedSubscriberGetsWhatItWantsInOrderAndTheRestIsNeverRead() throws Exception {
        Journal journal =
                closeLater(new Journal(dir.resolve("sampled"), Durability.NONE, 10, Journal.DEFAULT_SEGMENT_BYTES));
        Ledger ledger = new Ledger(LedgerConfig.defaults(), Clock.systemUTC(), journal);
        journal.recover(false, ledger::replay);
        Set<Long> read = ConcurrentHashMap.newKeySet();
        DurableFeed feed = closeLater(new DurableFeed(journal, seq -> {
            read.add(seq);
            return ledger.transaction(seq);
        }));
        BlockingQueue<Transaction> received = new LinkedBlockingQueue<>();
        feed.subscribe(received::add, seq -> seq % 2 == 0, 50); // paced: what comes meanwhile is delivered together
        for (int writer = 0; writer < 6; writer++) {
            open(ledger, writer);
        }
        for (long even = 2; even <= 6; even += 2) {
            assertEquals(even, received.poll(WAIT_SECONDS, SECONDS).seq(), "the wanted ones, in order");
        }
        assertEquals(Set.of(2L, 4L, 6L), read, "the others were never read");
    }

    @Test
    void withDurabilityNoneEveryCommittedTransactionCountsAsDurable() throws Exception {
        Journal journal =
                closeLater(new Journal(dir.resolve("none"), Durability.NONE, 10, Journal.DEFAULT_SEGMENT_BYTES));
        Ledger ledger = new Ledger(LedgerConfig.defaults(), Clock.systemUTC(), journal);
        journal.recover(false, ledger::replay);
        DurableFeed feed = closeLater(new DurableFeed(journal, ledger::transaction));
        BlockingQueue<Transaction> received = new LinkedBlockingQueue<>();
        feed.subscribe(0, received::add);
        open(ledger, 0);
        open(ledger, 1);
        assertEquals(2, journal.durableSeq());
        assertEquals(1, received.poll(WAIT_SECONDS, SECONDS).seq());
        assertEquals(2, received.poll(WAIT_SECONDS, SECONDS).seq());
    }

    @Test
    void theServerOffersTheFeedOfWhatItCommits() throws IOException, InterruptedException {
        try (TestServer server = TestServer.start(TestServer.config(dir))) {
            BlockingQueue<Transaction> received = new LinkedBlockingQueue<>();
            server.server.feed().subscribe(0, received::add);
            TestClient alice = server.customer("Alice");
            Result.Tx opened = alice.ok(new Request.CreateAccount("1001", 50_000L), Result.Tx.class);

            Transaction tx = received.poll(WAIT_SECONDS, SECONDS);
            assertNotNull(tx, "the server's feed delivered nothing");
            assertEquals(opened.tx(), tx.seq());
            assertEquals(TxType.OPEN_ACCOUNT, tx.type());
            assertEquals("1001", tx.opened());
        }
    }
}
