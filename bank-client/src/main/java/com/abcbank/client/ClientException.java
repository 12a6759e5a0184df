package com.abcbank.client;

import com.abcbank.protocol.Failure;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;

/**
 * Why the client stops, with the exit code that says so. {@link BankCli} prints {@code error: <message>} to
 * standard error and exits with {@link #exitCode}; nothing else needs to know how a failure is shown.
 * Not final: {@link BankConnection.Lost} is the one kind the client reacts to (by sending again).
 */
class ClientException extends RuntimeException {
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

    /**
     * The server said no to a request that carried {@code key} (null: none). When the refusal leaves the outcome
     * unknown (INTERNAL_ERROR, STORAGE_FAILED), the message names the key that can finish it at most once.
     */
    static ClientException refused(Failure failure, String key) {
        if (key == null || !ExitCodes.indefinite(failure.code())) {
            return refused(failure);
        }
        return new ClientException(
                ExitCodes.of(failure.code()),
                describe(failure) + ". Outcome unknown: it may or may not" + " have taken effect. "
                        + IdempotencyKeys.finishHint(key));
    }

    static String describe(Failure failure) {
        return failure.code() + ": " + failure.message();
    }

    /**
     * Why a file could not be read, in words ({@code no such file}), not as the exception's class and path
     * ({@code java.nio.file.NoSuchFileException: /x}): the caller has already named the file.
     */
    static String describe(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof CharacterCodingException) {
            return "not UTF-8 text";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
