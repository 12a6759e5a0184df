package com.abcbank.journal;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abcbank.ledger.Caller;
import com.abcbank.ledger.Ledger;
import com.abcbank.ledger.Transaction;
import com.abcbank.ledger.TxType;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The writer's bounded buffer: while the flusher is held (a slow disk), the buffer stops at its bound and
 * committers wait; they resume when it drains; a failed flusher or a stuck disk releases them instead of hanging
 * them; and committers waiting for room under the ledger's account locks do not deadlock. The flusher is held by
 * latches through {@link JournalWriter.Hooks}; every wait is bounded.
 */
class JournalWriterTest {
    /** The smallest bound allowed: one largest frame. Small records (about 90 bytes) fill it in some 700. */
    private static final int BOUND = Frames.HEADER_BYTES + Frames.MAX_PAYLOAD;

    private static final long TIMEOUT_MS = 10_000;
    private static final Duration WITHIN = Duration.ofSeconds(20);
    private static final long N = 2_000;

    @TempDir
    Path dir;

    /** Holds the flusher at its first write until released; counts the committers' waits for room. */
    private final CountDownLatch flusherHeld = new CountDownLatch(1);

    private final CountDownLatch release = new CountDownLatch(1);
    private final CountDownLatch bufferFull = new CountDownLatch(1);
    private JournalWriter writer;

    @AfterEach
    void closeWriter() throws IOException {
        release.countDown();
        if (writer != null) {
            assertTimeoutPreemptively(WITHIN, writer::close);
        }
    }

    @Test
    void theBufferStopsAtItsBoundWhileTheFlusherIsHeldAndCommittersResumeWhenItDrains() throws Exception {
        writer = open(TIMEOUT_MS, () -> hold());
        writer.committed(tx(1));
        assertTrue(flusherHeld.await(10, SECONDS), "the flusher took transaction 1");

        AtomicLong progress = new AtomicLong(1);
        Committer committer = commitInBackground(2, N, progress);
        assertTrue(bufferFull.await(10, SECONDS), "a committer found the buffer full");

        assertTrue(writer.largestBufferBytes() <= BOUND, "buffer grew to " + writer.largestBufferBytes());
        assertTrue(progress.get() < N, "the committer waits: at " + progress.get());
        assertTrue(progress.get() > BOUND / 200, "it filled the buffer first: at " + progress.get());
        assertEquals(1, committer.done.getCount(), "still waiting for room");
        assertEquals(0, writer.durableSeq(), "nothing was written while the flusher was held");

        release.countDown();
        assertTrue(committer.done.await(10, SECONDS), "committers resume once the buffer drains");
        assertNull(committer.failure.get());
        writer.awaitDurable(N);
        assertNull(writer.failure());
        assertTrue(writer.largestBufferBytes() <= BOUND, "buffer grew to " + writer.largestBufferBytes());
        assertTimeoutPreemptively(WITHIN, writer::close);

        List<Long> read = new ArrayList<>();
        JournalReader.Result result =
                JournalReader.read(dir, 0, RecordCodec.NO_PREVIOUS, false, tx -> read.add(tx.seq()));
        assertEquals(LongStream.rangeClosed(1, N).boxed().toList(), read, "every record, once, in order");
        assertEquals(0, result.cutBytes());
    }

    @Test
    void aFailedFlusherReleasesCommittersWaitingForRoom() throws Exception {
        IOException diskGone = new IOException("disk gone");
        writer = open(TIMEOUT_MS, () -> {
            hold();
            throw diskGone;
        });
        writer.committed(tx(1));
        assertTrue(flusherHeld.await(10, SECONDS));
        AtomicLong progress = new AtomicLong(1);
        Committer committer = commitInBackground(2, N, progress);
        assertTrue(bufferFull.await(10, SECONDS), "a committer found the buffer full");
        assertTrue(progress.get() < N);

        release.countDown(); // the write fails
        assertTrue(committer.done.await(10, SECONDS), "the failure released the committer");
        assertNull(committer.failure.get(), "committed() does not throw inside the sequencer");
        assertEquals(N, progress.get(), "later commits return at once: the journal takes no more");
        assertSame(diskGone, writer.failure());
        JournalFailedException thrown = assertThrows(JournalFailedException.class, () -> writer.awaitDurable(N));
        assertSame(diskGone, thrown.getCause());
        assertThrows(JournalFailedException.class, () -> writer.awaitDurable(1), "transaction 1 was never written");
        assertTrue(writer.largestBufferBytes() <= BOUND);
    }

