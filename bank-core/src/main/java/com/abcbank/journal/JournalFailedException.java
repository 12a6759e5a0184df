package com.abcbank.journal;

/**
 * The journal could not write or force a record, so a transaction may not be durable. Once this happens the
 * journal takes nothing more: like PostgreSQL after a failed fsync, there is no retry, because the kernel may
 * already have dropped the dirty pages it failed to write.
 */
public final class JournalFailedException extends RuntimeException {
    /** Public so that any {@link DurableLog}, in any package, reports a failure the way the server expects. */
    public JournalFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
