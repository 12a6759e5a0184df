package com.abcbank.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abcbank.journal.DurableLog;
import com.abcbank.journal.SecurityEvent;
import com.abcbank.journal.SecurityEvent.Kind;
import com.abcbank.journal.Verifier;
import com.abcbank.ledger.Snapshot;
import com.abcbank.ledger.Transaction;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The sink alone: each kind recorded as given, and the bound on what a flood of events writes. */
class SecurityEventsSinkTest {
    private static final Instant START = Instant.parse("2026-12-02T10:00:00Z");

    /** A log that keeps the events it is given, or refuses them all. */
    private static final class Events implements DurableLog {
        final List<SecurityEvent> kept = new ArrayList<>();
        boolean full;

        @Override
        public boolean recordSecurityEvent(SecurityEvent event) {
            if (full) {
                return false;
            }
            kept.add(event);
            return true;
        }

        @Override
        public void committed(Transaction tx) {}

        @Override
        public void awaitDurable(long seq) {}

        @Override
        public long durableSeq() {
            return 0;
        }

        @Override
        public long awaitDurableAbove(long seq, long timeoutMs) {
            return 0;
        }

        @Override
        public Throwable failure() {
            return null;
        }

        @Override
        public long forces() {
            return 0;
        }

        @Override
        public Optional<Verifier.Report> verify(Snapshot live) {
            return Optional.empty();
        }

        @Override
        public void close() {}
    }

    private final Events log = new Events();
    private final MutableClock clock = new MutableClock(START);
    private final SecurityEvents sink = new SecurityEvents(log, clock);

    @Test
    void lockoutAndPasswordChangeAreRecordedWithNameAndAddress() throws Exception {
        InetAddress address = InetAddress.getByName("192.0.2.7");
        sink.lockout("Alice", address);
        sink.passwordChanged("Audit", address);
        assertEquals(
                List.of(
                        SecurityEvent.of(START, Kind.LOCKOUT, "Alice", "192.0.2.7", ""),
                        SecurityEvent.of(START, Kind.PASSWORD_CHANGED, "Audit", "192.0.2.7", "")),
                log.kept);
    }

    @Test
    void repeatsOfOneNameFromOneAddressBecomeOneCountPerSecond() {
        for (int i = 0; i < 10_000; i++) {
            sink.record(Kind.LOGIN_FAILED, "Alice", "10.0.0.1", "");
        }
        assertEquals(1, log.kept.size(), "the first at once");
        clock.advance(Duration.ofMillis(1_000));
        sink.flush();
        assertEquals(2, log.kept.size());
        assertEquals(9_999, log.kept.get(1).repeated());
        assertEquals("again within the second", log.kept.get(1).detail());
        assertEquals(START, log.kept.get(1).time(), "the count is dated by the first of its second");
        sink.flush();
        assertEquals(2, log.kept.size(), "nothing twice");
    }

    @Test
    void aFloodOfNamesAndAddressesWritesABoundedNumberOfRecordsEachSecond() {
        for (int second = 0; second < 3; second++) {
            for (int i = 0; i < 5_000; i++) {
                sink.record(Kind.LOGIN_FAILED, "user" + i, "10.0." + (i % 250) + "." + second, "");
                sink.record(Kind.LOGIN_FAILED, "user" + i, "10.0." + (i % 250) + "." + second, ""); // a repeat
            }
            clock.advance(Duration.ofSeconds(1));
        }
        sink.flush();
        int bound = 3 * (2 * SecurityEvents.MAX_RECORDS_PER_SECOND + 1);
        assertEquals(bound, log.kept.size(), "at most 2 x limit + 1 a second");
        assertEquals(
                3 * 10_000L,
                log.kept.stream().mapToLong(SecurityEvent::repeated).sum(),
                "every occurrence is counted");
        assertTrue(log.kept.stream().anyMatch(e -> e.user().equals("*") && e.repeated() == 10_000 - 100));
    }

    @Test
    void eventsTheLogHasNoRoomForAreCountedNotWaitedFor() {
        log.full = true;
        sink.record(Kind.OPERATION_DENIED, "Bob", "10.0.0.1", "report FORBIDDEN");
        sink.record(Kind.OPERATION_DENIED, "Carol", "10.0.0.1", "report FORBIDDEN");
        assertEquals(2, sink.dropped());
        assertEquals(List.of(), log.kept);
    }
}
