package com.abcbank.server.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows down password guessing for one user name: after {@link #FREE_FAILURES} failures in a row, the next
 * attempt must wait {@link #FIRST_WAIT}, and the wait doubles with every further failure up to {@link #MAX_WAIT}.
 * A success clears it. An attempt counts when it starts, not when its check fails ({@link #tryAttempt}).
 * Unknown user names are throttled like known ones, so the throttle does not tell which names exist.
 *
 * <p>No thread sleeps: a throttled attempt is refused at once with the time left. The table is bounded: when
 * it is full, entries whose wait has passed are dropped; if none has, the oldest-blocked name stays
 * throttled and new names are throttled too (fail closed).
 */
final class LoginThrottle {
    static final int FREE_FAILURES = 5;
    static final Duration FIRST_WAIT = Duration.ofSeconds(1);
    static final Duration MAX_WAIT = Duration.ofMinutes(5);
    static final int MAX_TRACKED = 100_000;

    private record Failures(int count, Instant blockedUntil) {}

    private final Clock clock;
    private final ConcurrentHashMap<String, Failures> failures = new ConcurrentHashMap<>();

    LoginThrottle(Clock clock) {
        this.clock = clock;
    }

    /**
     * Counts an attempt for {@code user} <em>before</em> its password is checked, as if it failed (a success then
     * clears the count: {@link #succeeded}). Returns zero if it may be checked now, else how long the name must
     * still wait: that attempt is refused unchecked and not counted. Counting first is what makes the budget hold
     * against parallel guessing: twenty attempts at the same moment from twenty connections find the count
     * already raised by the ones before them, so at most {@link #FREE_FAILURES} are ever checked, where counting
     * after the (slow, by design) password hash let every one of them through.
     */
    Duration tryAttempt(String user) {
        Instant now = clock.instant();
        if (failures.size() >= MAX_TRACKED) {
            failures.values().removeIf(entry -> entry.blockedUntil().isBefore(now));
        }
        Duration[] wait = {Duration.ZERO};
        failures.compute(key(user), (name, entry) -> {
            if (entry != null && entry.blockedUntil().isAfter(now)) {
                wait[0] = Duration.between(now, entry.blockedUntil());
                return entry;
            }
            if (entry == null && failures.size() >= MAX_TRACKED) {
                wait[0] = FIRST_WAIT; // the table is full of blocked names: fail closed
                return null;
            }
            int count = entry == null ? 1 : entry.count() + 1;
            if (count < FREE_FAILURES) {
                return new Failures(count, now);
            }
            int doublings = Math.min(count - FREE_FAILURES, 20);
            Duration next = FIRST_WAIT.multipliedBy(1L << doublings);
            return new Failures(count, now.plus(next.compareTo(MAX_WAIT) > 0 ? MAX_WAIT : next));
        });
        return wait[0];
    }

    void succeeded(String user) {
        failures.remove(key(user));
    }

    private static String key(String user) {
        return user.toLowerCase(Locale.ROOT);
    }
}
