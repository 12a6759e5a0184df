package com.abcbank.lab;

import java.util.concurrent.locks.ReentrantLock;

/**
 * A laboratory account: an id, a balance in cents and a lock. Not a bank account, and never one: see the package
 * comment.
 *
 * <p>The balance is volatile so that what the unsafe ledger loses is lost to the interleaving of its
 * read-pause-write, which is the lesson, and not to the memory model (a plain field could also be cached in a
 * register, which would be a second, less visible lesson). The lock is a {@link ReentrantLock}, not a monitor, so
 * that the JVM reports it as an ownable synchronizer: {@code ThreadMXBean} shows who holds it.
 */
final class LabAccount {
    final int id;
    final ReentrantLock lock = new ReentrantLock();
    volatile long balanceCents;

    LabAccount(int id, long balanceCents) {
        this.id = id;
        this.balanceCents = balanceCents;
    }

    String name() {
        return "account " + id;
    }
}
