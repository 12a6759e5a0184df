package com.abcbank.client;

import com.abcbank.protocol.Json;
import com.abcbank.protocol.Reply;
import com.abcbank.protocol.Request;
import com.abcbank.protocol.Scram;
import com.abcbank.protocol.Wire;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The bank client: {@code client [OPTIONS] USER COMMAND [ARGS]}. It holds what every command shares (the
 * user, where the server is, how to print, where the password comes from) and the one way to run an
 * {@link Operation}: connect, log in, send, print, exit with a code from {@link ExitCodes}. The parts live
 * apart: {@link Endpoint} (where the server is), {@link Login} (connect, passwords, enrolment),
 * {@link CliHelp} (help layout and usage errors), {@link CommandTree} (the commands, and which of them a line needs).
 *
 * <p>USER is a positional of this command, before the subcommand, so the original commands work as typed
 * ({@code client Alice deposit 1001 200}). Picocli takes a word that names a command as the command, so a
 * user named like a command ({@code report}) cannot be given; no real name is at risk. USER is optional to
 * picocli and checked by {@link #user}: a required parent positional would make picocli refuse
 * {@code client deposit --help} for want of a user. The help still shows it as required, which it is.
 *
 * <p>{@code demo} takes no USER either: it runs the laboratory ({@link DemoCommand}) here, touching no account.
 *
 * <p>{@code bench} takes no USER ({@code client bench ...}): it registers users of its own. Picocli parses it
 * like any command (USER is optional to the parser), {@link BenchCommand} refuses a USER given to it, and
 * {@link CliHelp} leaves USER out of its help and messages.
 *
 * <p>This command runs only when no COMMAND was given, to say so in words ({@link #call}); picocli's own
 * "Missing required subcommand" is jargon to someone who just typed {@code client Alice}.
 *
 * <p>The global options are inherited by every command, so {@code client Alice balance 1001 --json} works as
 * well as {@code client --json Alice balance 1001}.
 */
@Command(
        name = "client",
        versionProvider = BankCli.Version.class,
        customSynopsis = {BankCli.SYNOPSIS, "       " + BankCli.BENCH_SYNOPSIS, "       " + BankCli.DEMO_SYNOPSIS},
        description = {
            "Talks to the ABC Bank server: opens accounts, moves money, shows balances and histories,"
                    + " and for the auditor shows the whole bank.",
            "Amounts are typed as decimals: 200, 19.99 or 1,000.00."
        },
        commandListHeading = "%nCommands (client USER COMMAND --help for each; bench and demo take no USER):%n",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            ExitCodes.HELP_OK,
            ExitCodes.HELP_USAGE,
            ExitCodes.HELP_REFUSED,
            ExitCodes.HELP_AUTH,
            ExitCodes.HELP_UNVERIFIED,
            ExitCodes.HELP_DEGRADED,
            ExitCodes.HELP_UNAVAILABLE,
            ExitCodes.HELP_PROTOCOL
        },
        footerHeading = "%nPassword, first found:%n",
        footer = {
            "  1. the first line of --password-file FILE",
            "  2. the environment variable BANK_PASSWORD",
            "  3. the first line host:port:user:password for this server and USER in",
            "     $BANK_CREDENTIALS, else ~/.abcbank/credentials (as in ~/.pgpass: * matches",
            "     any host or port, # starts a comment; ignored unless its mode is 600)",
            "  A saved secret may be the SCRAM keys derived from the password (SCRAM-SHA-256$...):",
            "  they log in without key stretching. After a login with a saved password, its keys",
            "  replace it. With none, create_account and register enrol USER with new random keys",
            "  and save them in that file. The client never prints a password or keys.",
            "",
            "Environment: BANK_HOST, BANK_PORT, BANK_SERVERS, BANK_PASSWORD, BANK_CREDENTIALS."
        })
public final class BankCli implements Callable<Integer> {
    static final int CONNECT_TIMEOUT_MS = 5_000;
    /** Per reply. Long enough for a big audit page on a loaded server; a hung server still fails in time. */
    static final int READ_TIMEOUT_MS = 30_000;

    static final String SYNOPSIS = "client [OPTIONS] USER COMMAND [ARGS]";
    /** The one command without a USER: the load generator registers its own users. */
    static final String BENCH_SYNOPSIS = "client [--host HOST --port PORT | --servers H:P,...] bench [OPTIONS]";
    /** The laboratory: runs in this JVM, as nobody, on accounts of its own. */
    static final String DEMO_SYNOPSIS = "client demo race|deadlock|contention [OPTIONS]";

    @Parameters(
            index = "0",
            arity = "0..1",
            paramLabel = "USER",
            description = "The customer (or auditor) the command runs as.")
    String user;

    @Option(
            names = "--host",
            paramLabel = "HOST",
            scope = ScopeType.INHERIT,
            description = "Server host (default: $BANK_HOST, else " + Endpoint.DEFAULT_HOST + ").")
    String host;

    @Option(
            names = "--port",
            paramLabel = "PORT",
            scope = ScopeType.INHERIT,
            description = "Server port (default: $BANK_PORT, else " + Wire.DEFAULT_PORT + ").")
    Integer port;

    @Option(
            names = "--servers",
            paramLabel = "HOST:PORT,...",
            scope = ScopeType.INHERIT,
            description = "The nodes of a replicated bank, tried in this order (default: $BANK_SERVERS, unless"
                    + " --host or --port is given). A request a node cannot answer (connection lost,"
                    + " CLUSTER_UNAVAILABLE, SHUTTING_DOWN, NOT_READY) goes to the next one with the same key,"
                    + " each node at most once a round, for at most 3 rounds. Not with --host or --port.")
    String servers;

    @Option(
            names = "--tls",
            scope = ScopeType.INHERIT,
            description = "Connect with TLS 1.3 (to a server started with --tls-keystore); the server's certificate"
                    + " must be trusted and name HOST.")
    boolean tls;

    @Option(
            names = "--tls-truststore",
            paramLabel = "FILE.p12",
            scope = ScopeType.INHERIT,
            description = "With --tls: trust the certificates in this PKCS12 file (read without a password, as"
                    + " scripts/make-tls-cert.sh makes it) instead of the JDK's default trust store.")
    Path tlsTruststore;

    @Option(
            names = "--json",
            scope = ScopeType.INHERIT,
            description = "Print the server's result as JSON instead of text.")
    boolean json;

    @Option(
            names = "--password-file",
            paramLabel = "FILE",
            scope = ScopeType.INHERIT,
            description = "Read the password from the first line of FILE.")
    Path passwordFile;

    @Option(
            names = {"-h", "--help"},
            usageHelp = true,
            scope = ScopeType.INHERIT,
            description = "Show this help and exit.")
    boolean help;

    @Option(
            names = {"-V", "--version"},
            versionHelp = true,
            description = "Print the version and exit.")
    boolean version;

    @Spec
    CommandSpec spec;

    private final Map<String, String> env;
    private final InputStream stdin;
    private final Path home;
    private final int connectTimeoutMs;
    private final int readTimeoutMs;
    /** Made by {@link #clientTls} on first use. */
    private ClientTls clientTls;
    /** With {@code --servers}: the server {@link #connect} tries first; after a connection, the one after it. */
    private int nextServer;

    /**
     * @param env   the environment (BANK_HOST, BANK_PORT, BANK_SERVERS, BANK_PASSWORD, BANK_CREDENTIALS); a map, so
     *              tests pass their own
     * @param stdin what {@code batch -} reads
     * @param home  the home directory when the environment names none ({@code user.home})
     */
    BankCli(Map<String, String> env, InputStream stdin, Path home, int connectTimeoutMs, int readTimeoutMs) {
        this.env = Map.copyOf(env);
        this.stdin = stdin;
        this.home = home;
        this.connectTimeoutMs = connectTimeoutMs;
        this.readTimeoutMs = readTimeoutMs;
    }

    public static void main(String[] args) {
        List<String> named = CommandTree.named(args);
        if (!named.isEmpty() && !named.contains(DemoCommand.NAME)) { // a command that will talk to the bank
            Thread warmUp = new Thread(BankCli::warmUp, "warm-up");
            warmUp.setDaemon(true); // never keeps the JVM alive: the command's own work decides when it ends
            warmUp.start();
        }
        BankCli cli = new BankCli(
                System.getenv(),
                System.in,
                Path.of(System.getProperty("user.home")),
                CONNECT_TIMEOUT_MS,
                READ_TIMEOUT_MS);
        System.exit(CommandTree.forArgs(cli, args).execute(args));
    }

    /**
     * Started first thing by {@link #main}, on the second core, while the first builds the command line: loads and
     * initialises what a command that talks to the bank needs next, Jackson's mapper and the JDK's crypto providers
     * (for the SCRAM nonce and HMACs), so that those are ready when the command gets to them. It has no effect on
     * what the command does: it computes nothing that is used, and a failure here is the command's to meet again.
     */
    private static void warmUp() {
        try {
            Json.parseReply(Json.writeRequest(1, new Request.Balance("1001")).replace("\"op\"", "\"ok\":true,\"x\""));
        } catch (RuntimeException ignored) {
            // the shape does not matter: the mapper and its readers are built by now
        }
        Scram.warmUp();
    }

    /**
     * The configured command line with every command ({@link CommandTree}): how usage errors and failures are
     * reported, and the help layout.
     */
    static CommandLine commandLine(BankCli cli) {
        return CommandTree.all(cli);
    }

    /** A client like this one before picocli filled in its options: the same environment, input and timeouts. */
    BankCli fresh() {
        return new BankCli(env, stdin, home, connectTimeoutMs, readTimeoutMs);
    }

    /** Runs when no COMMAND follows USER (or nothing at all was given). */
    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "missing COMMAND: " + SYNOPSIS);
    }

    /**
     * Runs one operation as USER: connect, log in (enrolling if it may), send, print. The request is built once,
     * so a money movement's key is fixed before anything is sent; if the connection breaks before the answer,
     * the same request (same key) goes once more over a new connection ({@link RetryingConnection}), or, with
     * {@code --servers}, to the next node ({@link FailoverConnection}).
     */
    <R> int run(Operation<R> operation, CommandSpec command) {
        Request first = operation.request();
        int replyTimeoutMs = operation.replyTimeoutMs(readTimeoutMs);
        try (ResendingConnection bank = resending(command, operation.enrols(), replyTimeoutMs)) {
            List<Reply> replies = new ArrayList<>();
            List<R> results = new ArrayList<>();
            for (Request request = first;
                    request != null;
                    request = operation.nextPage(results.get(results.size() - 1))) {
                Reply reply = bank.call(request, command.name());
                if (!reply.ok()) {
                    throw ClientException.refused(reply.error(), IdempotencyKeys.of(request));
                }
                replies.add(reply);
                results.add(operation.result(reply));
            }
            PrintWriter out = command.commandLine().getOut();
            if (json) {
                replies.forEach(reply -> out.println(reply.prettyResult()));
            } else {
                operation.print(out, results);
            }
            return operation.exitCode(results);
        }
    }

    /**
     * One server: connected and logged in now, and sent once more on a new connection after a break, as always
     * ({@link RetryingConnection}). Several ({@code --servers}): connected on first use, and failing over from node
     * to node ({@link FailoverConnection}).
     */
    private ResendingConnection resending(CommandSpec command, boolean mayEnrol, int replyTimeoutMs) {
        List<Endpoint> all = servers(command);
        PrintWriter err = command.commandLine().getErr();
        if (all.size() == 1) {
            // The reconnect logs in, never enrols: if this run enrolled USER, the new password is saved by now.
            return new RetryingConnection(
                    connect(command, mayEnrol).replyTimeout(replyTimeoutMs),
                    () -> connect(command, false).replyTimeout(replyTimeoutMs),
                    err);
        }
        Login login = login(command);
        return new FailoverConnection(
                all,
                (server, enrol) -> login.at(server, all).connect(enrol).replyTimeout(replyTimeoutMs),
                mayEnrol,
                FailoverConnection.Policy.DEFAULT,
                FailoverConnection.Clock.SYSTEM,
                err);
    }

    /**
     * Connects and logs in as USER, enrolling USER if {@code mayEnrol} and no password is found ({@link Login}). With
     * {@code --servers}, at the first node that connects, starting after the one of the last call: so the one
     * reconnect of {@code batch} goes to another node.
     */
    BankConnection connect(CommandSpec command, boolean mayEnrol) {
        List<Endpoint> all = servers(command);
        if (all.size() == 1) {
            return login(command).connect(mayEnrol);
        }
        Login login = login(command);
        FailoverConnection.Connected connected = FailoverConnection.connectFirst(
                all,
                nextServer,
                (server, enrol) -> login.at(server, all).connect(enrol),
                mayEnrol,
                command.commandLine().getErr());
        nextServer = (connected.index() + 1) % all.size();
        return connected.bank();
    }

    /**
     * How USER logs in at the (first) server: checks USER and the servers (usage errors) but connects to nothing
     * yet. With {@code --servers}, a password saved for any of them will do ({@link Login#at}).
     */
    Login login(CommandSpec command) {
        List<Endpoint> all = servers(command);
        return new Login(
                        user(command),
                        all.get(0),
                        passwordFile,
                        env,
                        credentials(command),
                        command.commandLine().getErr(),
                        this::open)
                .at(all.get(0), all);
    }

    BankConnection open(Endpoint endpoint) {
        return BankConnection.open(endpoint.host(), endpoint.port(), connectTimeoutMs, readTimeoutMs, clientTls());
    }

    /**
     * TLS as the options ask, or null for plaintext; made once, for the reconnects too. A truststore that cannot be
     * read is a usage error (exit 2), found before anything is sent.
     */
    ClientTls clientTls() {
        if (!tls) {
            if (tlsTruststore != null) {
                throw new ParameterException(spec.commandLine(), "--tls-truststore needs --tls");
            }
            return null;
        }
        if (clientTls == null) {
            try {
                clientTls = ClientTls.trusting(tlsTruststore);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
        }
        return clientTls;
    }

    boolean tls() {
        return tls;
    }

    CredentialsFile credentials(CommandSpec command) {
        return new CredentialsFile(
                CredentialsFile.defaultPath(env, home), command.commandLine().getErr());
    }

    String user(CommandSpec command) {
        if (user == null || user.isBlank()) {
            throw new ParameterException(
                    command.commandLine(),
                    "Missing required parameter: 'USER' (client USER " + command.name() + " ...)");
        }
        return user;
    }

    /** The one server of {@code --host}/{@code --port}, or the first of {@code --servers}. */
    Endpoint endpoint(CommandSpec command) {
        return servers(command).get(0);
    }

    /** Where the bank is: one server, or the nodes of {@code --servers} in order ({@link Endpoint#servers}). */
    List<Endpoint> servers(CommandSpec command) {
        return Endpoint.servers(servers, host, port, env, command);
    }

    boolean json() {
        return json;
    }

    InputStream stdin() {
        return stdin;
    }

    int readTimeoutMs() {
        return readTimeoutMs;
    }

    int connectTimeoutMs() {
        return connectTimeoutMs;
    }

    static String version() {
        try (InputStream in = BankCli.class.getResourceAsStream("version.properties")) {
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"client " + version()};
        }
    }
}
