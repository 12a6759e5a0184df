package com.abcbank.lab;

import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * The two ledgers the race compares, over the same laboratory accounts and the same operations. Each operation
 * reads the balances, waits {@code windowNanos} (the race window: zero for none), then writes them back; the
 * window stands for everything a real operation does between its read and its write (checks, I/O, a log
 * append), and widening it makes the race visible on one core. A refusal (too little money) changes nothing
 * and returns false.
 */
abstract class LabLedger {
    final List<LabAccount> accounts;
    private final long windowNanos;

    LabLedger(List<LabAccount> accounts, long windowNanos) {
        this.accounts = accounts;
        this.windowNanos = windowNanos;
    }

    abstract boolean deposit(LabAccount account, long amountCents);

    abstract boolean withdraw(LabAccount account, long amountCents);

    /** {@code from} and {@code to} are different accounts. */
    abstract boolean transfer(LabAccount from, LabAccount to, long amountCents);

    long totalCents() {
        long total = 0;
        for (LabAccount account : accounts) {
            total += account.balanceCents;
        }
        return total;
    }

    /** The race window. {@code parkNanos} gives the core away, so other workers run their reads meanwhile. */
    void window() {
        if (windowNanos > 0) {
            LockSupport.parkNanos(windowNanos);
        }
    }

    // The operations themselves: read, window, write, with no lock. Unsafe runs them as they are; Safe runs the very
    // same code inside the accounts' locks, so the lock is the only difference between the two ledgers.

    final boolean depositUnlocked(LabAccount account, long amountCents) {
        long balance = account.balanceCents;
        window();
        account.balanceCents = balance + amountCents;
        return true;
    }

    final boolean withdrawUnlocked(LabAccount account, long amountCents) {
        long balance = account.balanceCents;
        if (balance < amountCents) {
            return false;
        }
        window();
        account.balanceCents = balance - amountCents;
        return true;
    }

    final boolean transferUnlocked(LabAccount from, LabAccount to, long amountCents) {
        long fromBalance = from.balanceCents;
        if (fromBalance < amountCents) {
            return false;
        }
        long toBalance = to.balanceCents;
        window();
        from.balanceCents = fromBalance - amountCents;
        to.balanceCents = toBalance + amountCents;
        return true;
    }

    /**
     * No locks: read, window, write. Two workers that read the same balance before either writes both write a
     * value computed from it, and the first write is lost (a lost update): money created or destroyed.
     */
    static final class Unsafe extends LabLedger {
        Unsafe(List<LabAccount> accounts, long windowNanos) {
            super(accounts, windowNanos);
        }

        @Override
        boolean deposit(LabAccount account, long amountCents) {
            return depositUnlocked(account, amountCents);
        }

        @Override
        boolean withdraw(LabAccount account, long amountCents) {
            return withdrawUnlocked(account, amountCents);
        }

        @Override
        boolean transfer(LabAccount from, LabAccount to, long amountCents) {
            return transferUnlocked(from, to, amountCents);
        }
    }

    /**
     * One {@link java.util.concurrent.locks.ReentrantLock} per account, held from the read to the write, and for a
     * transfer both locks taken in ascending account id (the bank's own rule, JCIP 10.3), so no two workers can
     * wait for each other in a cycle. The window is inside the locks: the same work as the unsafe ledger, but
     * nobody else touches the account meanwhile.
     */
    static final class Safe extends LabLedger {
        Safe(List<LabAccount> accounts, long windowNanos) {
            super(accounts, windowNanos);
        }

        @Override
        boolean deposit(LabAccount account, long amountCents) {
            account.lock.lock();
            try {
                return depositUnlocked(account, amountCents);
            } finally {
                account.lock.unlock();
            }
        }

        @Override
        boolean withdraw(LabAccount account, long amountCents) {
            account.lock.lock();
            try {
                return withdrawUnlocked(account, amountCents);
            } finally {
                account.lock.unlock();
            }
        }

        @Override
        boolean transfer(LabAccount from, LabAccount to, long amountCents) {
            // Lock order: ascending id, everywhere.
            LabAccount first = from.id < to.id ? from : to;
            LabAccount second = first == from ? to : from;
            first.lock.lock();
            try {
                second.lock.lock();
                try {
                    return transferUnlocked(from, to, amountCents);
                } finally {
                    second.lock.unlock();
                }
            } finally {
                first.lock.unlock();
            }
        }
    }
}
