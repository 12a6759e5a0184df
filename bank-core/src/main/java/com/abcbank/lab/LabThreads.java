package com.abcbank.lab;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs a laboratory's workers all at once: one daemon thread each, held at a start gate until every one exists, then
 * released together, and waited for within a bound. The race and the contention labs both measure what happens when
 * workers really overlap, so neither may let the first thread run ahead while the last is being made.
 */
final class LabThreads {
    /** Beyond a lab's own bound, how long to wait for workers that check their deadline between operations. */
    private static final long GRACE_MS = 5_000;

    private LabThreads() {}

    /**
     * Runs {@code workers} on threads named {@code prefix} followed by 1, 2, ... and returns once all have ended, with
     * the {@link System#nanoTime} read just before the gate opened (every thread made and waiting: no worker's time is
     * earlier). What each worker wrote is visible to the caller then (the end gate's countDown happens-before the
     * return).
     *
     * @throws IllegalStateException if a worker threw (its failure is the cause), or they did not all end within
     *     {@code boundMs} and a grace
     */
    static long runTogether(String prefix, List<? extends Runnable> workers, long boundMs) throws InterruptedException {
        CountDownLatch startGate = new CountDownLatch(1);
        CountDownLatch endGate = new CountDownLatch(workers.size());
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int i = 0; i < workers.size(); i++) {
            Runnable worker = workers.get(i);
            Thread thread = new Thread(
                    () -> {
                        try {
                            startGate.await();
                            worker.run();
                        } catch (Throwable e) {
                            failure.compareAndSet(null, e);
                        } finally {
                            endGate.countDown();
                        }
                    },
                    prefix + (i + 1));
            thread.setDaemon(true); // never keeps the JVM alive
            thread.start();
        }
        long start = System.nanoTime();
        startGate.countDown();
        if (!endGate.await(boundMs + GRACE_MS, TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException(prefix + "* did not stop within " + boundMs + " ms");
        }
        if (failure.get() != null) {
            throw new IllegalStateException(prefix + "* failed", failure.get());
        }
        return start;
    }
}
