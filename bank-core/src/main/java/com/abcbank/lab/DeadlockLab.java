package com.abcbank.lab;

import java.lang.management.LockInfo;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The deadlock: two workers make opposite transfers (account 1 to 2, account 2 to 1), each taking the two
 * accounts' locks in argument order, source first. A latch makes the deadlock certain rather than likely: each
 * worker holds its first lock and waits at the latch until the other holds its own, and only then asks for the
 * second. Then neither can go on.
 *
 * <p>Found, not assumed: the JVM's {@link ThreadMXBean#findDeadlockedThreads} is polled every
 * {@link #POLL_MS} ms for at most the bound, and what it reports is read back with {@link ThreadInfo}: the lock each
 * worker waits for and its owner, and the ownable synchronizers each holds (the accounts' locks are
 * {@code ReentrantLock}s, which the JVM tracks as such). Which account a lock belongs to is measured too: before the
 * run, this thread takes each account's lock once and reads the synchronizer's identity from the same bean.
 *
 * <p>Then the stuck workers are abandoned: interrupted, and since they wait in {@code lockInterruptibly} they give
 * up, release what they hold and end (they are daemon threads besides, so even a worker that did not end would
 * not keep the JVM alive). Finally the same two transfers run with the ordered protocol (locks in ascending account
 * id, whatever the direction), which cannot deadlock, and finish.
 */
public final class DeadlockLab {
    static final long POLL_MS = 10;
    /** How long to look for the deadlock, and how long the ordered run may take. */
    public static final long BOUND_MS = 2_000;

    static final long INITIAL_BALANCE_CENTS = 100_000;
    static final long ONE_TO_TWO_CENTS = 10_000;
    static final long TWO_TO_ONE_CENTS = 5_000;

    /**
     * A stuck worker as the JVM reported it.
     *
     * @param holds the account whose lock it holds (or the lock's name if it is not an account's)
     * @param waitsFor the account whose lock it waits for
     * @param owner the thread that holds what it waits for
     * @param lockName the JVM's name of the lock it waits for ({@code ...ReentrantLock$NonfairSync@1b2c3d})
     */
    public record Stuck(String thread, List<String> holds, String waitsFor, String owner, String lockName) {}

    /**
     * What the run found.
     *
     * @param detected whether the JVM reported both workers deadlocked within {@link #BOUND_MS}
     * @param detectedAfterMs how long that took
     * @param abandoned whether both stuck workers ended after the interrupt
     * @param balancesAfterAbandonCents the balances then, account 1 first: as they started, as nothing moved
     * @param orderedCompleted whether both transfers of the ordered run finished within {@link #BOUND_MS}
     * @param balancesCents the accounts' balances after the ordered run, account 1 first
     */
    public record Report(
            boolean detected,
            long detectedAfterMs,
            List<Stuck> stuck,
            boolean abandoned,
            List<Long> balancesAfterAbandonCents,
            boolean orderedCompleted,
            long orderedMs,
            long totalBeforeCents,
            long totalAfterCents,
            List<Long> balancesCents) {}

    private DeadlockLab() {}

    public static Report run() throws InterruptedException {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        if (!threads.isSynchronizerUsageSupported()) {
            throw new IllegalStateException(
                    "this JVM does not report ownable synchronizers: no deadlock demonstration");
        }
        LabAccount one = new LabAccount(1, INITIAL_BALANCE_CENTS);
        LabAccount two = new LabAccount(2, INITIAL_BALANCE_CENTS);
        Map<Integer, String> lockOwners = identify(threads, List.of(one, two));
        long totalBefore = one.balanceCents + two.balanceCents;

        CountDownLatch bothHoldFirst = new CountDownLatch(2);
        AtomicBoolean abandon = new AtomicBoolean();
        Thread forward =
                start("lab-transfer-1-to-2", () -> inArgumentOrder(one, two, ONE_TO_TWO_CENTS, bothHoldFirst, abandon));
        Thread backward =
                start("lab-transfer-2-to-1", () -> inArgumentOrder(two, one, TWO_TO_ONE_CENTS, bothHoldFirst, abandon));
        long start = System.nanoTime();
        long[] ours = {forward.getId(), backward.getId()};
        boolean detected = awaitDeadlock(threads, ours, start + TimeUnit.MILLISECONDS.toNanos(BOUND_MS));
        long detectedAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        List<Stuck> stuck = detected ? describe(threads, ours, lockOwners) : List.of();

        // The flag first: the first worker to give up releases its lock, and the other may get it before its
        // own interrupt arrives; the flag tells it to move nothing all the same.
        abandon.set(true);
        forward.interrupt();
        backward.interrupt();
        forward.join(BOUND_MS);
        backward.join(BOUND_MS);
        boolean abandoned = !forward.isAlive() && !backward.isAlive();
        List<Long> afterAbandon = List.of(one.balanceCents, two.balanceCents);

        // The ordered protocol, the same transfers. A start gate lets them contend; nothing can make them cycle.
        CountDownLatch startGate = new CountDownLatch(1);
        Thread orderedForward = start("lab-ordered-1-to-2", () -> inGlobalOrder(one, two, ONE_TO_TWO_CENTS, startGate));
        Thread orderedBackward =
                start("lab-ordered-2-to-1", () -> inGlobalOrder(two, one, TWO_TO_ONE_CENTS, startGate));
        long orderedStart = System.nanoTime();
        startGate.countDown();
        orderedForward.join(BOUND_MS);
        orderedBackward.join(BOUND_MS);
        long orderedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - orderedStart);
        boolean orderedCompleted = !orderedForward.isAlive() && !orderedBackward.isAlive();
        if (!orderedCompleted) {
            orderedForward.interrupt();
            orderedBackward.interrupt();
        }
        return new Report(
                detected,
                detectedAfterMs,
                stuck,
                abandoned,
                afterAbandon,
                orderedCompleted,
                orderedMs,
                totalBefore,
                one.balanceCents + two.balanceCents,
                List.of(one.balanceCents, two.balanceCents));
    }

    /** Which account each lock's synchronizer belongs to, by identity hash, as this JVM reports it. */
    private static Map<Integer, String> identify(ThreadMXBean threads, List<LabAccount> accounts) {
        Map<Integer, String> owners = new HashMap<>();
        long self = Thread.currentThread().getId();
        for (LabAccount account : accounts) {
            account.lock.lock();
            try {
                for (LockInfo held :
                        threads.getThreadInfo(new long[] {self}, false, true)[0].getLockedSynchronizers()) {
                    owners.put(held.getIdentityHashCode(), account.name());
                }
            } finally {
                account.lock.unlock();
            }
        }
        return owners;
    }

    /** Polls until the JVM reports every one of {@code ours} deadlocked, or the deadline passes. */
    private static boolean awaitDeadlock(ThreadMXBean threads, long[] ours, long deadlineNanos)
            throws InterruptedException {
        while (true) {
            long[] deadlocked = threads.findDeadlockedThreads();
            if (deadlocked != null && containsAll(deadlocked, ours)) {
                return true;
            }
            if (System.nanoTime() - deadlineNanos >= 0) {
                return false;
            }
            Thread.sleep(POLL_MS); // a polling interval, not synchronisation: the bean has no callback
        }
    }

    private static boolean containsAll(long[] ids, long[] wanted) {
        for (long id : wanted) {
            boolean found = false;
            for (long candidate : ids) {
                found |= candidate == id;
            }
            if (!found) {
                return false;
            }
        }
        return true;
    }

    private static List<Stuck> describe(ThreadMXBean threads, long[] ours, Map<Integer, String> lockOwners) {
        List<Stuck> stuck = new ArrayList<>();
        for (ThreadInfo info : threads.getThreadInfo(ours, false, true)) {
            if (info == null) {
                continue; // ended meanwhile; cannot happen while deadlocked
            }
            List<String> holds = new ArrayList<>();
            for (LockInfo held : info.getLockedSynchronizers()) {
                holds.add(lockOwners.getOrDefault(held.getIdentityHashCode(), held.toString()));
            }
            LockInfo waiting = info.getLockInfo();
            String waitsFor = waiting == null
                    ? "nothing"
                    : lockOwners.getOrDefault(waiting.getIdentityHashCode(), waiting.toString());
            stuck.add(new Stuck(info.getThreadName(), holds, waitsFor, info.getLockOwnerName(), info.getLockName()));
        }
        return stuck;
    }

    /** The mistake: source's lock, then (once both workers hold their first) target's. */
    private static void inArgumentOrder(
            LabAccount from, LabAccount to, long amountCents, CountDownLatch bothHoldFirst, AtomicBoolean abandon)
            throws InterruptedException {
        from.lock.lockInterruptibly();
        try {
            bothHoldFirst.countDown();
            bothHoldFirst.await();
            to.lock.lockInterruptibly();
            try {
                if (!abandon.get()) {
                    move(from, to, amountCents);
                }
            } finally {
                to.lock.unlock();
            }
        } finally {
            from.lock.unlock();
        }
    }

    /** The protocol: the lower account id's lock first, whichever way the money goes. */
    private static void inGlobalOrder(LabAccount from, LabAccount to, long amountCents, CountDownLatch startGate)
            throws InterruptedException {
        startGate.await();
        LabAccount first = from.id < to.id ? from : to;
        LabAccount second = first == from ? to : from;
        first.lock.lockInterruptibly();
        try {
            second.lock.lockInterruptibly();
            try {
                move(from, to, amountCents);
            } finally {
                second.lock.unlock();
            }
        } finally {
            first.lock.unlock();
        }
    }

    private static void move(LabAccount from, LabAccount to, long amountCents) {
        long fromBalance = from.balanceCents;
        long toBalance = to.balanceCents;
        if (fromBalance >= amountCents) {
            from.balanceCents = fromBalance - amountCents;
            to.balanceCents = toBalance + amountCents;
        }
    }

    private interface Body {
        void run() throws InterruptedException;
    }

    /** A daemon worker: an abandoned one never keeps the JVM alive. An interrupt ends it quietly. */
    private static Thread start(String name, Body body) {
        Thread thread = new Thread(
                () -> {
                    try {
                        body.run();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt(); // abandoned: end, holding nothing (the finally blocks)
                    }
                },
                name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }
}