    @Test
    void aBufferFullPastTheTimeoutFailsTheJournalInsteadOfHanging() throws Exception {
        writer = open(200, () -> hold()); // the disk is stuck until the test ends
        writer.committed(tx(1));
        assertTrue(flusherHeld.await(10, SECONDS));
        AtomicLong progress = new AtomicLong(1);
        Committer committer = commitInBackground(2, N, progress);

        assertTrue(committer.done.await(10, SECONDS), "the committer gave up after 200 ms");
        assertNull(committer.failure.get());
        assertEquals(N, progress.get());
        IOException stuck = assertInstanceOf(IOException.class, writer.failure());
        assertTrue(stuck.getMessage().contains("stuck"), stuck.getMessage());
        assertThrows(JournalFailedException.class, () -> writer.awaitDurable(N));

        release.countDown();
        assertTimeoutPreemptively(WITHIN, writer::close);
        List<Long> read = new ArrayList<>();
        JournalReader.Result result =
                JournalReader.read(dir, 0, RecordCodec.NO_PREVIOUS, false, tx -> read.add(tx.seq()));
        assertEquals(LongStream.rangeClosed(1, result.lastSeq()).boxed().toList(), read, "no gap was written");
        assertTrue(result.lastSeq() < N, "what was dropped is not on disk: " + result.lastSeq());
    }

    @Test
    void aWriteThatFinishesAfterTheFailureMakesNothingDurable() throws Exception {
        writer = open(200, () -> hold()); // a slow disk: the first write waits for the test
        writer.committed(tx(1));
        assertTrue(flusherHeld.await(10, SECONDS));
        Committer committer = commitInBackground(2, N, new AtomicLong(1));
        assertTrue(committer.done.await(10, SECONDS), "the committer gave up after 200 ms");
        assertInstanceOf(IOException.class, writer.failure(), "the buffer stayed full: the journal failed");
        long durableAtFailure = writer.durableSeq();

        release.countDown(); // the write under way (tx 1) now completes, after the failure
        assertTimeoutPreemptively(WITHIN, writer::close);
        assertEquals(durableAtFailure, writer.durableSeq(), "nothing becomes durable after the failure");
        assertThrows(JournalFailedException.class, () -> writer.awaitDurable(1));
        assertEquals(durableAtFailure, writer.awaitDurableAbove(durableAtFailure, 1));
    }

