package com.abcbank.client;

import com.abcbank.protocol.Wire;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * Where the server is: {@code --host}/{@code --port}, else {@code $BANK_HOST}/{@code $BANK_PORT}, else
 * {@value #DEFAULT_HOST} and {@link Wire#DEFAULT_PORT}. A bad port, from either source, is a usage error (exit 2)
 * found before anything connects.
 *
 * <p>Or where the servers are, for a cluster ({@link #servers}): {@code --servers h1:p1,h2:p2,h3:p3}, else
 * {@code $BANK_SERVERS} in the same form, unless {@code --host} or {@code --port} is given (an option beats the
 * environment). {@code --servers} with {@code --host} or {@code --port} is a usage error: which one was meant cannot
 * be told.
 */
record Endpoint(String host, int port) {
    static final String DEFAULT_HOST = "127.0.0.1";

    /** The longest {@code --servers} list: a cluster has 3 or 5 nodes, so a longer list is a mistake. */
    static final int MAX_SERVERS = 16;

    /**
     * The servers a command may use, in the order it tries them: those of {@code --servers} or
     * {@code $BANK_SERVERS}, else the one {@link #of} gives. Never empty.
     *
     * @param serversOption {@code --servers}, or null
     */
    static List<Endpoint> servers(
            String serversOption, String hostOption, Integer portOption, Map<String, String> env, CommandSpec command) {
        if (serversOption != null) {
            if (hostOption != null || portOption != null) {
                throw new ParameterException(command.commandLine(), "give --servers or --host/--port, not both");
            }
            return parse(serversOption, "--servers", command);
        }
        String fromEnv = env.get("BANK_SERVERS");
        if (hostOption == null && portOption == null && fromEnv != null && !fromEnv.isBlank()) {
            return parse(fromEnv, "BANK_SERVERS", command);
        }
        return List.of(of(hostOption, portOption, env, command));
    }

    /**
     * {@code h1:p1,h2:p2}: each entry a host and a port ({@code [::1]:5050} for an IPv6 address), no entry empty or
     * twice, at most {@link #MAX_SERVERS}. Anything else is a usage error that names {@code source}.
     */
    static List<Endpoint> parse(String list, String source, CommandSpec command) {
        List<Endpoint> servers = new ArrayList<>();
        for (String entry : list.split(",", -1)) {
            Endpoint server = parseOne(entry.strip(), source, command);
            if (servers.contains(server)) {
                throw new ParameterException(command.commandLine(), source + " names " + server + " twice");
            }
            servers.add(server);
        }
        if (servers.size() > MAX_SERVERS) {
            throw new ParameterException(
                    command.commandLine(), source + " names " + servers.size() + " servers; at most " + MAX_SERVERS);
        }
        return List.copyOf(servers);
    }

    private static Endpoint parseOne(String entry, String source, CommandSpec command) {
        int colon = entry.lastIndexOf(':');
        String host = colon < 0 ? "" : entry.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1); // [::1]:5050
        } else if (host.indexOf(':') >= 0) {
            host = ""; // an IPv6 address without brackets: where its port starts cannot be told
        }
        if (host.isEmpty() || colon == entry.length() - 1) {
            throw new ParameterException(
                    command.commandLine(), source + " entries are HOST:PORT, separated by commas: '" + entry + "'");
        }
        String port = entry.substring(colon + 1);
        int value;
        try {
            value = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw new ParameterException(
                    command.commandLine(), source + ": not a port number: '" + port + "' in '" + entry + "'");
        }
        if (value < 1 || value > 65_535) {
            throw new ParameterException(command.commandLine(), "port must be 1 to 65535: " + value);
        }
        return new Endpoint(host, value);
    }

    /**
     * @param hostOption {@code --host}, or null
     * @param portOption {@code --port}, or null
     * @param command    the command being run, for a usage error
     */
    static Endpoint of(String hostOption, Integer portOption, Map<String, String> env, CommandSpec command) {
        return new Endpoint(host(hostOption, env), port(portOption, env, command));
    }

    private static String host(String option, Map<String, String> env) {
        if (option != null) {
            return option;
        }
        String fromEnv = env.get("BANK_HOST");
        return fromEnv != null && !fromEnv.isBlank() ? fromEnv : DEFAULT_HOST;
    }

    private static int port(Integer option, Map<String, String> env, CommandSpec command) {
        int value;
        if (option != null) {
            value = option;
        } else {
            String fromEnv = env.get("BANK_PORT");
            if (fromEnv == null || fromEnv.isBlank()) {
                return Wire.DEFAULT_PORT;
            }
            try {
                value = Integer.parseInt(fromEnv.strip());
            } catch (NumberFormatException e) {
                throw new ParameterException(
                        command.commandLine(), "BANK_PORT is not a port number: '" + fromEnv + "'");
            }
        }
        if (value < 1 || value > 65_535) {
            throw new ParameterException(command.commandLine(), "port must be 1 to 65535: " + value);
        }
        return value;
    }

    /** {@code host:port}, as messages name the server. */
    @Override
    public String toString() {
        return host + ":" + port;
    }
}
