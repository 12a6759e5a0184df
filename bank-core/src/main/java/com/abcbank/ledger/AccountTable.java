package com.abcbank.ledger;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Every account by number, the vault shards, the lock order, and the one lock that stops accounts being added.
 *
 * <h2>Invariants</h2>
 * <ul>
 *   <li>An account, once in {@link #accounts}, stays there under its number for the life of the ledger; a
 *       number names at most one account ({@code putIfAbsent} decides a race to open the same number).</li>
 *   <li>Ordinals are unique and only grow ({@link #nextOrdinal}): the vault shards get the first ones, and an
 *       account made while older ones are locked is later in the lock order than all of them. Locks are taken
 *       in ascending ordinal ({@link #lockInOrder}): one global order, so no cycle of waiting threads.</li>
 *   <li>{@link #openings}: shared by every operation that adds an account ({@link #whileOpening}), exclusive
 *       for a consistent view of all accounts ({@link #quiescent}). While it is held exclusively no account is
 *       added, so the list of accounts taken then is complete. It is taken before any account lock, and is not
 *       on the path of deposits, withdrawals, transfers or loan payments.</li>
 *   <li>A customer account always uses the same vault shard, chosen by its number.</li>
 *   <li>Loan numbers are {@code L} and a counter that only grows, so no number is given twice.</li>
 * </ul>
 */
final class AccountTable {
    private static final String BANK = "bank";

    private final ConcurrentHashMap<String, Account> accounts = new ConcurrentHashMap<>();
    private final Account[] vault;
    private final AtomicLong nextOrdinal = new AtomicLong();
    private final AtomicLong nextLoanNumber = new AtomicLong(100_001);
    private final ReentrantReadWriteLock openings = new ReentrantReadWriteLock();

    AccountTable(int vaultShards) {
        this.vault = new Account[vaultShards];
        for (int i = 0; i < vault.length; i++) {
            Account shard = newAccount(String.format("VAULT-%02d", i), AccountKind.INTERNAL, BANK);
            accounts.put(shard.number, shard);
            vault[i] = shard;
        }
    }

    /** The account numbered {@code number}, or {@code null}; a {@code null} number names no account. */
    Account find(String number) {
        return number == null ? null : accounts.get(number);
    }

    boolean contains(String number) {
        return accounts.containsKey(number);
    }

    Account vaultFor(String number) {
        return vault[Math.floorMod(number.hashCode(), vault.length)];
    }

    /**
     * Returns once no thread holds the lock of account {@code number} (which must exist) from before this call: an
     * opening holds a new account's lock from publishing it until it is sequenced, so a caller that passes through
     * comes after that opening in the sequence order. Call it holding no account lock.
     */
    void passThroughLock(String number) {
        Account account = find(number);
        account.lock.lock();
        try {
            // Nothing to do inside: taking the lock was the point.
        } finally {
            account.lock.unlock();
        }
    }

    /** A new account, not yet published: the newest in the lock order. */
    Account newAccount(String number, AccountKind kind, String owner) {
        return new Account(number, kind, owner, nextOrdinal.getAndIncrement(), null);
    }

    /** Publishes {@code account}, unless its number is taken. Call it inside {@link #whileOpening}. */
    boolean publish(Account account) {
        if (openings.getReadHoldCount() == 0 && !openings.isWriteLockedByCurrentThread()) {
            throw new IllegalStateException("account " + account.number + " published outside an opening");
        }
        return accounts.putIfAbsent(account.number, account) == null;
    }

    /** The next bank-assigned loan number. */
    String nextLoanNumber() {
        return "L" + nextLoanNumber.getAndIncrement();
    }

    long peekNextLoanNumber() {
        return nextLoanNumber.get();
    }

    /** Makes sure the next loan number is above {@code loanNumber}, one read back from the journal or a state. */
    void loanNumberUsed(long loanNumber) {
        nextLoanNumber.accumulateAndGet(loanNumber + 1, Math::max);
    }

    /** Whether nothing but the vault is here: a ledger that may still be restored. */
    boolean onlyVault() {
        return accounts.size() == vault.length;
    }

    int vaultShards() {
        return vault.length;
    }

    /** Runs {@code opening}, which may add accounts, with {@link #openings} shared. */
    <T> T whileOpening(Supplier<T> opening) {
        openings.readLock().lock();
        try {
            return opening.get();
        } finally {
            openings.readLock().unlock();
        }
    }

    /**
     * Runs {@code read} with every account locked in order and no account being opened: one consistent point.
     * Cost: O(accounts) lock acquisitions; each account's money movement waits from the moment its lock is
     * taken until {@code read} is done, and openings wait for all of it.
     */
    <T> T quiescent(Function<List<Account>, T> read) {
        openings.writeLock().lock();
        try {
            List<Account> all = new ArrayList<>(accounts.values());
            all.sort(Comparator.comparingLong(account -> account.ordinal));
            lockInOrder(all);
            try {
                return read.apply(all);
            } finally {
                unlockAll(all);
            }
        } finally {
            openings.writeLock().unlock();
        }
    }

    /** Locks {@code involved} (distinct accounts) in ascending ordinal; it is sorted in place. */
    static void lockInOrder(List<Account> involved) {
        involved.sort(Comparator.comparingLong(account -> account.ordinal));
        int locked = 0;
        try {
            for (Account account : involved) {
                account.lock.lock();
                locked++;
            }
        } catch (RuntimeException | Error e) {
            for (int i = locked - 1; i >= 0; i--) {
                involved.get(i).lock.unlock();
            }
            throw e;
        }
    }

    /** Unlocks what {@link #lockInOrder} locked, newest first. */
    static void unlockAll(List<Account> involved) {
        for (int i = involved.size() - 1; i >= 0; i--) {
            involved.get(i).lock.unlock();
        }
    }

    /**
     * Loads the accounts of a saved state into this table, which holds only the vault. The vault shards must match;
     * every other account is created in the state's order, so their lock order follows it.
     */
    void restore(List<AccountView> views) {
        quiescent(ignored -> {
            for (AccountView view : views) {
                restore(view);
            }
            return null;
        });
    }

    private void restore(AccountView view) {
        Account account = accounts.get(view.number());
        if (view.kind() == AccountKind.INTERNAL) {
            if (account == null) {
                throw new IllegalStateException(
                        "the state has vault shard " + view.number() + ", this ledger has " + vault.length + " shards");
            }
        } else {
            account = new Account(
                    view.number(), view.kind(), view.owner(), nextOrdinal.getAndIncrement(), view.created());
            if (accounts.putIfAbsent(view.number(), account) != null) {
                throw new IllegalStateException("the state lists account " + view.number() + " twice");
            }
        }
        account.lock.lock();
        try {
            account.restore(view.balanceCents(), view.created());
        } finally {
            account.lock.unlock();
        }
    }
}
