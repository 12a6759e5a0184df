package com.abcbank.client;

import com.abcbank.protocol.Wire;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * Where the server is: {@code --host}/{@code --port}, else {@code $BANK_HOST}/{@code $BANK_PORT}, else
 * {@value #DEFAULT_HOST} and {@link Wire#DEFAULT_PORT}. A bad port, from either source, is a usage error (exit 2)
 * found before anything connects.
 */
record Endpoint(String host, int port) {
    static final String DEFAULT_HOST = "127.0.0.1";

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
