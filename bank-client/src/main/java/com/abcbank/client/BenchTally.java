package com.abcbank.client;

import com.abcbank.ledger.ErrorCode;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;

/**
 * What one bench event loop measured: the latencies of its measured requests, the count of each error code, and
 * the first failure, for every connection the loop owns.
 *
 * <p>Threads: the loop's own thread alone records ({@link SingleWriterRecorder} is wait-free for its one writer),
 * while the progress thread takes interval histograms out of it at any time; that is the recorder's contract. The
 * error counts and the failure are written by the loop's thread and read by the runner once the loop has ended
 * ({@link Thread#join} orders the two), or, should it not end within the runner's bounded wait, read as they are:
 * hence a concurrent map and a volatile field, which cost nothing here because errors are rare.
 *
 * <p>Failures: an error reply is counted by its code (for measured requests); a code that is not a business refusal
 * also marks the run failed ({@link #business}). A lost connection or a protocol error is counted once per
 * connection, as {@value #LOST} or {@value #PROTOCOL_ERROR}, measured or not, and marks the run failed.
 */
final class BenchTally {
    static final String LOST = "LOST_CONNECTION";
    static final String PROTOCOL_ERROR = "PROTOCOL_ERROR";

    /** Latencies are in nanoseconds: 100 ns resolution up to a minute, longer than any read timeout. */
    static final long LOWEST_NANOS = 100;

    static final long HIGHEST_NANOS = TimeUnit.MINUTES.toNanos(1);
    static final int DIGITS = 3;

    private final SingleWriterRecorder recorder = new SingleWriterRecorder(LOWEST_NANOS, HIGHEST_NANOS, DIGITS);
    private final Map<String, Long> errors = new ConcurrentHashMap<>();

    private volatile String failure;
    /** The reader's: the last interval histogram handed out, recycled by the next {@link #interval}. */
    private Histogram spare;

    /** A measured request's latency, from its send to its reply. The loop's thread only. */
    void record(long latencyNanos) {
        recorder.recordValue(Math.min(Math.max(latencyNanos, LOWEST_NANOS), HIGHEST_NANOS));
    }

    /**
     * An error reply. Counted if {@code counted} (a measured request); {@code describe} gives the failure's text,
     * and is called only for the first failure (it may parse the whole line: slow, but once). The loop's thread.
     */
    void error(ErrorCode code, boolean counted, Supplier<String> describe) {
        if (counted) {
            errors.merge(code.name(), 1L, Long::sum);
        }
        if (!business(code) && failure == null) {
            failure = describe.get();
        }
    }

    /** A connection ended by {@code code} ({@link #LOST} or {@link #PROTOCOL_ERROR}). The loop's thread. */
    void fail(String code, String message) {
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

    /** Error code to count, measured requests only (plus lost connections and protocol errors). After the run. */
    Map<String, Long> errors() {
        return errors;
    }

    /** The first failure, or null: the run failed if any loop has one. After the run. */
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

    static Histogram newHistogram() {
        return new Histogram(LOWEST_NANOS, HIGHEST_NANOS, DIGITS);
    }
}
