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
 * A success clears the counts it was counted in (a success from a trusted address leaves the untrusted guessers'
 * per-name count alone: it was not one of them). Unknown names are throttled like known ones, so the throttle does not tell which
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
    /**
     * Failures this old are forgiven: a name whose last failure was this long ago starts again with a whole budget,
     * so counts do not pile up for ever (the longest block, {@link #MAX_WAIT}, has long passed by then).
     */
    static final Duration FORGET_AFTER = Duration.ofMinutes(15);

    static final int TRUSTED_PER_NAME = 8;
    /** The longest an attempt waits for a place held by attempts in flight. */
    static final long IN_FLIGHT_WAIT_MS = 5_000;

    /**
     * One login attempt that {@link #begin} counted: refused unchecked if {@link #refusedFor} is not zero (and then not
     * to be ended), else to be {@link #end ended} or {@link #abandon abandoned} exactly once.
     */
    record Attempt(String name, Budget.State pair, Budget.State perName, Duration refusedFor, InetAddress from) {}

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
        return begin(user, from, expected, IN_FLIGHT_WAIT_MS);
    }

    /**
     * As {@link #begin(String, InetAddress, boolean)}, waiting at most {@code waitMs} for a place held by attempts in
     * flight (0: not at all, for a caller that must not park its thread: the web console's, on a shared pool).
     */
    Attempt begin(String user, InetAddress from, boolean expected, long waitMs) {
        String name = key(user);
        boolean counted = !expected && !isTrusted(name, from);
        Budget.Taken pair = pairs.begin(name + "/" + from.getHostAddress(), waitMs);
        if (pair.state() == null) {
            return new Attempt(name, null, null, pair.refusedFor(), from);
        }
        if (!counted) {
            return new Attempt(name, pair.state(), null, Duration.ZERO, from);
        }
        Budget.Taken perName = names.begin(name, waitMs);
        if (perName.state() == null) {
            pairs.release(pair.state());
            return new Attempt(name, null, null, perName.refusedFor(), from);
        }
        return new Attempt(name, pair.state(), perName.state(), Duration.ZERO, from);
    }

    /**
     * Ends an attempt {@link #begin} let through: a success clears the counts it was part of and trusts its
     * address, a failure counts. Returns whether this failure is the one that blocked the name (from the address,
     * or everywhere untrusted): a lockout. A success from a trusted address does not clear the per-name count of
     * the untrusted guessers: it was not one of them.
     */
    boolean end(Attempt attempt, boolean succeeded) {
        boolean blocked = pairs.end(attempt.pair(), succeeded);
        if (attempt.perName() != null) {
            blocked |= names.end(attempt.perName(), succeeded);
        }
        if (succeeded) {
            trust(attempt.name(), attempt.from());
        }
        return blocked;
    }

    /** Ends an attempt that never reached its check (the client went away between the two steps): no failure. */
    void abandon(Attempt attempt) {
        pairs.release(attempt.pair());
        if (attempt.perName() != null) {
            names.release(attempt.perName());
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
    static final class Budget {
        /**
         * The attempts of one key. Guarded by its own monitor. An attempt keeps the very state it took its place
         * in, and gives the place back there: a state is dropped from the map only when nothing is in flight in it
         * and no thread waits on it, so a place is never taken in a dropped state, nor given back to another.
         */
        static final class State {
            final String key;
            int failures;
            int inFlight;
            int waiting;
            Instant blockedUntil = Instant.EPOCH;
            Instant lastFailure = Instant.EPOCH;
            boolean retired;

            State(String key) {
                this.key = key;
            }
        }

        /** A place taken ({@code state} set), or the time the key must still wait ({@code state} null). */
        record Taken(State state, Duration refusedFor) {}

        private final int free;
        private final Clock clock;
        private final ConcurrentHashMap<String, State> states = new ConcurrentHashMap<>();

        Budget(int free, Clock clock) {
            this.free = free;
            this.clock = clock;
        }

        /** Takes a place for {@code key} (call {@link #end} or {@link #release} on it after), or says how long to wait. */
        Taken begin(String key, long waitMs) {
            while (true) {
                State state = stateOf(key);
                if (state == null) {
                    return new Taken(null, FIRST_WAIT); // the table is full of blocked keys: fail closed
                }
                synchronized (state) {
                    if (!state.retired) {
                        return begin(state, waitMs);
                    }
                }
            }
        }

        private Taken begin(State state, long waitMs) {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs);
            while (true) {
                Instant now = clock.instant();
                if (state.failures > 0 && !now.isBefore(state.lastFailure.plus(FORGET_AFTER))) {
                    state.failures = 0; // forgiven: see FORGET_AFTER
                }
                if (state.blockedUntil.isAfter(now)) {
                    return new Taken(null, Duration.between(now, state.blockedUntil));
                }
                boolean room = state.failures + state.inFlight < free;
                boolean afterWait = state.failures >= free && state.inFlight == 0; // one try per wait
                if (room || afterWait) {
                    state.inFlight++;
                    return new Taken(state, Duration.ZERO);
                }
                long leftMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (leftMs <= 0) {
                    retireIfIdle(state);
                    return new Taken(null, FIRST_WAIT);
                }
                state.waiting++; // a state with a waiter is not retired: the waiter's place will be taken here
                boolean interrupted = false;
                try {
                    state.wait(leftMs);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    interrupted = true;
                } finally {
                    state.waiting--;
                }
                if (interrupted) {
                    retireIfIdle(state);
                    return new Taken(null, FIRST_WAIT);
                }
            }
        }

        /** Ends an attempt in the state it took its place in: a success clears it, a failure counts. Whether it blocked. */
        boolean end(State state, boolean succeeded) {
            synchronized (state) {
                state.inFlight--;
                boolean blockedNow = false;
                if (succeeded) {
                    state.failures = 0;
                    state.blockedUntil = Instant.EPOCH;
                } else {
                    state.failures++;
                    state.lastFailure = clock.instant();
                    if (state.failures >= free) {
                        blockedNow = state.failures == free;
                        int doublings = Math.min(state.failures - free, 20);
                        Duration wait = FIRST_WAIT.multipliedBy(1L << doublings);
                        state.blockedUntil = clock.instant().plus(wait.compareTo(MAX_WAIT) > 0 ? MAX_WAIT : wait);
                    }
                }
                retireIfIdle(state);
                return blockedNow;
            }
        }

        /** Gives back an attempt's place without counting it. */
        void release(State state) {
            synchronized (state) {
                state.inFlight--;
                retireIfIdle(state);
            }
        }

        private void retireIfIdle(State state) {
            if (state.failures == 0 && state.inFlight == 0 && state.waiting == 0) {
                state.retired = true;
                states.remove(state.key, state);
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
                        boolean idle = s.inFlight == 0 && s.waiting == 0 && !s.blockedUntil.isAfter(now);
                        s.retired |= idle;
                        return idle;
                    }
                });
                if (states.size() >= MAX_TRACKED) {
                    return null;
                }
            }
            return states.computeIfAbsent(key, State::new);
        }
    }
}
