package com.abcbank.client;

import com.abcbank.ledger.ErrorCode;
import com.abcbank.protocol.Reply;
import com.abcbank.protocol.Request;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;

/**
 * One bench connection: a closed loop that keeps up to {@code pipeline} requests in flight, on its own thread.
 *
 * <p>The loop: fill the window (send until {@code pipeline} are unanswered or the {@link BenchSchedule} says stop),
 * then read replies; as long as more reply bytes are already buffered it keeps reading, and only then refills, so
 * the refill goes out in one flush. With a pipeline of 1 this is plain request, reply, request. Replies come in
 * request order, so the send times sit in a ring of {@code pipeline} slots and a reply's latency is from its own
 * request's send to its arrival.
 *
 * <p>Threads: the worker's own thread alone writes its {@link SingleWriterRecorder} (wait-free), while the progress
 * thread takes interval histograms out of it at any time; that is the recorder's contract. Everything else
 * ({@link #errors}, {@link #failure}) is written by the worker's thread only and read once it has ended
 * ({@link Thread#join} orders the two), or, should it not end within the runner's bounded wait, read as it is.
 *
 * <p>Failures: an error reply is counted by its code (for measured requests) and the loop goes on; a reply code
 * that is not a business refusal also marks the run failed ({@link #business}). A lost connection or a protocol
 * error ends this worker: counted as {@value #LOST} or {@value #PROTOCOL_ERROR}, run failed. The worker never
 * reconnects; every wait is bounded by the connection's read timeout.
 */
final class BenchWorker implements Runnable {
    static final String LOST = "LOST_CONNECTION";
    static final String PROTOCOL_ERROR = "PROTOCOL_ERROR";

    /** Latencies are in nanoseconds: 100 ns resolution up to a minute, longer than any read timeout. */
    static final long LOWEST_NANOS = 100;

    static final long HIGHEST_NANOS = TimeUnit.MINUTES.toNanos(1);
    static final int DIGITS = 3;

    private final BankConnection bank;
    private final Supplier<Request> requests;
    private final BenchSchedule schedule;
    private final int pipeline;
    private final SingleWriterRecorder recorder = new SingleWriterRecorder(LOWEST_NANOS, HIGHEST_NANOS, DIGITS);
    private final long[] sentAtNanos;
    private final boolean[] measured;
    /** Concurrent only so that a worker that outlived the runner's bounded wait cannot break the report's read. */
    private final Map<String, Long> errors = new ConcurrentHashMap<>();

    private volatile String failure;
    /** The reader's: the last interval histogram handed out, recycled by the next {@link #interval}. */
    private Histogram spare;

    BenchWorker(BankConnection bank, Supplier<Request> requests, BenchSchedule schedule, int pipeline) {
        this.bank = bank;
        this.requests = requests;
        this.schedule = schedule;
        this.pipeline = pipeline;
        this.sentAtNanos = new long[pipeline];
        this.measured = new boolean[pipeline];
    }

    @Override
    public void run() {
        try {
            loop();
        } catch (BankConnection.Lost e) {
            fail(LOST, e.getMessage());
        } catch (ClientException e) {
            fail(e.exitCode == ExitCodes.PROTOCOL ? PROTOCOL_ERROR : LOST, e.getMessage());
        } finally {
            bank.close();
        }
    }

    private void loop() {
        long sent = 0;
        long answered = 0;
        boolean stopped = false;
        while (true) {
            while (!stopped && sent - answered < pipeline) {
                BenchSchedule.Ticket ticket = schedule.next();
                if (ticket == BenchSchedule.Ticket.STOP) {
                    stopped = true;
                    break;
                }
                bank.send(requests.get()); // buffered: receive() flushes the whole refill at once
                int slot = (int) (sent % pipeline);
                sentAtNanos[slot] = System.nanoTime();
                measured[slot] = ticket == BenchSchedule.Ticket.MEASURED;
                sent++;
            }
            if (sent == answered) {
                return;
            }
            do {
                Reply reply = bank.receive();
                long latencyNanos = System.nanoTime() - sentAtNanos[(int) (answered % pipeline)];
                onReply(reply, latencyNanos, measured[(int) (answered % pipeline)]);
                answered++;
            } while (answered < sent && bank.replyBuffered());
        }
    }

    private void onReply(Reply reply, long latencyNanos, boolean counted) {
        if (counted) {
            recorder.recordValue(Math.min(Math.max(latencyNanos, LOWEST_NANOS), HIGHEST_NANOS));
        }
        if (reply.ok()) {
            return;
        }
        ErrorCode code = reply.error().code();
        if (counted) {
            errors.merge(code.name(), 1L, Long::sum);
        }
        if (!business(code) && failure == null) {
            failure = ClientException.describe(reply.error());
        }
    }

    private void fail(String code, String message) {
        errors.merge(code, 1L, Long::sum);
        if (failure == null) {
            failure = message;
        }
    }

    /**
     * What was recorded since the last call. For one reader thread only (the progress thread): the histogram it
     * returns is valid until the next call, which recycles it (a recorder takes back only its own histograms).
     */
    Histogram interval() {
        spare = recorder.getIntervalHistogram(spare);
        return spare;
    }

    /** Error code to count, measured requests only (plus a lost connection or protocol error). After the run. */
    Map<String, Long> errors() {
        return errors;
    }

    /** The first non-business error, or null: the run failed if any worker has one. After the run. */
    String failure() {
        return failure;
    }

    /**
     * Whether {@code code} is a refusal the bank may rightly give a load like the bench's (counted, not fatal),
     * rather than a sign that the server or the bench is broken: {@link ErrorCode#isLedgerRefusal()}.
     */
    static boolean business(ErrorCode code) {
        return code.isLedgerRefusal();
    }
}
