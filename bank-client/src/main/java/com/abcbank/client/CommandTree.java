package com.abcbank.client;

import java.util.List;
import java.util.Set;
import picocli.CommandLine;

/**
 * The client's commands, by name, in the order {@code client --help} lists them, and the two ways to build
 * the command line from them: whole ({@link #all}), or with only the commands a line names ({@link #lean}).
 *
 * <p>Why not picocli's {@code @Command(subcommands = ...)}: from that list picocli builds the model of every
 * command by reflection before it parses a word (sixteen commands, {@code bench} alone with two dozen options),
 * which was about a third of a one-shot command's own start-up. A one-shot command needs one of them.
 *
 * <p>Invariant: a line parses and runs the same in the lean tree as in the whole one. It holds because picocli
 * descends into a subcommand only at an argument that is that subcommand's name, so a command whose name is
 * not among the arguments can change nothing but what the client says when it does not run a command: the
 * root's help, and the suggestions of a usage error. The lean tree is therefore built only for a line that
 * names a command and asks for no help or version, and any usage error in it is handled by running the same
 * line again in the whole tree, whose handler words it. A line that could name commands indirectly (an
 * {@code @FILE} argument, which picocli expands) gets the whole tree, and so do {@code batch}, which runs the
 * other commands, and {@code bench}, which lives long enough not to care. {@code CommandTreeTest} holds the two
 * trees to the same output, line by line.
 */
final class CommandTree {
    /** Every command, in help order. {@code CommandTreeTest} checks that each is its class's {@code @Command} name. */
    static final List<String> NAMES = List.of(
            "register",
            "create_account",
            "deposit",
            "withdraw",
            "transfer",
            "apply_loan",
            "pay_loan_check",
            "pay_loan_transfer",
            "balance",
            "history",
            "show_accountholders",
            "show_history",
            "report",
            "verify",
            "cluster",
            "show_security_events",
            "passwd",
            "batch",
            BenchCommand.NAME,
            DemoCommand.NAME);

    /** Commands that need the whole tree: batch runs the others by name; bench starts too rarely to matter. */
    private static final Set<String> WHOLE_TREE = Set.of("batch", BenchCommand.NAME);

    /** Arguments that ask for text about the tree rather than a command: help and version. */
    private static final Set<String> ABOUT = Set.of("-h", "--help", "-V", "--version");

    private CommandTree() {}

    /**
     * A new instance of the command called {@code name}. A switch, not a map of classes: only the command that
     * runs is loaded.
     */
    static Object create(String name) {
        return switch (name) {
            case "register" -> new RegisterCommand();
            case "create_account" -> new CreateAccountCommand();
            case "deposit" -> new DepositCommand();
            case "withdraw" -> new WithdrawCommand();
            case "transfer" -> new TransferCommand();
            case "apply_loan" -> new ApplyLoanCommand();
            case "pay_loan_check" -> new PayLoanCheckCommand();
            case "pay_loan_transfer" -> new PayLoanTransferCommand();
            case "balance" -> new BalanceCommand();
            case "history" -> new HistoryCommand();
            case "show_accountholders" -> new ShowAccountholdersCommand();
            case "show_history" -> new ShowHistoryCommand();
            case "report" -> new ReportCommand();
            case "verify" -> new VerifyCommand();
            case "cluster" -> new ClusterCommand();
            case "show_security_events" -> new ShowSecurityEventsCommand();
            case "passwd" -> new PasswdCommand();
            case "batch" -> new BatchCommand();
            case BenchCommand.NAME -> new BenchCommand();
            case DemoCommand.NAME -> new DemoCommand();
            default -> throw new IllegalArgumentException("no command " + name); // a bug: NAMES and this differ
        };
    }

    /** The whole command line: every command, as {@code client --help} lists them. */
    static CommandLine all(BankCli cli) {
        return with(cli, NAMES);
    }

    /**
     * The command line for {@code args}: with only the commands they name when that runs the same (see the class
     * comment), else {@link #all}.
     */
    static CommandLine forArgs(BankCli cli, String[] args) {
        List<String> named = named(args);
        if (named.isEmpty()) {
            return all(cli);
        }
        CommandLine lean = with(cli, named);
        lean.setParameterExceptionHandler((e, again) -> {
            CommandLine whole = all(cli.fresh());
            whole.setOut(lean.getOut());
            whole.setErr(lean.getErr());
            return whole.execute(again);
        });
        return lean;
    }

    /** The commands {@code args} name, in help order; none if the line needs the whole tree. */
    static List<String> named(String[] args) {
        for (String arg : args) {
            if (ABOUT.contains(arg) || arg.startsWith("@") || WHOLE_TREE.contains(arg)) {
                return List.of();
            }
        }
        List<String> words = List.of(args);
        return NAMES.stream().filter(words::contains).toList();
    }

    private static CommandLine with(BankCli cli, List<String> names) {
        CommandLine commandLine = new CommandLine(cli);
        for (String name : names) {
            commandLine.addSubcommand(name, create(name));
        }
        return CliHelp.configure(commandLine);
    }
}
