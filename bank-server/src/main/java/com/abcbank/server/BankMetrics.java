package com.abcbank.server;

import com.abcbank.journal.DurableLog;
import com.abcbank.ledger.ErrorCode;
import com.abcbank.ledger.Outcome;
import com.abcbank.protocol.Request;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The bank's own meters, in one Micrometer registry that {@link HttpEndpoint} serves as {@code /metrics} (Prometheus
 * text format). Names as Prometheus sees them:
 *
 * <ul>
 *   <li>{@code bank_operations_total{op, outcome}}: requests answered, by op ({@code deposit}, {@code login}...;
 *       {@code none} for a line that is no request) and outcome ({@code ok} or the {@link ErrorCode}).</li>
 *   <li>{@code bank_operation_latency_seconds{op}}: from the moment the line was read to the flush of its reply
 *       (the durability wait included: what the client sees), as a histogram with fixed buckets, 100 µs to 10 s.</li>
 *   <li>{@code bank_logins_throttled_total}: login steps answered {@code THROTTLED}.</li>
 *   <li>{@code bank_journal_fsyncs_total}, {@code bank_journal_transactions_total} (made durable since start),
 *       {@code bank_journal_transactions_per_fsync} (their ratio since start; per interval, divide the rates).</li>
 *   <li>{@code bank_connections_open}: TCP connections being served.</li>
 *   <li>{@code bank_console_watchers}: browsers on the console's live feed.</li>
 * </ul>
 *
 * <p><b>Where and at what cost.</b> Per-request meters are recorded by the connection's thread after it flushed a
 * batch's replies: outside every ledger lock, after the durability wait, never on the sequencer or the journal's
 * locks. A request costs one {@link ClassValue} lookup (its op), one map read (its outcome) and the meters' own
 * updates, which are lock-free (striped adders; the histogram's buckets are adders too): no allocation once a
 * meter exists. Meters are made on first use, once per op and per outcome. The journal and connection meters
 * read counters the server keeps anyway, and only when scraped.
 *
 * <p>Without {@code --http-port} nothing is recorded ({@link #OFF}): no registry, no meter, one branch per request.
 */
final class BankMetrics {
    /** Records nothing: the server without HTTP. */
    static final BankMetrics OFF = new BankMetrics(null);

    /**
     * The latency histogram's bucket bounds: 1-2.5-5 steps from 100 µs (a read with nothing to wait for) to 10 s (a
     * stuck disk), 16 series an op. Micrometer's own percentile histogram would print some 70 an op.
     */
    private static final Duration[] LATENCY_BUCKETS = {
        Duration.ofNanos(100_000),
        Duration.ofNanos(250_000),
        Duration.ofNanos(500_000),
        Duration.ofMillis(1),
        Duration.ofNanos(2_500_000),
        Duration.ofMillis(5),
        Duration.ofMillis(10),
        Duration.ofMillis(25),
        Duration.ofMillis(50),
        Duration.ofMillis(100),
        Duration.ofMillis(250),
        Duration.ofMillis(500),
        Duration.ofSeconds(1),
        Duration.ofMillis(2_500),
        Duration.ofSeconds(5),
        Duration.ofSeconds(10)
    };

    /** The longest latency the console's histogram tells apart (a minute); longer ones count as a minute. */
    static final long HIGHEST_MICROS = TimeUnit.MINUTES.toMicros(1);

    /** The op of a line that is no request (unreadable, too long, a deadline's notice). */
    private static final String NONE = "none";

    /** Null when {@link #OFF}. */
    private final PrometheusMeterRegistry registry;

    private final Counter throttledLogins;
    /**
     * The console's per-second figures ({@link ConsoleStats}): every answered request's latency in µs (HdrHistogram's
     * {@link Recorder}: wait-free to record, swapped out whole by the sampler once a second), and refusals by code.
     */
    private final Recorder latencyMicros;

    /** One adder per code, all made here: the map is never changed after, so reading it needs no lock. */
    private final Map<ErrorCode, LongAdder> refusalsByCode = new EnumMap<>(ErrorCode.class);

    private final OpMeters none;
    private final ClassValue<OpMeters> byOp = new ClassValue<>() {
        @Override
        protected OpMeters computeValue(Class<?> type) {
            return new OpMeters(opName(type));
        }
    };

    private BankMetrics(PrometheusMeterRegistry registry) {
        this.registry = registry;
        this.throttledLogins = registry == null
                ? null
                : Counter.builder("bank.logins.throttled")
                        .description("Login steps answered THROTTLED")
                        .register(registry);
        this.none = registry == null ? null : new OpMeters(NONE);
        this.latencyMicros = registry == null ? null : new Recorder(HIGHEST_MICROS, 2);
        for (ErrorCode code : ErrorCode.values()) {
            refusalsByCode.put(code, new LongAdder());
        }
    }

    /** A registry of its own, recording. */
    static BankMetrics on() {
        return new BankMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    }

    boolean enabled() {
        return registry != null;
    }

    /**
     * Counts one answered request: {@code request} is null for a line that is none (unreadable, too long, a
     * deadline); {@code outcome} is what was sent; {@code nanos} from reading the line to flushing the reply.
     */
    void answered(Request request, Outcome<?> outcome, long nanos) {
        if (registry == null) {
            return;
        }
        OpMeters meters = request == null ? none : byOp.get(request.getClass());
        meters.latency.record(nanos, TimeUnit.NANOSECONDS);
        meters.outcome(outcome.isOk() ? null : outcome.error()).increment();
        latencyMicros.recordValue(Math.min(HIGHEST_MICROS, Math.max(0, TimeUnit.NANOSECONDS.toMicros(nanos))));
        if (!outcome.isOk()) {
            refusalsByCode.get(outcome.error()).increment();
            if (outcome.error() == ErrorCode.THROTTLED) {
                throttledLogins.increment();
            }
        }
    }

    /**
     * The latencies recorded since the last call, as a histogram (its count is the requests answered), into
     * {@code recycle} if given: for the console's sampler, one caller at a time. Null when {@link #OFF}.
     */
    Histogram intervalLatencies(Histogram recycle) {
        return latencyMicros == null ? null : latencyMicros.getIntervalHistogram(recycle);
    }

    /** Requests refused with {@code code} since start. */
    long refusals(ErrorCode code) {
        return refusalsByCode.get(code).sum();
    }

    /**
     * Registers the meters that read the bank's state, once it is open: the journal's forces and durable
     * transactions (counted from {@code startSeq}, what recovery found), and the open connections.
     */
    void bank(DurableLog journal, long startSeq, IntSupplier openConnections) {
        if (registry == null) {
            return;
        }
        FunctionCounter.builder("bank.journal.fsyncs", journal, DurableLog::forces)
                .description("Times the journal was forced to disk (group commit: far fewer than transactions)")
                .register(registry);
        FunctionCounter.builder("bank.journal.transactions", journal, j -> j.durableSeq() - startSeq)
                .description("Transactions made durable since the server started")
                .register(registry);
        Gauge.builder("bank.journal.transactions.per.fsync", journal, j -> {
                    long forces = j.forces();
                    return forces == 0 ? 0 : (double) (j.durableSeq() - startSeq) / forces;
                })
                .description("Transactions made durable per force since the server started")
                .strongReference(true)
                .register(registry);
        Gauge.builder("bank.connections.open", openConnections, IntSupplier::getAsInt)
                .description("TCP connections being served")
                .strongReference(true) // Micrometer holds a gauge's object weakly: this lambda would be collected
                .register(registry);
    }

    /** Registers {@code bank_console_watchers}: browsers on the console's live feed now. */
    void console(IntSupplier watchers) {
        if (registry == null) {
            return;
        }
        Gauge.builder("bank.console.watchers", watchers, IntSupplier::getAsInt)
                .description("Browsers watching the console's live feed")
                .strongReference(true)
                .register(registry);
    }

    /** Every meter in Prometheus text format (version 0.0.4). */
    String scrape() {
        return registry == null ? "" : registry.scrape();
    }

    /** {@code CreateAccount} to {@code create_account}: the op's name on the wire (docs/protocol.md). */
    static String opName(Class<?> type) {
        String simple = type.getSimpleName();
        StringBuilder name = new StringBuilder(simple.length() + 4);
        for (int i = 0; i < simple.length(); i++) {
            char c = simple.charAt(i);
            if (Character.isUpperCase(c) && i > 0) {
                name.append('_');
            }
            name.append(Character.toLowerCase(c));
        }
        return name.toString();
    }

    /** One op's meters: its latency, its ok counter, and a counter per error code, made on first use. */
    private final class OpMeters {
        private final String op;
        private final Timer latency;
        private final Counter ok;
        /** A hit is a lock-free read with no allocation; a miss registers the code's counter once. */
        private final ConcurrentHashMap<ErrorCode, Counter> refusals = new ConcurrentHashMap<>();

        OpMeters(String op) {
            this.op = op;
            this.latency = Timer.builder("bank.operation.latency")
                    .description("From reading a request to flushing its reply, durability wait included")
                    .tag("op", op)
                    .serviceLevelObjectives(LATENCY_BUCKETS)
                    .register(registry);
            // Made at once, so that rate() has a 0 to start from; a line that is no request is never ok.
            this.ok = op.equals(NONE) ? null : counter("ok");
        }

        /** The counter of {@code code} ({@code null}: ok). */
        Counter outcome(ErrorCode code) {
            if (code == null) {
                return ok;
            }
            Counter counter = refusals.get(code);
            return counter != null ? counter : refusals.computeIfAbsent(code, c -> counter(c.name()));
        }

        private Counter counter(String outcome) {
            return Counter.builder("bank.operations")
                    .description("Requests answered, by op and outcome (ok or the error code)")
                    .tag("op", op)
                    .tag("outcome", outcome)
                    .register(registry);
        }
    }
}
