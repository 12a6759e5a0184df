package com.abcbank.client;

import com.abcbank.protocol.Reply;
import com.abcbank.protocol.Request;

/**
 * A logged-in way to the bank that may send a request more than once: what {@link BankCli#run} talks through.
 *
 * <p>Contract: {@link #call} sends the very {@code request} record it is given, so every resend carries the same
 * idempotency key, and a money movement applies at most once however often it is sent. It returns the reply of
 * the last send (ok or not, as the server gave it), or throws {@link ClientException} once its policy gives up;
 * when it gives up on a request with a key that may have taken effect, the message names that key
 * ({@link IdempotencyKeys#finishHint}). One thread owns it, like the {@link BankConnection}s under it.
 *
 * <p>Two policies: {@link RetryingConnection} (one server: one resend on a new connection after a break) and
 * {@link FailoverConnection} (a cluster's servers: the next node, in bounded rounds).
 */
interface ResendingConnection extends AutoCloseable {
    /** Sends {@code request} and returns its reply; {@code what} names the command in messages ({@code transfer}). */
    Reply call(Request request, String what);

    @Override
    void close();
}
