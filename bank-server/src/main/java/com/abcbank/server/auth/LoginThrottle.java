package com.abcbank.server.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows down password guessing for one user name: after {@link #FREE_FAILURES} failures in a row, the next
 * attempt must wait {@link #FIRST_WAIT}, and the wait doubles with every further failure up to {@link #MAX_WAIT}.
 * A success clears it.
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

    /** How long {@code user} must still wait before the next attempt; zero if they may try now. */
    Duration waitFor(String user) {
        Failures entry = failures.get(key(user));
        if (entry == null) {
            return failures.size() >= MAX_TRACKED ? FIRST_WAIT : Duration.ZERO;
        }
        Duration left = Duration.between(clock.instant(), entry.blockedUntil());
        return left.isNegative() ? Duration.ZERO : left;
    }

    void failed(String user) {
        if (failures.size() >= MAX_TRACKED) {
            Instant now = clock.instant();
            failures.values().removeIf(entry -> entry.blockedUntil().isBefore(now));
        }
        failures.compute(key(user), (name, entry) -> {
            int count = entry == null ? 1 : entry.count() + 1;
            Instant now = clock.instant();
            if (count < FREE_FAILURES) {
                return new Failures(count, now);
            }
            int doublings = Math.min(count - FREE_FAILURES, 20);
            Duration wait = FIRST_WAIT.multipliedBy(1L << doublings);
            return new Failures(count, now.plus(wait.compareTo(MAX_WAIT) > 0 ? MAX_WAIT : wait));
        });
    }

    void succeeded(String user) {
        failures.remove(key(user));
    }

    private static String key(String user) {
        return user.toLowerCase(Locale.ROOT);
    }
}
