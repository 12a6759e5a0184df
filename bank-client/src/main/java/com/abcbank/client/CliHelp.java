package com.abcbank.client;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Help.Ansi;
import picocli.CommandLine.Help.IParamLabelRenderer;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.Model.UsageMessageSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * How the client speaks when it is not doing banking: the help layout, usage errors (exit 2) and foreseen
 * failures, in words for a person rather than picocli's defaults. Everything here is about text; nothing
 * connects or decides an outcome.
 */
final class CliHelp {
    private CliHelp() {}

    /** Sets the help layout and the error handlers of the client's command line; returns it. */
    static CommandLine configure(CommandLine commandLine) {
        commandLine.setParameterExceptionHandler(CliHelp::usageError);
        commandLine.setExecutionExceptionHandler(CliHelp::failure);
        // Picocli brackets USER as optional, which it is only to the parser (see BankCli's class comment).
        commandLine
                .getHelpSectionMap()
                .put(
                        UsageMessageSpec.SECTION_KEY_PARAMETER_LIST,
                        help -> help.parameterList(
                                help.createDefaultLayout(), required(help.parameterLabelRenderer())));
        for (CommandLine command : commandLine.getSubcommands().values()) {
            if (!takesUser(command.getCommandSpec())) {
                continue; // "client bench ...", as picocli shows it
            }
            // Picocli would show "client deposit ..."; the user goes between, and wrapped lines move along.
            // On a terminal the name starts with a colour code (ESC [ 1 m), which the user goes after.
            command.getHelpSectionMap()
                    .put(
                            UsageMessageSpec.SECTION_KEY_SYNOPSIS,
                            help -> help.synopsis(help.synopsisHeadingLength())
                                    .replaceFirst("^((?:\u001B\\[[\\d;]*m)*)client ", "$1client USER ")
                                    .replaceAll("(?m)^( +)(?=\\S)", "$1     "));
        }
        return commandLine;
    }

    /**
     * Whether {@code command} runs as a USER: all but {@code bench}, which registers its own users, and {@code demo}
     * (with its own subcommands), which runs locally as nobody.
     */
    static boolean takesUser(CommandSpec command) {
        CommandSpec top = command;
        while (top.parent() != null && top.parent().parent() != null) {
            top = top.parent();
        }
        return !BenchCommand.NAME.equals(top.name()) && !DemoCommand.NAME.equals(top.name());
    }

    /** A usage error: the reason and where to read more, not the whole help. Exit 2. */
    private static int usageError(ParameterException e, String[] args) {
        CommandLine commandLine = e.getCommandLine();
        PrintWriter err = commandLine.getErr();
        CommandSpec command = commandLine.getCommandSpec();
        if (e instanceof UnmatchedArgumentException unmatched
                && command.parent() == null
                && !unmatched.getUnmatched().isEmpty()
                && !unmatched.getUnmatched().get(0).startsWith("-")) {
            // At the top, the word after USER is where a command goes: picocli found none by that name.
            String word = unmatched.getUnmatched().get(0);
            err.println("error: unknown command '" + word + "'");
            List<String> close = unmatched.getSuggestions().stream()
                    .filter(name -> looksLike(word, name))
                    .toList();
            if (!close.isEmpty()) {
                err.println("Did you mean " + orList(close) + "?");
            }
        } else {
            err.println("error: " + message(e));
            UnmatchedArgumentException.printSuggestions(e, err);
        }
        String name = command.parent() == null
                ? "client"
                : takesUser(command) ? "client USER " + command.name() : command.qualifiedName(" ");
        err.println("Try '" + name + " --help' for more information.");
        return command.exitCodeOnInvalidInput();
    }

    /**
     * A usage error in words. A value a converter refused reads {@code invalid AMOUNT '12.505': amount has more
     * than two decimal places}, not picocli's "Invalid value for positional parameter at index 1 (AMOUNT)":
     * the converters give the reason without the value, and this names the parameter and the value once.
     */
    static String message(ParameterException e) {
        if (e.getCause() instanceof TypeConversionException conversion
                && e.getArgSpec() instanceof PositionalParamSpec) {
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
        return (typed.length() >= 3 && name.contains(typed))
                || editDistance(typed, name) <= Math.max(2, typed.length() / 3);
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
        return quoted.size() == 1
                ? quoted.get(0)
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
}
