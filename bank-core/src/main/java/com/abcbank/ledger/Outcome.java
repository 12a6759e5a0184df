package com.abcbank.ledger;

import java.util.Objects;

/**
 * The result of a ledger operation: a value, or an {@link ErrorCode} with a message for a person.
 *
 * <p>Refusals are expected outcomes, so they are values, not exceptions. A broken invariant is not an
 * outcome: it throws {@link IllegalStateException} and stops the operation.
 */
public final class Outcome<T> {
    private final T value;
    private final ErrorCode error;
    private final String message;

    private Outcome(T value, ErrorCode error, String message) {
        this.value = value;
        this.error = error;
        this.message = message;
    }

    public static <T> Outcome<T> ok(T value) {
        return new Outcome<>(Objects.requireNonNull(value, "value"), null, null);
    }

    public static <T> Outcome<T> fail(ErrorCode error, String message) {
        return new Outcome<>(null, Objects.requireNonNull(error, "error"), Objects.requireNonNull(message, "message"));
    }

    public boolean isOk() {
        return error == null;
    }

    /** The value of a successful outcome. */
    public T value() {
        if (error != null) {
            throw new IllegalStateException("no value: " + error + ": " + message);
        }
        return value;
    }

    /** The error code of a refusal, or {@code null} on success. */
    public ErrorCode error() {
        return error;
    }

    /** The reason for a refusal, or {@code null} on success. */
    public String message() {
        return message;
    }

    /** This refusal as an outcome of another type. */
    @SuppressWarnings("unchecked")
    <U> Outcome<U> asFailure() {
        if (error == null) {
            throw new IllegalStateException("not a failure");
        }
        return (Outcome<U>) this;
    }

    @Override
    public String toString() {
        return error == null ? "Ok[" + value + "]" : "Fail[" + error + ": " + message + "]";
    }
}
