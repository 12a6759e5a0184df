package com.abcbank.client;

import com.abcbank.ledger.ErrorCode;
import com.abcbank.protocol.Json;
import com.abcbank.protocol.Reply;
import com.abcbank.protocol.Request;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help.Ansi;
import picocli.CommandLine.Help.IParamLabelRenderer;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.Model.UsageMessageSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The bank client: {@code client [OPTIONS] USER COMMAND [ARGS]}. It holds what every command shares (the
 * user, where the server is, how to print, where the password comes from) and the one way to run an
 * {@link Operation}: connect, log in, send, print, exit with a code from {@link ExitCodes}.
 *
 * <p>USER is a positional of this command, before the subcommand, so the original commands work as typed
 * ({@code client Alice deposit 1001 200}). Picocli takes a word that names a command as the command, so a
 * user named like a command ({@code report}) cannot be given; no real name is at risk. USER is optional to
 * picocli and checked by {@link #user}: a required parent positional would make picocli refuse
 * {@code client deposit --help} for want of a user. The help still shows it as required, which it is.
 *
 * <p>This command runs only when no COMMAND was given, to say so in words ({@link #call}); picocli's own
 * "Missing required subcommand" is jargon to someone who just typed {@code client Alice}.
 *
 * <p>The global options are inherited by every command, so {@code client Alice balance 1001 --json} works as
 * well as {@code client --json Alice balance 1001}.
 */
@Command(name = "client",
        versionProvider = BankCli.Version.class,
        customSynopsis = BankCli.SYNOPSIS,
        description = {"Talks to the ABC Bank server: opens accounts, moves money, shows balances and histories,"
                + " and for the auditor shows the whole bank.",
                "Amounts are typed as decimals: 200, 19.99 or 1,000.00."},
        subcommands = {RegisterCommand.class, CreateAccountCommand.class, DepositCommand.class,
                WithdrawCommand.class, TransferCommand.class, ApplyLoanCommand.class, PayLoanCheckCommand.class,
                PayLoanTransferCommand.class, BalanceCommand.class, HistoryCommand.class,
                ShowAccountholdersCommand.class, ShowHistoryCommand.class, ReportCommand.class, VerifyCommand.class,
                BatchCommand.class},
        commandListHeading = "%nCommands (client USER COMMAND --help for each):%n",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {ExitCodes.HELP_OK, ExitCodes.HELP_USAGE, ExitCodes.HELP_REFUSED, ExitCodes.HELP_AUTH,
                ExitCodes.HELP_UNVERIFIED, ExitCodes.HELP_UNAVAILABLE, ExitCodes.HELP_PROTOCOL},
        footerHeading = "%nPassword, first found:%n",
        footer = {"  1. the first line of --password-file FILE",
                "  2. the environment variable BANK_PASSWORD",
                "  3. the first line host:port:user:password for this server and USER in",
                "     $BANK_CREDENTIALS, else ~/.abcbank/credentials (as in ~/.pgpass: * matches",
                "     any host or port, # starts a comment; ignored unless its mode is 600)",
                "  With none, create_account and register enrol USER with a new random password",
                "  and save it in that file. The client never prints a password.",
                "",
                "Environment: BANK_HOST, BANK_PORT, BANK_PASSWORD, BANK_CREDENTIALS."})
public final class BankCli implements Callable<Integer> {
    static final String DEFAULT_HOST = "127.0.0.1";
    static final int DEFAULT_PORT = 5050;
    static final int CONNECT_TIMEOUT_MS = 5_000;
    /** Per reply. Long enough for a big audit page on a loaded server; a hung server still fails in time. */
    static final int READ_TIMEOUT_MS = 30_000;
    static final String SYNOPSIS = "client [OPTIONS] USER COMMAND [ARGS]";
    /** The server's auditor, and the file in its data directory that holds the auditor's first password. */
    static final String AUDITOR = "Audit";
    static final String AUDIT_PASSWORD_FILE = "audit-password";
    /** 192 random bits, well above the 128 that make guessing hopeless. */
    private static final int PASSWORD_BYTES = 24;

    @Parameters(index = "0", arity = "0..1", paramLabel = "USER",
            description = "The customer (or auditor) the command runs as.")
    String user;

    @Option(names = "--host", paramLabel = "HOST", scope = ScopeType.INHERIT,
            description = "Server host (default: $BANK_HOST, else " + DEFAULT_HOST + ").")
    String host;

    @Option(names = "--port", paramLabel = "PORT", scope = ScopeType.INHERIT,
            description = "Server port (default: $BANK_PORT, else " + DEFAULT_PORT + ").")
    Integer port;

    @Option(names = "--json", scope = ScopeType.INHERIT,
            description = "Print the server's result as JSON instead of text.")
    boolean json;

    @Option(names = "--password-file", paramLabel = "FILE", scope = ScopeType.INHERIT,
            description = "Read the password from the first line of FILE.")
    Path passwordFile;

    @Option(names = {"-h", "--help"}, usageHelp = true, scope = ScopeType.INHERIT, description = "Show this help and exit.")
    boolean help;

    @Option(names = {"-V", "--version"}, versionHelp = true, description = "Print the version and exit.")
    boolean version;

    @Spec
    CommandSpec spec;

    private final Map<String, String> env;
    private final InputStream stdin;
    private final Path home;
    private final int connectTimeoutMs;
    private final int readTimeoutMs;
    private final SecureRandom random = new SecureRandom();

    /**
     * @param env   the environment (BANK_HOST, BANK_PORT, BANK_PASSWORD, BANK_CREDENTIALS); a map, so tests pass their own
     * @param stdin what {@code batch -} reads
     */
    BankCli(Map<String, String> env, InputStream stdin, Path home, int connectTimeoutMs, int readTimeoutMs) {
        this.env = Map.copyOf(env);
        this.stdin = stdin;
        this.home = home;
        this.connectTimeoutMs = connectTimeoutMs;
        this.readTimeoutMs = readTimeoutMs;
    }

    public static void main(String[] args) {
        BankCli cli = new BankCli(System.getenv(), System.in, Path.of(System.getProperty("user.home")),
                CONNECT_TIMEOUT_MS, READ_TIMEOUT_MS);
        System.exit(commandLine(cli).execute(args));
    }

    /** The configured command line: how usage errors and failures are reported, and the help layout. */
    static CommandLine commandLine(BankCli cli) {
        CommandLine commandLine = new CommandLine(cli);
        commandLine.setParameterExceptionHandler(BankCli::usageError);
        commandLine.setExecutionExceptionHandler(BankCli::failure);
        // Picocli brackets USER as optional, which it is only to the parser (see the class comment).
        commandLine.getHelpSectionMap().put(UsageMessageSpec.SECTION_KEY_PARAMETER_LIST,
                help -> help.parameterList(help.createDefaultLayout(), required(help.parameterLabelRenderer())));
        for (CommandLine command : commandLine.getSubcommands().values()) {
            // Picocli would show "client deposit ..."; the user goes between, and wrapped lines move along.
            // On a terminal the name starts with a colour code (ESC [ 1 m), which the user goes after.
            command.getHelpSectionMap().put(UsageMessageSpec.SECTION_KEY_SYNOPSIS,
                    help -> help.synopsis(help.synopsisHeadingLength())
                            .replaceFirst("^((?:\u001B\\[[\\d;]*m)*)client ", "$1client USER ")
                            .replaceAll("(?m)^( +)(?=\\S)", "$1     "));
        }
        return commandLine;
    }

    /** A usage error: the reason and where to read more, not the whole help. Exit 2. */
    private static int usageError(ParameterException e, String[] args) {
        CommandLine commandLine = e.getCommandLine();
        PrintWriter err = commandLine.getErr();
        CommandSpec command = commandLine.getCommandSpec();
        if (e instanceof UnmatchedArgumentException unmatched && command.parent() == null
                && !unmatched.getUnmatched().isEmpty() && !unmatched.getUnmatched().get(0).startsWith("-")) {
            // At the top, the word after USER is where a command goes: picocli found none by that name.
            String word = unmatched.getUnmatched().get(0);
            err.println("error: unknown command '" + word + "'");
            List<String> close = unmatched.getSuggestions().stream().filter(name -> looksLike(word, name)).toList();
            if (!close.isEmpty()) {
                err.println("Did you mean " + orList(close) + "?");
            }
        } else {
            err.println("error: " + message(e));
            UnmatchedArgumentException.printSuggestions(e, err);
        }
        String name = command.parent() == null ? "client" : "client USER " + command.name();
        err.println("Try '" + name + " --help' for more information.");
        return command.exitCodeOnInvalidInput();
    }

    /**
     * A usage error in words. A value a converter refused reads {@code invalid AMOUNT '12.505': amount has more
     * than two decimal places}, not picocli's "Invalid value for positional parameter at index 1 (AMOUNT)":
     * the converters give the reason without the value, and this names the parameter and the value once.
     */
    static String message(ParameterException e) {
        if (e.getCause() instanceof TypeConversionException conversion && e.getArgSpec() instanceof PositionalParamSpec) {
            return "invalid " + e.getArgSpec().paramLabel() + " '" + e.getValue() + "': " + conversion.getMessage();
        }
        return e.getMessage();
    }

    /**
     * Whether {@code name} is close enough to {@code word} to be what was meant: a typo (a few edits) or a part
     * of it ({@code loan}). Picocli always suggests its three most similar names, however far they are.
     */
    static boolean looksLike(String word, String name) {
        String typed = word.toLowerCase(Locale.ROOT);
        return (typed.length() >= 3 && name.contains(typed)) || editDistance(typed, name) <= Math.max(2, typed.length() / 3);
    }

    /** Levenshtein distance, bounded in cost by the word lengths (a command line word, a command name). */
    private static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    /** {@code 'a'}, {@code 'a' or 'b'}, {@code 'a', 'b' or 'c'}. */
    private static String orList(List<String> names) {
        List<String> quoted = names.stream().map(name -> "'" + name + "'").toList();
        return quoted.size() == 1 ? quoted.get(0)
                : String.join(", ", quoted.subList(0, quoted.size() - 1)) + " or " + quoted.get(quoted.size() - 1);
    }

    /** Renders USER without the brackets of an optional parameter (keeping picocli's styles); the rest as picocli does. */
    private static IParamLabelRenderer required(IParamLabelRenderer picocli) {
        return new IParamLabelRenderer() {
            @Override
            public Ansi.Text renderParameterLabel(ArgSpec arg, Ansi ansi, List<Ansi.IStyle> styles) {
                Ansi.Text label = picocli.renderParameterLabel(arg, ansi, styles);
                String plain = label.plainString();
                boolean bracketed = plain.startsWith("[") && plain.endsWith("]");
                return arg.isPositional() && bracketed ? label.substring(1, plain.length() - 1) : label;
            }

            @Override
            public String separator() {
                return picocli.separator();
            }
        };
    }

    /** A failure the client foresaw: one line and its exit code. Anything else is a bug: picocli's exit 1. */
    private static int failure(Exception e, CommandLine commandLine, ParseResult parseResult) throws Exception {
        if (e instanceof ClientException failure) {
            commandLine.getErr().println("error: " + failure.getMessage());
            return failure.exitCode;
        }
        throw e;
    }

    /** Runs when no COMMAND follows USER (or nothing at all was given). */
    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "missing COMMAND: " + SYNOPSIS);
    }

    /**
     * Runs one operation as USER: connect, log in (enrolling if it may), send, print. The request is built once,
     * so a money movement's key is fixed before anything is sent; if the connection breaks before the answer,
     * the same request (same key) goes once more over a new connection ({@link RetryingConnection}).
     */
    int run(Operation operation, CommandSpec command) {
        Request first = operation.request();
        // The reconnect logs in, never enrols: if this run enrolled USER, the new password is saved by now.
        try (RetryingConnection bank = new RetryingConnection(connect(command, operation.enrols()),
                () -> connect(command, false), command.commandLine().getErr())) {
            List<JsonNode> results = new ArrayList<>();
            for (Request request = first; request != null; request = operation.nextPage(results.get(results.size() - 1))) {
                Reply reply = bank.call(request, command.name());
                if (!reply.ok()) {
                    throw ClientException.refused(reply.error(), IdempotencyKeys.of(request));
                }
                results.add(reply.result());
            }
            show(command.commandLine().getOut(), operation, results);
            return operation.exitCode(results);
        }
    }

    private void show(PrintWriter out, Operation operation, List<JsonNode> results) {
        if (json) {
            results.forEach(result -> out.println(Json.pretty(result)));
        } else {
            operation.print(out, results);
        }
    }

    /**
     * Connects and logs in as USER. With no password from any source, a command that {@code mayEnrol}
     * registers USER with a new random password instead (which logs the connection in); any other command
     * stops with exit 4.
     *
     * <p>It connects before it looks for a password: a server that cannot be reached is the problem to fix
     * first (exit 75), and a password is no use without one. So every credentials problem (none found, an
     * unreadable {@code --password-file}) is reported only once the server is known to be there.
     */
    BankConnection connect(CommandSpec command, boolean mayEnrol) {
        String user = user(command);
        String host = host();
        int port = port(command);
        BankConnection bank = open(host, port);
        try {
            CredentialsFile credentials = credentials(command);
            Optional<String> password = password(host, port, user, credentials);
            if (password.isPresent()) {
                bank.login(user, password.get());
                return bank;
            }
            if (!mayEnrol) {
                throw new ClientException(ExitCodes.AUTH, noPassword(user, host, port, credentials));
            }
            // register logs the connection in (docs/protocol.md), so no login follows: one PBKDF2 hash, not two.
            Reply registered = enrol(bank, command, credentials);
            if (registered.ok()) {
                return bank;
            }
            if (registered.error().code() == ErrorCode.USER_EXISTS) {
                throw new ClientException(ExitCodes.AUTH, ClientException.describe(registered.error()) + "; "
                        + noPassword(user, host, port, credentials));
            }
            throw ClientException.refused(registered.error());
        } catch (RuntimeException e) {
            bank.close();
            throw e;
        }
    }

    /** What to do about a missing password: where the client looked, and for the auditor where the server put it. */
    static String noPassword(String user, String host, int port, CredentialsFile credentials) {
        String message = "no password for " + user + " at " + host + ":" + port + ": use --password-file, set BANK_PASSWORD,"
                + " or add host:port:user:password to " + credentials.path();
        if (user.equalsIgnoreCase(AUDITOR)) { // names match regardless of case, as on the server
            message += "; the server wrote the auditor's password to DATA/" + AUDIT_PASSWORD_FILE + " (DATA: the server's"
                    + " --data directory, ./data by default), so try --password-file data/" + AUDIT_PASSWORD_FILE;
        }
        return message;
    }

    /**
     * Registers USER with a new random password. The password is saved (and forced to disk) before it is
     * sent: were it saved after, a crash or a full disk between the two would leave a user whose password
     * nobody knows. If the server refuses, the saved line is taken out again; if the connection breaks,
     * it stays, because the registration may have happened.
     */
    Reply enrol(BankConnection bank, CommandSpec command, CredentialsFile credentials) {
        String user = user(command);
        String host = host();
        int port = port(command);
        String password = newPassword();
        try {
            credentials.add(host, port, user, password);
        } catch (IOException | IllegalArgumentException e) {
            throw new ClientException(ExitCodes.AUTH, "cannot save a new password for " + user + ": " + e.getMessage(), e);
        }
        Reply reply = bank.call(new Request.Register(user, password));
        if (!reply.ok()) {
            try {
                credentials.remove(host, port, user, password);
            } catch (IOException e) {
                command.commandLine().getErr().println("warning: could not take the unused password of " + user
                        + " out of " + credentials.path() + ": " + e.getMessage());
            }
            return reply;
        }
        command.commandLine().getErr().println("note: registered " + user + " at " + host + ":" + port
                + "; its new password is saved in " + credentials.path());
        return reply;
    }

    BankConnection open(String host, int port) {
        return BankConnection.open(host, port, connectTimeoutMs, readTimeoutMs);
    }

    /**
     * The password from the first source that has one: --password-file, BANK_PASSWORD, the credentials file.
     * A --password-file that gives none is an authentication failure (exit 4), not a usage error: the command
     * line is right, and what needs fixing is the credentials, as with any other password that is not there.
     */
    Optional<String> password(String host, int port, String user, CredentialsFile credentials) {
        if (passwordFile != null) {
            String first;
            try (BufferedReader reader = Files.newBufferedReader(passwordFile, StandardCharsets.UTF_8)) {
                first = reader.readLine();
            } catch (IOException e) {
                throw new ClientException(ExitCodes.AUTH, "cannot read password file " + passwordFile + ": "
                        + ClientException.describe(e), e);
            }
            if (first == null || first.isEmpty()) {
                throw new ClientException(ExitCodes.AUTH, "no password in password file " + passwordFile
                        + ": its first line is empty");
            }
            return Optional.of(first);
        }
        String fromEnv = env.get("BANK_PASSWORD");
        if (fromEnv != null && !fromEnv.isEmpty()) {
            return Optional.of(fromEnv);
        }
        return credentials.find(host, port, user);
    }

    CredentialsFile credentials(CommandSpec command) {
        return new CredentialsFile(CredentialsFile.defaultPath(env, home), command.commandLine().getErr());
    }

    String user(CommandSpec command) {
        if (user == null || user.isBlank()) {
            throw new ParameterException(command.commandLine(), "Missing required parameter: 'USER' (client USER "
                    + command.name() + " ...)");
        }
        return user;
    }

    String host() {
        if (host != null) {
            return host;
        }
        String fromEnv = env.get("BANK_HOST");
        return fromEnv != null && !fromEnv.isBlank() ? fromEnv : DEFAULT_HOST;
    }

    int port(CommandSpec command) {
        int value;
        if (port != null) {
            value = port;
        } else {
            String fromEnv = env.get("BANK_PORT");
            if (fromEnv == null || fromEnv.isBlank()) {
                return DEFAULT_PORT;
            }
            try {
                value = Integer.parseInt(fromEnv.strip());
            } catch (NumberFormatException e) {
                throw new ParameterException(command.commandLine(), "BANK_PORT is not a port number: '" + fromEnv + "'");
            }
        }
        if (value < 1 || value > 65_535) {
            throw new ParameterException(command.commandLine(), "port must be 1 to 65535: " + value);
        }
        return value;
    }

    boolean json() {
        return json;
    }

    InputStream stdin() {
        return stdin;
    }

    private String newPassword() {
        byte[] bytes = new byte[PASSWORD_BYTES];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
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
