package com.abcbank.client;

import com.abcbank.protocol.Failure;

/**
 * Why the client stops, with the exit code that says so. {@link BankCli} prints {@code error: <message>} to
 * standard error and exits with {@link #exitCode}; nothing else needs to know how a failure is shown.
 */
final class ClientException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    final int exitCode;

    ClientException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    ClientException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    /** The server said no: {@code CODE: message}, exit code by code. */
    static ClientException refused(Failure failure) {
        return new ClientException(ExitCodes.of(failure.code()), describe(failure));
    }

    static String describe(Failure failure) {
        return failure.code() + ": " + failure.message();
    }
}
