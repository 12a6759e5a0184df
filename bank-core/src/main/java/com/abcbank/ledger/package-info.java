/**
 * The bank's books in memory: accounts, balanced transactions (the postings of each sum to zero), the lock
 * protocol that keeps them consistent under any number of threads, idempotency keys and the loan limit. It
 * depends on the JDK alone.
 *
 * <h2>What is API</h2>
 * {@link com.abcbank.ledger.Ledger} is the façade: every money operation, every read, and the audit views, each
 * returning an {@link com.abcbank.ledger.Outcome} (a value, or an {@link com.abcbank.ledger.ErrorCode} with a
 * message: refusals are results, a broken invariant throws). The values it hands out are immutable records:
 * {@link com.abcbank.ledger.Transaction} and its {@link com.abcbank.ledger.Posting}s, {@link
 * com.abcbank.ledger.AccountView}, {@link com.abcbank.ledger.HistoryEntry}, {@link com.abcbank.ledger.Snapshot},
 * {@link com.abcbank.ledger.Report}, {@link com.abcbank.ledger.LedgerState} (for snapshot files). Money is a
 * {@code long} count of cents, parsed and formatted only by {@link com.abcbank.ledger.Money}. Three interfaces are
 * where the journal plugs in: {@link com.abcbank.ledger.CommitLog} (every committed transaction, in sequence
 * order, from inside the sequencer), {@link com.abcbank.ledger.HistoryStore} (the journal files as the ledger's
 * history: with one, the ledger holds only the transactions not yet indexed there, so its memory is bounded) and
 * {@link com.abcbank.ledger.History} (a range of transactions read back from disk; without a store, those older
 * than a snapshot).
 *
 * <h2>What is stable</h2>
 * {@link com.abcbank.ledger.ErrorCode} names are wire values (append, never rename); {@link
 * com.abcbank.ledger.TxType} and {@link com.abcbank.ledger.AccountKind} are written to the journal and snapshots.
 * The rules: every transaction's postings sum to zero, a checking account never goes below zero, a customer's
 * loans never exceed the limit, and each operation is linearizable (checked by {@code LedgerLinearizabilityTest}).
 *
 * <h2>What is not</h2>
 * The parts behind the façade are package-private and each opens with its own invariants: {@code AccountTable},
 * {@code Account}, {@code Access}, {@code Bookkeeper}, {@code TransactionLog}, {@code KeyTable}, {@code
 * LoanExposure}, {@code Statements} (with {@code StorePage}, {@code LedgerIndex}, {@code KeyedSeqs}). The lock
 * order across them is in {@code Ledger}'s class comment and in
 * docs/architecture.md ("Locking protocol").
 */
package com.abcbank.ledger;
