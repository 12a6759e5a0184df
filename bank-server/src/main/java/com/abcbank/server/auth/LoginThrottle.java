package com.abcbank.server.auth;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Slows down password guessing, per user name <em>and</em> client address, with a higher bound per name.
 *
 * <h2>Two budgets</h2>
 * <ul>
 *   <li>Per name and address: after {@link #PAIR_FREE_FAILURES} failures in a row for one name from one address,
 *       the next attempt from there must wait {@link #FIRST_WAIT}, and the wait doubles with every further failure
 *       up to {@link #MAX_WAIT}. A guesser thus blocks only itself: the real user, elsewhere, is not touched.
 *   <li>Per name: after {@link #NAME_FREE_FAILURES} failures in a row from all untrusted addresses together, the
 *       name is blocked the same way from every untrusted address: a guesser spread over many addresses still gets
 *       few guesses. It never blocks a <em>trusted</em> address: one the user has logged in from successfully since
 *       the server started, or, for the auditor, one it is expected to log in from ({@code --auditor-from}). So a
 *       flood of guesses from strangers never locks a user out of the place they use, nor the auditor out of its
 *       own.
 * </ul>
 * A success clears both counts. Unknown names are throttled like known ones, so the throttle does not tell which
 * names exist.
 *
 * <h2>Attempts count before their check</h2>
 * An attempt takes a place in each budget when it starts ({@link #begin}) and gives it back when it ends
 * ({@link #end}, or {@link #abandon} for one that never sent its proof): failures plus attempts in flight never
 * exceed the budget, so twenty guesses sent at once get five checks. An attempt that finds no place waits (at
 * most {@link #IN_FLIGHT_WAIT_MS}) for one in flight to end: if that one succeeds, the count is cleared and the
 * waiter goes on, so a customer's many concurrent correct logins all pass.
 *
 * <h2>Threads and bounds</h2>
 * One {@link Budget} state per key, guarded by its own monitor; the map only finds it. Idle states are dropped.
 * Each table is bounded ({@link #MAX_TRACKED}): when full, states whose block has passed are dropped; if none has,
 * new keys are throttled (fail closed). The trusted addresses are bounded too: {@link #TRUSTED_PER_NAME} per name,
 * the most recent kept, for at most {@link #MAX_TRACKED} names (beyond that a success is not remembered, and the
 * name is subject to its per-name bound everywhere: fail closed again).
 */
final class LoginThrottle {
    static final int PAIR_FREE_FAILURES = 5;
    static final int NAME_FREE_FAILURES = 20;
    static final Duration FIRST_WAIT = Duration.ofSeconds(1);
    static final Duration MAX_WAIT = Duration.ofMinutes(5);
    static final int MAX_TRACKED = 100_000;
    static final int TRUSTED_PER_NAME = 8;
    /** The longest an attempt waits for a place held by attempts in flight. */
    static final long IN_FLIGHT_WAIT_MS = 5_000;

    /**
     * One login attempt that {@link #begin} counted: refused unchecked if {@link #refusedFor} is not zero (and then not
     * to be ended), else to be {@link #end ended} or {@link #abandon abandoned} exactly once.
     */
    record Attempt(String name, String pair, boolean perName, Duration refusedFor, InetAddress from) {}

    private final Budget pairs;
    private final Budget names;
    private final ConcurrentHashMap<String, Set<InetAddress>> trusted = new ConcurrentHashMap<>();

    LoginThrottle(Clock clock) {
        this.pairs = new Budget(PAIR_FREE_FAILURES, clock);
        this.names = new Budget(NAME_FREE_FAILURES, clock);
    }

    /**
     * Starts an attempt for {@code user} from {@code from}.
     *
     * @param expected whether {@code from} is where this user is expected (the auditor's addresses): exempt from
     *                 the per-name bound, like an address the user logged in from before
     */
    Attempt begin(String user, InetAddress from, boolean expected) {
        String name = key(user);
        String pair = name + "/" + from.getHostAddress();
        boolean perName = !expected && !isTrusted(name, from);
        Duration wait = pairs.begin(pair);
        if (wait.isZero() && perName) {
            wait = names.begin(name);
            if (!wait.isZero()) {
                pairs.release(pair);
            }
        }
        return new Attempt(name, pair, perName, wait, from);
    }

    /**
     * Ends an attempt {@link #begin} let through: a success clears the counts and trusts its address, a failure
     * counts. Returns whether this failure is the one that blocked the name (from the address, or everywhere
     * untrusted): a lockout.
     */
    boolean end(Attempt attempt, boolean succeeded) {
        boolean blocked = pairs.end(attempt.pair(), succeeded);
        if (attempt.perName()) {
            blocked |= names.end(attempt.name(), succeeded);
        } else if (succeeded) {
            names.clear(attempt.name());
        }
        if (succeeded) {
            trust(attempt.name(), attempt.from());
        }
        return blocked;
    }

    /** Ends an attempt that never reached its check (the client went away between the two steps): no failure. */
    void abandon(Attempt attempt) {
        pairs.release(attempt.pair());
        if (attempt.perName()) {
            names.release(attempt.name());
        }
    }

    private boolean isTrusted(String name, InetAddress from) {
        Set<InetAddress> addresses = trusted.get(name);
        if (addresses == null) {
            return false;
        }
        synchronized (addresses) {
            return addresses.contains(from);
        }
    }

    private void trust(String name, InetAddress from) {
        Set<InetAddress> addresses = trusted.get(name);
        if (addresses == null) {
            if (trusted.size() >= MAX_TRACKED) {
                return; // fail closed: the per-name bound applies
            }
            addresses = trusted.computeIfAbsent(name, k -> new LinkedHashSet<>());
        }
        synchronized (addresses) {
            addresses.remove(from); // re-added last: the most recent are kept
            addresses.add(from);
            if (addresses.size() > TRUSTED_PER_NAME) {
                addresses.remove(addresses.iterator().next());
            }
        }
    }

    private static String key(String user) {
        return user.toLowerCase(Locale.ROOT);
    }

    /** Failures in a row and attempts in flight per key, with a doubling block once {@code free} is used up. */
    private static final class Budget {
        /** The attempts of one key. Guarded by its own monitor. */
        private static final class State {
            int failures;
            int inFlight;
            Instant blockedUntil = Instant.EPOCH;
            boolean retired;
        }

        private final int free;
        private final Clock clock;
        private final ConcurrentHashMap<String, State> states = new ConcurrentHashMap<>();

        Budget(int free, Clock clock) {
            this.free = free;
            this.clock = clock;
        }

        /** Zero if the attempt may go on (it now holds a place), else how long the key must still wait. */
        Duration begin(String key) {
            while (true) {
                State state = stateOf(key);
                if (state == null) {
                    return FIRST_WAIT; // the table is full of blocked keys: fail closed
                }
                synchronized (state) {
                    if (!state.retired) {
                        return begin(state);
                    }
                }
            }
        }

        private Duration begin(State state) {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(IN_FLIGHT_WAIT_MS);
            while (true) {
                Instant now = clock.instant();
                if (state.blockedUntil.isAfter(now)) {
                    return Duration.between(now, state.blockedUntil);
                }
                boolean room = state.failures + state.inFlight < free;
                boolean afterWait = state.failures >= free && state.inFlight == 0; // one try per wait
                if (room || afterWait) {
                    state.inFlight++;
                    return Duration.ZERO;
                }
                long leftMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (leftMs <= 0) {
                    return FIRST_WAIT;
                }
                try {
                    state.wait(leftMs);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return FIRST_WAIT;
                }
            }
        }

        /** Ends an attempt: a success clears the key, a failure counts. Whether this failure blocked the key. */
        boolean end(String key, boolean succeeded) {
            State state = states.get(key);
            if (state == null) {
                return false; // cannot happen: a state with an attempt in flight is never retired
            }
            synchronized (state) {
                state.inFlight--;
                boolean blockedNow = false;
                if (succeeded) {
                    state.failures = 0;
                    state.blockedUntil = Instant.EPOCH;
                } else {
                    state.failures++;
                    if (state.failures >= free) {
                        blockedNow = state.failures == free;
                        int doublings = Math.min(state.failures - free, 20);
                        Duration wait = FIRST_WAIT.multipliedBy(1L << doublings);
                        state.blockedUntil = clock.instant().plus(wait.compareTo(MAX_WAIT) > 0 ? MAX_WAIT : wait);
                    }
                }
                retireIfIdle(key, state);
                return blockedNow;
            }
        }

        /** Gives back an attempt's place without counting it. */
        void release(String key) {
            State state = states.get(key);
            if (state == null) {
                return;
            }
            synchronized (state) {
                state.inFlight--;
                retireIfIdle(key, state);
            }
        }

        /** Clears the key's failures (a success elsewhere), leaving attempts in flight alone. */
        void clear(String key) {
            State state = states.get(key);
            if (state == null) {
                return;
            }
            synchronized (state) {
                state.failures = 0;
                state.blockedUntil = Instant.EPOCH;
                retireIfIdle(key, state);
            }
        }

        private void retireIfIdle(String key, State state) {
            if (state.failures == 0 && state.inFlight == 0) {
                state.retired = true;
                states.remove(key, state);
            }
            state.notifyAll();
        }

        /** The state of {@code key}, made if need be; {@code null} if the table is full of keys still blocked. */
        private State stateOf(String key) {
            State state = states.get(key);
            if (state != null) {
                return state;
            }
            if (states.size() >= MAX_TRACKED) {
                Instant now = clock.instant();
                states.values().removeIf(s -> {
                    synchronized (s) {
                        boolean idle = s.inFlight == 0 && !s.blockedUntil.isAfter(now);
                        s.retired |= idle;
                        return idle;
                    }
                });
                if (states.size() >= MAX_TRACKED) {
                    return null;
                }
            }
            return states.computeIfAbsent(key, k -> new State());
        }
    }
}
