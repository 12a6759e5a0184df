/**
 * The race and deadlock laboratory: small, self-contained demonstrations of why unsynchronised workers lose
 * money ({@link com.abcbank.lab.RaceLab}) and how locks taken in argument order deadlock where locks taken in one
 * global order do not ({@link com.abcbank.lab.DeadlockLab}), and what a lock costs when everyone wants the same one
 * ({@link com.abcbank.lab.ContentionLab}). {@code client demo race}, {@code client demo deadlock} and {@code client
 * demo contention} run them in the client's JVM; the web console will run them too.
 *
 * <p>Walled off from the bank on purpose. Nothing here imports {@code com.abcbank.ledger} or
 * {@code com.abcbank.journal}, and nothing there imports this package: the laboratory has its own tiny accounts
 * ({@code LabAccount}, a {@code long} of cents and a lock), made fresh for each run and dropped after it. No code
 * path leads from a bank operation to an unsafe ledger, and no unsafe ledger can reach a real account or write a
 * journal record. {@code LabIsolationTest} checks the imports.
 *
 * <p>Stable: the public records ({@code RaceLab.Settings}, {@code RaceLab.Report}, {@code DeadlockLab.Report},
 * {@code ContentionLab.Settings}, {@code ContentionLab.Report}) and the three public {@code run} methods.
 * Everything else is package-private.
 */
package com.abcbank.lab;
