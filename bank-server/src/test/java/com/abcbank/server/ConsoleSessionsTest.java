package com.abcbank.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.abcbank.ledger.Caller;
import java.net.InetAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The console's sign-ins and sessions, on a clock of the test's own. */
class ConsoleSessionsTest {
    private static final Caller ALICE = Caller.customer("Alice");
    private final AtomicLong now = new AtomicLong(1_000);
    private final ConsoleSessions sessions = new ConsoleSessions(now::get);

    private ConsoleSessions.Taken begin() throws Exception {
        String id = sessions.hold(
                new LoginSession(null, InetAddress.getLoopbackAddress()),
                "Alice",
                InetAddress.getLoopbackAddress(),
                false);
        assertNotNull(id);
        return sessions.take(id);
    }

    @Test
    void aSignInWhosePasswordChangedBeforeItsSessionOpenedGetsNone() throws Exception {
        ConsoleSessions.Taken signIn = begin(); // the proof was checked against the old password
        sessions.closeAllOf("Alice"); // passwd, before the session is opened
        assertNull(sessions.open(ALICE, signIn.epoch()));
        assertEquals(0, sessions.size());
        ConsoleSessions.Taken afterwards = begin();
        assertNotNull(sessions.open(ALICE, afterwards.epoch()), "a sign-in begun after the change is fine");
    }

    @Test
    void aSessionEndsIdleAfterHalfAnHourAndAtTwelveHoursWhateverItsUse() throws Exception {
        ConsoleSessions.Session session = sessions.open(ALICE, begin().epoch());
        now.addAndGet(ConsoleSessions.IDLE_NANOS - 1);
        assertNotNull(sessions.find(session.token()), "used just in time");
        now.addAndGet(ConsoleSessions.IDLE_NANOS + 1);
        assertNull(sessions.find(session.token()), "idle too long");

        ConsoleSessions.Session busy = sessions.open(ALICE, begin().epoch());
        for (long used = 0; used < ConsoleSessions.MAX_AGE_NANOS; used += TimeUnit.MINUTES.toNanos(10)) {
            now.addAndGet(TimeUnit.MINUTES.toNanos(10));
            if (used + TimeUnit.MINUTES.toNanos(10) < ConsoleSessions.MAX_AGE_NANOS) {
                assertNotNull(sessions.find(busy.token()));
            }
        }
        now.addAndGet(1);
        assertNull(sessions.find(busy.token()), "twelve hours, however busy");
    }

    @Test
    void aPendingSignInLastsThirtySecondsAndIsTakenOnce() throws Exception {
        String id = sessions.hold(
                new LoginSession(null, InetAddress.getLoopbackAddress()),
                "Alice",
                InetAddress.getLoopbackAddress(),
                false);
        ConsoleSessions.Taken taken = sessions.take(id);
        assertNotNull(taken);
        assertNull(sessions.take(id), "once");
    }
}
