package com.abcbank.client;

import com.abcbank.protocol.Reply;
import com.abcbank.protocol.Request;
import com.abcbank.protocol.Result;
import com.abcbank.protocol.Scram;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The bench's bank before the load: its users registered, their accounts opened, one logged-in connection per
 * {@code --connections}; and the books read through {@code report} after it.
 *
 * <p>Connection {@code c} is user {@code c % users}'s ({@link BenchAccounts}). The first {@code users} connections
 * register their user (which logs them in) and open that user's accounts, pipelined; the rest log in once every
 * user exists. Both steps run on a few threads at once, because each registration and each login costs the server a
 * PBKDF2 hash (600,000 iterations by default: a large share of a second), which one thread would pay in series.
 *
 * <p>Each connection is a {@link BenchLink}: the setup talks through its blocking {@link BankConnection}, and the
 * event loops take its channel over afterwards.
 *
 * <p>Secrets are random ({@link Login#newPassword}), and only their SCRAM keys are kept, in this object only, never
 * printed or saved (a login with keys does no key stretching): the bench's
 * users are not meant to be used again.
 */
final class BenchSetup {
    /** Concurrent logins: enough to keep two cores hashing, few enough not to look like an attack. */
    static final int PARALLEL = 8;

    /** create_account requests in flight per connection while the accounts are opened. */
    static final int OPEN_WINDOW = 32;

    /** The whole setup; every request in it is bounded by the read timeout as well. */
    static final long SETUP_TIMEOUT_MINUTES = 10;

    private final BenchAccounts accounts;
    private final Supplier<BenchLink> opener;
    private final String[] passwords;

    BenchSetup(BenchAccounts accounts, Supplier<BenchLink> opener) {
        this.accounts = accounts;
        this.opener = opener;
        this.passwords = new String[accounts.users()];
        Arrays.setAll(
                passwords,
                user -> Scram.newKeys(Login.newPassword().toCharArray(), Scram.RANDOM_SECRET_ITERATIONS)
                        .encode());
    }

    /** Registers the users, opens the accounts, logs in {@code connections} connections; throws on any refusal. */
    List<BenchLink> prepare(int connections) {
        List<BenchLink> opened = new ArrayList<>();
        try {
            List<Callable<BenchLink>> owners = new ArrayList<>();
            for (int user = 0; user < accounts.users(); user++) {
                int u = user;
                owners.add(() -> registerAndOpen(u));
            }
            opened.addAll(all(owners));
            List<Callable<BenchLink>> others = new ArrayList<>();
            for (int c = accounts.users(); c < connections; c++) {
                int user = accounts.userOf(c);
                others.add(() -> login(user));
            }
            opened.addAll(all(others));
            return opened;
        } catch (RuntimeException e) {
            opened.forEach(BenchLink::close);
            throw e;
        }
    }

    /** {@code connections} connections, nothing sent: for {@code --no-setup}. */
    static List<BenchLink> open(int connections, Supplier<BenchLink> opener) {
        List<BenchLink> opened = new ArrayList<>();
        try {
            for (int c = 0; c < connections; c++) {
                opened.add(opener.get());
            }
            return opened;
        } catch (RuntimeException e) {
            opened.forEach(BenchLink::close);
            throw e;
        }
    }

    private BenchLink registerAndOpen(int user) {
        BenchLink link = opener.get();
        try {
            BankConnection bank = link.bank();
            Reply registered = bank.call(new Request.Register(
                    accounts.user(user),
                    Scram.ClientKeys.decode(passwords[user]).orElseThrow().verifier()));
            if (!registered.ok()) {
                throw ClientException.refused(registered.error());
            }
            List<Request> openings = new ArrayList<>();
            for (int nth = 0; nth < accounts.ownedBy(user); nth++) {
                String number = accounts.number(accounts.owned(user, nth));
                openings.add(new Request.CreateAccount(number, BenchWorkload.OPENING_CENTS, "bench-open-" + number));
            }
            bank.pipeline(openings, OPEN_WINDOW, (index, reply) -> {
                if (!reply.ok()) {
                    throw ClientException.refused(reply.error());
                }
            });
            return link;
        } catch (RuntimeException e) {
            link.close();
            throw e;
        }
    }

    private BenchLink login(int user) {
        BenchLink link = opener.get();
        try {
            link.bank().login(accounts.user(user), passwords[user]);
            return link;
        } catch (RuntimeException e) {
            link.close();
            throw e;
        }
    }

    /** Runs the tasks a few at a time; their results in order, or the first failure (the rest closed). */
    private static List<BenchLink> all(List<Callable<BenchLink>> tasks) {
        if (tasks.isEmpty()) {
            return List.of();
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(PARALLEL, tasks.size()));
        List<BenchLink> done = new ArrayList<>();
        try {
            List<Future<BenchLink>> futures = pool.invokeAll(tasks, SETUP_TIMEOUT_MINUTES, TimeUnit.MINUTES);
            RuntimeException failure = null;
            for (Future<BenchLink> future : futures) {
                try {
                    done.add(future.get());
                } catch (ExecutionException e) {
                    failure = failure != null ? failure : unwrap(e);
                } catch (CancellationException e) {
                    failure = failure != null
                            ? failure
                            : new ClientException(
                                    ExitCodes.UNAVAILABLE,
                                    "bench setup took longer than " + SETUP_TIMEOUT_MINUTES + " minutes");
                }
            }
            if (failure != null) {
                done.forEach(BenchLink::close);
                throw failure;
            }
            return done;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            done.forEach(BenchLink::close);
            throw new ClientException(ExitCodes.UNAVAILABLE, "bench setup interrupted", e);
        } finally {
            pool.shutdownNow();
        }
    }

    private static RuntimeException unwrap(ExecutionException e) {
        return e.getCause() instanceof RuntimeException runtime
                ? runtime
                : new IllegalStateException("bench setup failed", e.getCause());
    }

    /** The books at the end, read by the auditor through {@code report}. */
    static Result.Report books(BankConnection auditor) {
        Reply reply = auditor.call(new Request.Report());
        if (!reply.ok()) {
            throw ClientException.refused(reply.error());
        }
        return reply.resultAs(Result.Report.class);
    }
}
