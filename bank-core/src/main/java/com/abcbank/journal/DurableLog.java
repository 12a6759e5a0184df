package com.abcbank.journal;

import com.abcbank.ledger.CommitLog;
import com.abcbank.ledger.Snapshot;
import java.io.IOException;
import java.util.Optional;

/**
 * The durability boundary: where the ledger's committed transactions go, and the one place that says when a
 * transaction can no longer be taken back by a crash. The server answers a request only through this
 * interface; the local {@link Journal} implements it today, a replicated log (Apache Ratis: durable once a
 * majority has it) may implement it later without a change to the server.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li><b>Order.</b> {@link #committed} receives every transaction exactly once, in sequence order 1, 2, 3...
 *       with no gap (the ledger's sequencer guarantees it; see {@link CommitLog}). "Durable up to {@code n}"
 *       always means every transaction {@code 1..n}: the log never makes a later transaction durable before an
 *       earlier one. {@link #durableSeq()} never goes down.</li>
 *   <li><b>Threads.</b> {@link #committed} runs on the committing request thread, inside the ledger's sequencer
 *       and under the transaction's account locks: it must not block, do I/O or take a lock that a waiter of
 *       {@link #awaitDurable} may hold; it only hands the record over. Everything else is called from any thread
 *       outside every ledger lock: request threads call {@link #awaitDurable} after the ledger released its
 *       locks; observers ({@link DurableFeed}) call {@link #awaitDurableAbove}.</li>
 *   <li><b>What may block.</b> {@link #awaitDurable} and {@link #awaitDurableAbove} block, each for a bounded
 *       time; nothing else does, except {@link #verify} (reads the whole log) and {@link #close}.</li>
 *   <li><b>Failure.</b> When the log cannot keep a record (a write or a force fails, the quorum is lost), it
 *       fails for good: {@link #failure()} becomes non-null and stays so, every waiter not yet covered gets
 *       {@link JournalFailedException}, nothing more becomes durable, and the server moves no more money until
 *       restarted. No retry: after a failed fsync the kernel may have dropped the pages it could not write, so a
 *       later successful one would lie (PostgreSQL's "PANIC on fsync() failure").</li>
 *   <li><b>Durable means</b> what the log's durability setting says (see {@link Durability}): with
 *       {@link Durability#FSYNC} forced to disk, with {@link Durability#BATCH} written and forced within the
 *       batch window, with {@link Durability#NONE} nothing is kept and every committed transaction counts as
 *       durable at once.</li>
 * </ul>
 *
 * <p>Opening and recovery are not part of this interface: they belong to the implementation (for the local
 * journal, {@link Journal#recover}), called once by the code that opens the bank's state, before any request.
 */
public interface DurableLog extends CommitLog, AutoCloseable {
    /**
     * Returns once every transaction up to {@code seq} is durable; at once if it already is (or {@code seq} is 0).
     *
     * @throws JournalFailedException if the log failed before covering {@code seq}, or did not cover it within
     *                                its own bound (the storage is stuck): the transaction may or may not be kept
     */
    void awaitDurable(long seq);

    /** The highest sequence number known durable (every transaction up to it is): 0 before the first. */
    long durableSeq();

    /**
     * Waits until {@link #durableSeq()} is above {@code seq}, the log fails, or about {@code timeoutMs} pass,
     * whichever comes first, and returns {@link #durableSeq()}: a caller that gets {@code seq} or less back
     * checks {@link #failure()} and waits again. For observers that follow the log; it never throws for a slow
     * or failed log.
     *
     * @throws InterruptedException if the waiting thread is interrupted (how an observer is stopped)
     */
    long awaitDurableAbove(long seq, long timeoutMs) throws InterruptedException;

    /** Why the log stopped keeping records, or {@code null} while it is healthy. Once set, never cleared. */
    Throwable failure();

    /**
     * How many times the log made a batch of records durable (a force, a quorum round): with group commit, far
     * fewer than transactions. Statistics only.
     */
    long forces();

    /**
     * Proves the books: re-reads the log independently of the live ledger and checks it against {@code live},
     * whose transactions must all be durable by now (call {@link #awaitDurable} with its sequence number first).
     *
     * @return the report, or empty when the log keeps nothing to read back ({@link Durability#NONE})
     * @throws IOException if the log cannot be read
     */
    Optional<Verifier.Report> verify(Snapshot live) throws IOException;

    /**
     * Appends a security event (a failed login, a denied operation...) to the log, chained with the transactions but
     * without a sequence number: transaction numbers stay 1, 2, 3... with no gap. Called from a request thread outside
     * every ledger lock; never blocks: an event that cannot be buffered now is dropped (false), because an attacker
     * who causes events must not be able to slow the bank by it. The default keeps nothing (a log without a trail).
     */
    default boolean recordSecurityEvent(SecurityEvent event) {
        return false;
    }

    /**
     * A page of the security events kept, in log order: every event recorded before the call once the log keeps it,
     * and never one it does not keep yet. May block, for a bounded time, for those to become durable.
     *
     * @throws IOException if the log cannot be read
     */
    default SecurityEventPage securityEvents(SecurityEventQuery query) throws IOException {
        return SecurityEventPage.EMPTY;
    }

    /**
     * Makes durable what was handed over, then stops. Call after the ledger stopped committing; the log takes no
     * transaction afterwards.
     */
    @Override
    void close() throws IOException;
}
