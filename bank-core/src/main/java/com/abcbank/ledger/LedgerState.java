package com.abcbank.ledger;

import java.time.Instant;
import java.util.List;

/**
 * Everything a ledger needs to go on from transaction {@code lastSeq} without replaying the journal before it:
 * for a snapshot file. Taken at one consistent point (see {@link Ledger#exportState}).
 *
 * @param lastSeq        the last transaction the state includes
 * @param lastTime       that transaction's time (later ones never go back before it)
 * @param nextLoanNumber the number the next loan will get
 * @param accounts       every account, internal ones included, in lock order
 * @param keyed          the transactions whose idempotency keys are still remembered (with a journal store, read
 *                       back from the journal as the list is iterated)
 */
public record LedgerState(
        long lastSeq, Instant lastTime, long nextLoanNumber, List<AccountView> accounts, List<Transaction> keyed) {
    public LedgerState {
        accounts = List.copyOf(accounts);
        // A ledger with a store hands an immutable list that reads the journal as it is iterated: copying it would
        // bring every keyed transaction onto the heap at once, which is what it exists to avoid.
        keyed = keyed instanceof KeyedTransactions ? keyed : List.copyOf(keyed);
    }

    /** This state with {@code keyedTransactions} as the transactions whose keys are remembered. */
    public LedgerState withKeyed(List<Transaction> keyedTransactions) {
        return new LedgerState(lastSeq, lastTime, nextLoanNumber, accounts, keyedTransactions);
    }
}
