package com.abcbank.client;

import com.abcbank.protocol.Request;
import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * A batch: one command per line, {@code COMMAND [ARGS]}, exactly as on the command line after USER
 * ({@code deposit 1001 200}). Blank lines and lines starting with {@code #} are skipped. Arguments are
 * separated by white space; there is no quoting, as no argument needs a space.
 *
 * <p>Every line is parsed before anything is sent, by the same picocli definitions as the command line, so
 * a batch either runs with every line understood or not at all, and a mistake is reported by line number.
 *
 * <p>Each command gets one stand-alone picocli parser, reused for all its lines (building one per line
 * would cost more than the bank's work on it): picocli resets the fields before each parse, and the
 * request is taken from them at once. The stand-alone parsers know no global options, so a line cannot
 * change the host or the output format half-way through.
 */
final class BatchScript {
    /** Bounds what a batch holds in memory before it starts: split bigger jobs into several files. */
    static final int MAX_COMMANDS = 100_000;

    static final int MAX_LINE_CHARS = 4_096;
    /** register runs before there is a login; a batch inside a batch would be a second connection. */
    private static final Set<String> NOT_IN_BATCH = Set.of("batch", "register");

    /** One command of the batch: its line number, what prints its result, and the request. */
    record Step(int line, Operation<?> operation, Request request) {}

    /** A line that is not a valid command; nothing was sent. */
    static final class InvalidLine extends Exception {
        private static final long serialVersionUID = 1L;

        InvalidLine(int line, String message) {
            super("line " + line + ": " + message);
        }
    }

    private final Map<String, Class<?>> commands = new LinkedHashMap<>();
    private final Map<String, CommandLine> parsers = new HashMap<>();

    /** @param subcommands the client's commands by name, as {@link CommandLine#getSubcommands()} gives them */
    BatchScript(Map<String, CommandLine> subcommands) {
        subcommands.forEach((name, command) -> {
            if (command.getCommand() instanceof Operation<?> && !NOT_IN_BATCH.contains(name)) {
                commands.put(name, command.getCommand().getClass());
            }
        });
    }

    List<Step> parse(Reader in) throws IOException, InvalidLine {
        List<Step> steps = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        int number = 0;
        for (boolean more = true; more; ) {
            more = readLine(in, text, number + 1);
            number++;
            String line = text.toString().strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (steps.size() == MAX_COMMANDS) {
                throw new InvalidLine(number, "more than " + MAX_COMMANDS + " commands in one batch; split the file");
            }
            steps.add(parseLine(number, line.split("\\s+")));
        }
        return steps;
    }

    private Step parseLine(int number, String[] words) throws InvalidLine {
        String name = words[0];
        if (NOT_IN_BATCH.contains(name)) {
            throw new InvalidLine(number, "'" + name + "' cannot run inside a batch");
        }
        Class<?> type = commands.get(name);
        if (type == null) {
            throw new InvalidLine(
                    number, "not a command: '" + name + "' (commands: " + String.join(", ", commands.keySet()) + ")");
        }
        CommandLine parser = parsers.computeIfAbsent(name, unused -> new CommandLine(type));
        try {
            ParseResult parsed = parser.parseArgs(Arrays.copyOfRange(words, 1, words.length));
            if (parsed.hasMatchedOption("--all")) {
                // Each page's request depends on the previous reply, so it cannot be pipelined.
                throw new InvalidLine(number, "--all is not available in a batch; use --after and --limit");
            }
            Operation<?> operation = parser.getCommand();
            return new Step(number, operation, operation.request());
        } catch (ParameterException e) {
            throw new InvalidLine(number, name + ": " + CliHelp.message(e));
        }
    }

    /** Reads one line into {@code text}, without its terminator; false at the end of input. */
    private static boolean readLine(Reader in, StringBuilder text, int number) throws IOException, InvalidLine {
        text.setLength(0);
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                return false;
            }
            if (text.length() == MAX_LINE_CHARS) {
                throw new InvalidLine(number, "longer than " + MAX_LINE_CHARS + " characters");
            }
            text.append((char) c);
        }
        return true;
    }
}
