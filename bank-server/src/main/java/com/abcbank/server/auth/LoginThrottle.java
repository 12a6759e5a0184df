package com.abcbank.server.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Slows down password guessing for one user name: after {@link #FREE_FAILURES} failures in a row, the next
 * attempt must wait {@link #FIRST_WAIT}, and the wait doubles with every further failure up to {@link #MAX_WAIT}.
 * A success clears it. Unknown user names are throttled like known ones, so the throttle does not tell which names
 * exist.
 *
 * <h2>Attempts count before their check</h2>
 * The password check is slow by design, so a budget counted only when a check fails lets C connections guessing at
 * the same moment get C checks. Here an attempt takes a place in the budget when it starts ({@link #begin}) and
 * gives it back when it ends ({@link #end}): failed attempts plus attempts in flight never exceed
 * {@link #FREE_FAILURES}. An attempt that finds no place <em>waits</em> (at most {@link #IN_FLIGHT_WAIT_MS}) for one
 * in flight to end: if that one succeeds, the count is cleared and the waiter goes on, so a customer's many
 * concurrent correct logins all pass; if it fails, the budget fills, the name is blocked, and the waiter is refused.
 * Twenty wrong passwords sent at once thus get five checks.
 *
 * <h2>Threads and bounds</h2>
 * One {@link State} per name, guarded by its own monitor; the map only finds it. A state with nothing in flight and
 * no failure is dropped ({@code retired}), and a thread that found it just then takes a new one. The table is
 * bounded: when it is full, states whose block has passed are dropped; if none has, new names are throttled (fail
 * closed). A blocked attempt is refused at once with the time left; only the wait for an attempt in flight blocks a
 * thread, and briefly.
 */
final class LoginThrottle {
    static final int FREE_FAILURES = 5;
    static final Duration FIRST_WAIT = Duration.ofSeconds(1);
    static final Duration MAX_WAIT = Duration.ofMinutes(5);
    static final int MAX_TRACKED = 100_000;
    /** The longest an attempt waits for a place held by attempts in flight: a few password checks. */
    static final long IN_FLIGHT_WAIT_MS = 5_000;

    /** The attempts of one name. Guarded by its own monitor. */
    private static final class State {
        int failures;
        int inFlight;
        Instant blockedUntil = Instant.EPOCH;
        boolean retired;
    }

    private final Clock clock;
    private final ConcurrentHashMap<String, State> states = new ConcurrentHashMap<>();

    LoginThrottle(Clock clock) {
        this.clock = clock;
    }

    /**
     * Starts an attempt for {@code user}: zero if its password may be checked now (call {@link #end} after), else
     * how long the name must still wait (the attempt is refused, unchecked, and must not call {@link #end}).
     */
    Duration begin(String user) {
        while (true) {
            State state = stateOf(user);
            if (state == null) {
                return FIRST_WAIT; // the table is full of blocked names: fail closed
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
            boolean free = state.failures + state.inFlight < FREE_FAILURES;
            boolean afterWait = state.failures >= FREE_FAILURES && state.inFlight == 0; // one try per wait
            if (free || afterWait) {
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

    /** Ends an attempt that {@link #begin} let through: a success clears the name, a failure counts. */
    void end(String user, boolean succeeded) {
        State state = states.get(key(user));
        if (state == null) {
            return; // cannot happen: a state with an attempt in flight is never retired
        }
        synchronized (state) {
            state.inFlight--;
            if (succeeded) {
                state.failures = 0;
                state.blockedUntil = Instant.EPOCH;
            } else {
                state.failures++;
                if (state.failures >= FREE_FAILURES) {
                    int doublings = Math.min(state.failures - FREE_FAILURES, 20);
                    Duration wait = FIRST_WAIT.multipliedBy(1L << doublings);
                    state.blockedUntil = clock.instant().plus(wait.compareTo(MAX_WAIT) > 0 ? MAX_WAIT : wait);
                }
            }
            if (state.failures == 0 && state.inFlight == 0) {
                state.retired = true;
                states.remove(key(user), state);
            }
            state.notifyAll();
        }
    }

    /** The state of {@code user}, made if need be; {@code null} if the table is full of names still blocked. */
    private State stateOf(String user) {
        String key = key(user);
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

    private static String key(String user) {
        return user.toLowerCase(Locale.ROOT);
    }
}
