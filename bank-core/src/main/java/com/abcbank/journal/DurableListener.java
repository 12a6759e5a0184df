package com.abcbank.journal;

import com.abcbank.ledger.Transaction;

/**
 * Observes the bank's durable transactions: the web console, metrics, an export. Subscribe with
 * {@link DurableFeed#subscribe}.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li><b>What.</b> Every committed transaction after the subscription's starting point, exactly once, in
 *       sequence order with no gap, and only once the {@link DurableLog} covers it: never one that a crash could
 *       take back. {@code tx.seq() <= log.durableSeq()} holds at every call.</li>
 *   <li><b>Which thread.</b> The subscription's own daemon thread ({@code durable-feed-N}), one call at a time;
 *       never a request thread, never inside the ledger's sequencer or under an account lock. So a listener may
 *       take its own locks and do I/O.</li>
 *   <li><b>When it is slow.</b> It only falls behind: money movement never waits for a listener, and the feed
 *       buffers nothing for it (it pulls from where committed transactions are kept, see
 *       {@link DurableFeed.Source}).</li>
 *   <li><b>When it throws.</b> Its subscription stops (logged with the sequence number); the transaction it threw
 *       on counts as delivered and is not offered again. The bank and other subscriptions are not affected.</li>
 *   <li><b>Closing.</b> {@link DurableFeed.Subscription#close()} interrupts a listener that is blocked; a listener
 *       that blocks should let an interrupt end its wait (by throwing {@link InterruptedException}).</li>
 * </ul>
 */
@FunctionalInterface
public interface DurableListener {
    /** Called once for each durable transaction, in sequence order, on the subscription's thread. */
    void onDurable(Transaction tx) throws Exception;
}