    @Test
    void committersWaitingForRoomUnderAccountLocksDoNotDeadlock() throws Exception {
        int threadCount = 16;
        int transfersPerThread = 300;
        // Hold the first write until a committer, inside the ledger's sequencer and under two account locks, waits
        // for room.
        writer = open(TIMEOUT_MS, () -> {
            flusherHeld.countDown();
            if (!bufferFull.await(10, SECONDS)) {
                throw new IOException("no committer filled the buffer");
            }
        });
        Ledger ledger = new Ledger(JournalTest.CONFIG, new JournalTest.TickingClock(), writer);
        for (int t = 0; t < threadCount; t++) {
            ledger.createAccount(user(t), account(t), 1_000_000, null);
        }
        long total = ledger.snapshot().sumCents();
        var startGate = new CountDownLatch(1);
        var endGate = new CountDownLatch(threadCount);
        var failure = new AtomicReference<Throwable>();
        for (int t = 0; t < threadCount; t++) {
            int me = t;
            var random = new Random(t); // seeded: replayable
            var worker = new Thread(
                    () -> {
                        try {
                            startGate.await();
                            long last = 0;
                            for (int i = 0; i < transfersPerThread; i++) {
                                int other = (me + 1 + random.nextInt(threadCount - 1)) % threadCount;
                                // No wait for each: the buffer must fill (4,800 records of about 150 bytes).
                                last = ledger.transfer(
                                                user(me), account(me), account(other), 1 + random.nextInt(500), null)
                                        .value()
                                        .seq();
                            }
                            writer.awaitDurable(last);
                        } catch (Throwable e) {
                            failure.compareAndSet(null, e);
                        } finally {
                            endGate.countDown();
                        }
                    },
                    "committer-" + t);
            worker.setDaemon(true); // a deadlock must not hang the build
            worker.start();
        }
        startGate.countDown();
        assertTrue(endGate.await(60, SECONDS), "committers stuck: deadlock?");
        assertNull(failure.get());
        assertNull(writer.failure());
        assertEquals(0, bufferFull.getCount(), "some committer waited for room under its account locks");
        assertTrue(writer.largestBufferBytes() <= BOUND);
        assertEquals(total, ledger.snapshot().sumCents(), "money conserved");
        assertTimeoutPreemptively(WITHIN, writer::close);

        Ledger replayed = new Ledger(JournalTest.CONFIG, new JournalTest.TickingClock());
        JournalReader.read(dir, 0, RecordCodec.NO_PREVIOUS, false, replayed::replay);
        assertEquals(ledger.snapshot(), replayed.snapshot(), "the journal rebuilds the same books");
    }

    // ---------------------------------------------------------------- helpers

    private JournalWriter open(long timeoutMs, FlusherHold beforeWrite) throws IOException {
        JournalWriter.Hooks hooks = new JournalWriter.Hooks() {
            @Override
            public void beforeWrite() throws IOException, InterruptedException {
                beforeWrite.run();
            }

            @Override
            public void bufferFull() {
                bufferFull.countDown();
            }
        };
        return new JournalWriter(
                dir,
                Segments.path(dir, 1),
                ChainHead.EMPTY,
                RecordCodec.NO_PREVIOUS,
                Durability.FSYNC,
                5,
                Journal.DEFAULT_SEGMENT_BYTES,
                BOUND,
                timeoutMs,
                hooks);
    }

    private interface FlusherHold {
        void run() throws IOException, InterruptedException;
    }

    /** The flusher's first write waits for {@link #release}, bounded so that a broken test cannot hang. */
    private void hold() throws IOException, InterruptedException {
        flusherHeld.countDown();
        if (!release.await(30, SECONDS)) {
            throw new IOException("the test never released the flusher");
        }
    }

    private record Committer(CountDownLatch done, AtomicReference<Throwable> failure) {}

    /** Commits transactions {@code from..to} in order on a daemon thread, as the sequencer would. */
    private Committer commitInBackground(long from, long to, AtomicLong progress) {
        Committer committer = new Committer(new CountDownLatch(1), new AtomicReference<>());
        Thread thread = new Thread(
                () -> {
                    try {
                        for (long seq = from; seq <= to; seq++) {
                            writer.committed(tx(seq));
                            progress.set(seq);
                        }
                    } catch (Throwable e) {
                        committer.failure().set(e);
                    } finally {
                        committer.done().countDown();
                    }
                },
                "committer");
        thread.setDaemon(true);
        thread.start();
        return committer;
    }

    /** An account opened without a deposit: a small valid record. */
    private static Transaction tx(long seq) {
        return new Transaction(
                seq,
                Instant.parse("2026-01-01T09:00:00Z").plusMillis(seq),
                TxType.OPEN_ACCOUNT,
                "alice",
                String.format("1%06d", seq),
                List.of(),
                null);
    }

    private static Caller user(int t) {
        return Caller.customer("user-" + t);
    }

    private static String account(int t) {
        return String.format("3000%02d", t);
    }
}
