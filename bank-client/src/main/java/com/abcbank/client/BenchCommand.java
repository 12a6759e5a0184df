package com.abcbank.client;

import com.abcbank.protocol.Result;
import com.abcbank.protocol.Wire;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code client [--host H --port P | --servers H:P,...] bench [OPTIONS]}: a load generator in the spirit of
 * redis-benchmark and pgbench. It takes no USER: it registers its own users and opens their accounts ({@link BenchSetup}), runs a
 * closed loop per connection ({@link BenchChannel}) on a few event-loop threads ({@link BenchLoop}, {@code --threads},
 * default 1, like {@code redis-benchmark --threads}) so that the load generator takes as little of the machine from
 * the server as it can ({@link BenchRunner}, progress each second on standard error), checks the books as the
 * auditor when it has the password, and prints the figures ({@link BenchReport}). Connection {@code c} runs on loop
 * {@code c % threads}. With {@code --servers}, the connections are opened at the servers in turn (round-robin), so a
 * run loads every node of a cluster; the books are read at the first that answers.
 *
 * <p>Every option is bounded, and a value out of bounds is a usage error (exit 2) before anything connects. The run
 * is bounded too: the duration (or, with {@code --requests}, a cap of {@link #MAX_SECONDS}), each read's timeout, and
 * the setup's. Exit codes: 0; 2 usage; 4 the auditor's password did not log in; 5 the books do not balance; 75 a
 * lost connection or a server failure (INTERNAL_ERROR, STORAGE_FAILED, ...); 76 a protocol error. Business refusals
 * such as INSUFFICIENT_FUNDS are counted, not failures.
 */
@Command(
        name = BenchCommand.NAME,
        sortOptions = false,
        description = {
            "Load generator (no USER: it registers its own users and opens their accounts). Closed loop per"
                    + " connection; a progress line every second on standard error; then ops/s, latency"
                    + " percentiles, errors by code, and the books checked through report.",
            "Exit codes: 0 ok; 2 usage; 4 auditor login failed; 5 books do not balance; 75 lost connection or"
                    + " server failure; 76 protocol error. Refusals like INSUFFICIENT_FUNDS are only counted.",
            "--json prints one JSON object instead of text: connections, pipeline, mix, hot, accounts, seconds,"
                    + " ops, ops_per_sec, p50_ms, p90_ms, p99_ms, p999_ms, max_ms, errors, books, transactions,"
                    + " threads."
        })
final class BenchCommand implements Callable<Integer> {
    static final String NAME = "bench";

    static final int MAX_CONNECTIONS = 1_024;
    /** Event-loop threads: more than the cores only adds switching; more than the connections, idle threads. */
    static final int MAX_THREADS = 64;

    static final int MAX_PIPELINE = 1_024;
    /** The longest run: the most {@code --duration}, and the cap on a {@code --requests} run. */
    static final int MAX_SECONDS = 3_600;

    static final long MAX_REQUESTS = 1_000_000_000L;
    static final int MAX_WARMUP_SECONDS = 600;

    @ParentCommand
    BankCli cli;

    @Spec
    CommandSpec spec;

    @Option(
            names = "--connections",
            paramLabel = "N",
            defaultValue = "16",
            description = "Connections (1 to " + MAX_CONNECTIONS + ", default ${DEFAULT-VALUE}), shared out among"
                    + " the --threads event loops.")
    int connections;

    @Option(
            names = "--threads",
            paramLabel = "N",
            defaultValue = "1",
            description = "Event-loop threads that drive the connections (1 to " + MAX_THREADS
                    + ", at most one per connection; default ${DEFAULT-VALUE}), like redis-benchmark --threads.")
    int threads;

    @Option(
            names = "--duration",
            paramLabel = "SECONDS",
            description = "Measure for this long (1 to " + MAX_SECONDS + "; default 10 unless --requests is given).")
    Integer durationSeconds;

    @Option(
            names = "--requests",
            paramLabel = "N",
            description = "Measure exactly N requests in all instead (1 to " + MAX_REQUESTS + "; stops anyway after "
                    + MAX_SECONDS + " s).")
    Long requests;

    @Option(
            names = "--warmup",
            paramLabel = "SECONDS",
            defaultValue = "1",
            description = "Send for this long first" + " without counting (0 to " + MAX_WARMUP_SECONDS
                    + ", default ${DEFAULT-VALUE}).")
    int warmupSeconds;

    @Option(
            names = "--accounts",
            paramLabel = "N",
            defaultValue = "1000",
            description = "Checking accounts to open,"
                    + " one user per " + BenchAccounts.ACCOUNTS_PER_USER + " (2 to " + BenchAccounts.MAX_ACCOUNTS
                    + ", default ${DEFAULT-VALUE}).")
    int accounts;

    @Option(
            names = "--mix",
            paramLabel = "MIX",
            defaultValue = "transfer",
            converter = MixConverter.class,
            description = "transfer, deposit-withdraw, balance, or mixed (50%% transfers, 15%% deposits,"
                    + " 15%% withdrawals, 20%% balances); default ${DEFAULT-VALUE}.")
    BenchWorkload.Mix mix;

    @Option(
            names = "--pipeline",
            paramLabel = "N",
            defaultValue = "1",
            description =
                    "Requests in flight per" + " connection (1 to " + MAX_PIPELINE + ", default ${DEFAULT-VALUE}).")
    int pipeline;

    @Option(
            names = "--hot",
            paramLabel = "P",
            defaultValue = "0",
            description = "Percent of transfers that go to" + " one hot account (0 to 100, default ${DEFAULT-VALUE}).")
    int hotPercent;

    @Option(
            names = "--no-setup",
            description = "Create no users or accounts, log in nowhere, check no books: for a"
                    + " do-nothing peer server that answers every line at once.")
    boolean noSetup;

    @Option(
            names = "--audit-password-file",
            paramLabel = "FILE",
            description = "The auditor's password (first line),"
                    + " to check the books at the end; without it the check is skipped.")
    Path auditPasswordFile;

    @Option(names = "--seed", paramLabel = "N", description = "Seed of the request choices, to replay a run.")
    Long seed;

    @Override
    public Integer call() throws InterruptedException {
        validate();
        List<Endpoint> servers = cli.servers(spec);
        String endpoint = servers.size() == 1
                ? servers.get(0).toString()
                : servers.stream().map(Endpoint::toString).collect(Collectors.joining(", ")) + " (round-robin)";
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        boolean checkBooks = !noSetup && auditPasswordFile != null;
        if (checkBooks) {
            auditor(servers, err).close(); // a wrong password fails now, not after the run
        }
        // Not from --seed: a second run with the same seed against the same bank needs new names and numbers.
        BenchAccounts bank = BenchAccounts.of(10_000 + new SecureRandom().nextInt(90_000), accounts, connections);
        // With --servers, the connections go to the servers in turn, so that the load reaches every node of a cluster.
        AtomicInteger opened = new AtomicInteger();
        Supplier<BenchLink> opener = () -> BenchLink.open(
                servers.get(Math.floorMod(opened.getAndIncrement(), servers.size())),
                cli.connectTimeoutMs(),
                cli.readTimeoutMs());
        err.println(
                noSetup
                        ? "bench: " + connections + " connections to " + endpoint + ", no setup"
                        : "bench: registering " + bank.users() + " users and opening " + accounts + " accounts at "
                                + endpoint);
        List<BenchLink> connected =
                noSetup ? BenchSetup.open(connections, opener) : new BenchSetup(bank, opener).prepare(connections);
        BenchRunner.Outcome outcome;
        try {
            outcome = load(bank, connected, err);
        } finally {
            connected.forEach(BenchLink::close); // the loops closed theirs; these are for a failure before they ran
        }
        Result.Report report = checkBooks ? books(servers, err) : null;
        BenchReport.Books books = report == null
                ? BenchReport.Books.SKIPPED
                : report.sum() == 0 && report.balanced() ? BenchReport.Books.OK : BenchReport.Books.UNBALANCED;
        BenchReport result = new BenchReport(
                new BenchReport.Settings(connections, pipeline, mix.label(), hotPercent, accounts, loopCount()),
                outcome,
                books,
                report);
        if (cli.json()) {
            out.println(result.json());
        } else {
            result.printText(out);
        }
        return exitCode(outcome, books, err);
    }

    private BenchRunner.Outcome load(BenchAccounts bank, List<BenchLink> connected, PrintWriter err)
            throws InterruptedException {
        SplittableRandom seeds = seed == null ? new SplittableRandom() : new SplittableRandom(seed);
        int seconds = requests == null ? (durationSeconds == null ? 10 : durationSeconds) : MAX_SECONDS;
        BenchSchedule schedule = requests == null
                ? BenchSchedule.forDuration(warmupSeconds, seconds)
                : BenchSchedule.forRequests(warmupSeconds, requests, MAX_SECONDS);
        List<BenchLoop> loops = new ArrayList<>();
        for (int t = 0; t < loopCount(); t++) {
            loops.add(new BenchLoop(cli.readTimeoutMs()));
        }
        for (int c = 0; c < connected.size(); c++) {
            BenchLoop loop = loops.get(c % loops.size());
            BenchWorkload workload = new BenchWorkload(bank, mix, hotPercent, c, seeds.split());
            BenchLink link = connected.get(c);
            loop.add(new BenchChannel(
                    link.peer(), link.handOver(), workload, schedule, pipeline, loop.tally(), loop.replies()));
        }
        if (warmupSeconds > 0) {
            err.println("bench: warming up for " + warmupSeconds + " s");
        }
        long deadline = schedule.measureFromNanos() + TimeUnit.SECONDS.toNanos(seconds);
        return new BenchRunner(loops, schedule, err).run(deadline, cli.readTimeoutMs() + 1_000L);
    }

    /** The event loops: {@code --threads}, but never more than the connections (an idle loop measures nothing). */
    private int loopCount() {
        return Math.min(threads, connections);
    }

    private Result.Report books(List<Endpoint> servers, PrintWriter err) {
        try (BankConnection auditor = auditor(servers, err)) {
            return BenchSetup.books(auditor);
        }
    }

    /** The auditor, logged in at the first server that answers. */
    private BankConnection auditor(List<Endpoint> servers, PrintWriter err) {
        Login login = new Login(
                Wire.AUDITOR, servers.get(0), auditPasswordFile, Map.of(), cli.credentials(spec), err, cli::open);
        return FailoverConnection.connectFirst(
                        servers, 0, (server, enrol) -> login.at(server, servers).connect(false), false, err)
                .bank();
    }

    private int exitCode(BenchRunner.Outcome outcome, BenchReport.Books books, PrintWriter err) {
        if (books == BenchReport.Books.SKIPPED && !noSetup) {
            err.println("note: books not checked: give --audit-password-file DATA/" + Wire.AUDIT_PASSWORD_FILE);
        }
        if (books == BenchReport.Books.UNBALANCED) {
            err.println("error: the books do not balance");
            return ExitCodes.UNVERIFIED;
        }
        if (outcome.failure() != null) {
            err.println("error: " + outcome.failure());
            return outcome.errors().containsKey(BenchTally.PROTOCOL_ERROR) ? ExitCodes.PROTOCOL : ExitCodes.UNAVAILABLE;
        }
        return ExitCodes.OK;
    }

    /** Usage errors (exit 2), before anything connects. */
    private void validate() {
        if (cli.user != null) {
            throw usage("bench takes no USER: it registers its own users (client [--host H] [--port P] bench ...)");
        }
        if (cli.passwordFile != null) {
            throw usage("bench does not use --password-file: give the auditor's as --audit-password-file");
        }
        if (cli.tls()) {
            // Its connections are NIO channels driven by a selector; TLS there needs an SSLEngine, not yet written.
            throw usage("bench does not speak TLS yet: run it against a server without --tls-keystore");
        }
        within("--connections", connections, 1, MAX_CONNECTIONS);
        within("--threads", threads, 1, MAX_THREADS);
        within("--pipeline", pipeline, 1, MAX_PIPELINE);
        within("--hot", hotPercent, 0, 100);
        within("--accounts", accounts, 2, BenchAccounts.MAX_ACCOUNTS);
        within("--warmup", warmupSeconds, 0, MAX_WARMUP_SECONDS);
        if (durationSeconds != null && requests != null) {
            throw usage("give --duration or --requests, not both");
        }
        if (durationSeconds != null) {
            within("--duration", durationSeconds, 1, MAX_SECONDS);
        }
        if (requests != null) {
            within("--requests", requests, 1, MAX_REQUESTS);
        }
    }

    private void within(String option, long value, long min, long max) {
        if (value < min || value > max) {
            throw usage(option + " must be " + min + " to " + max + ": " + value);
        }
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    /** {@code --mix}: a usage error unless one of the mixes, as typed in the help. */
    static final class MixConverter implements ITypeConverter<BenchWorkload.Mix> {
        @Override
        public BenchWorkload.Mix convert(String value) {
            try {
                return BenchWorkload.Mix.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("expected transfer, deposit-withdraw, balance or mixed");
            }
        }
    }
}
