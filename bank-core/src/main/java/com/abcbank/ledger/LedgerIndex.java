package com.abcbank.ledger;

/**
 * The ledger's side of the store's index ({@link HistoryStore.HistoryIndex}): each record the store indexes moves
 * from held to indexed in every account it touches, under that account's lock ({@link Account#indexed}); then the
 * whole batch leaves memory ({@link Statements#indexedUpTo}).
 *
 * <p>Runs on the store's thread, which holds no ledger lock: it takes one account lock at a time, for an array
 * store, so it never waits in a cycle and delays a writer of that account by that much at most.
 */
final class LedgerIndex implements HistoryStore.HistoryIndex {
    private static final int SPINS = 200;

    private final AccountTable accounts;
    private final Statements statements;

    LedgerIndex(AccountTable accounts, Statements statements) {
        this.accounts = accounts;
        this.statements = statements;
    }

    @Override
    public void indexed(long seq, String[] numbers, int count) {
        for (int i = 0; i < count; i++) {
            Account account = accounts.find(numbers[i]);
            if (account == null) {
                throw new IllegalStateException(
                        "journal tx " + seq + " names account " + numbers[i] + ", which the ledger does not have");
            }
            lock(account);
            try {
                account.indexed(seq);
            } finally {
                account.lock.unlock();
            }
        }
    }

    /**
     * Takes the account's lock, spinning briefly first: a writer holds it for a microsecond or so, and an indexer
     * parked on it would cost that writer a wake-up (a system call) when it unlocks.
     */
    private static void lock(Account account) {
        for (int spins = 0; spins < SPINS; spins++) {
            if (account.lock.tryLock()) {
                return;
            }
            Thread.onSpinWait();
        }
        account.lock.lock();
    }

    @Override
    public void indexedUpTo(long seq) {
        statements.indexedUpTo(seq);
    }
}
