package com.abcbank.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.abcbank.ledger.ErrorCode;
import com.abcbank.protocol.Request;
import com.abcbank.protocol.Result;
import com.abcbank.protocol.Scram;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The audit trail end to end: failed and throttled logins and denied operations become events, the auditor lists
 * them by page and filter, a customer may not (and that is an event too), they survive a restart, and no password
 * appears in the journal, the events or the log.
 */
class SecurityEventsTest {
    private static final Instant START = Instant.parse("2026-12-02T10:00:00Z");
    private static final String GUESS = "hunter2-wrong-guess";

    @TempDir
    Path dataDir;

    /**
     * A wrong login: its refusal code. The one place test code sends a password that fails, so that it can follow the
     * login exchange when that changes (SCRAM).
     */
    private static ErrorCode wrongLogin(TestClient client, String user, String password) throws IOException {
        return client.loginError(user, password);
    }

    private static List<Result.SecurityEvent> list(TestClient auditor, Request.ShowSecurityEvents first)
            throws IOException {
        List<Result.SecurityEvent> all = new ArrayList<>();
        Request.ShowSecurityEvents request = first;
        for (int pages = 0; pages < 100; pages++) {
            Result.SecurityEvents page = auditor.ok(request, Result.SecurityEvents.class);
            all.addAll(page.entries());
            if (page.next() == null) {
                return all;
            }
            request = new Request.ShowSecurityEvents(
                    page.next(), first.limit(), first.kind(), first.user(), first.from(), first.to());
        }
        throw new AssertionError("paging does not end");
    }

    private static List<Result.SecurityEvent> all(TestClient auditor) throws IOException {
        return list(auditor, new Request.ShowSecurityEvents(null, null, null, null, null, null));
    }

    /** How many occurrences each kind's records stand for. */
    private static Map<String, Integer> occurrences(List<Result.SecurityEvent> events) {
        Map<String, Integer> byKind = new TreeMap<>();
        events.forEach(e -> byKind.merge(e.kind(), e.repeated(), Integer::sum));
        return byKind;
    }

    /** Seven wrong guesses for Alice, a customer asking for the report and the trail: returns the codes seen. */
    private static Map<String, Integer> attack(TestServer bank) throws IOException {
        bank.customer("Alice");
        TestClient mallory = bank.connect();
        Map<String, Integer> codes = new TreeMap<>();
        for (int i = 0; i < 7; i++) {
            codes.merge(wrongLogin(mallory, "Alice", GUESS).name(), 1, Integer::sum);
        }
        TestClient bob = bank.customer("Bob");
        assertEquals(ErrorCode.FORBIDDEN, bob.error(new Request.Report()));
        assertEquals(
                ErrorCode.FORBIDDEN,
                bob.error(new Request.ShowSecurityEvents(null, null, null, null, null, null)),
                "a customer may not list the trail");
        return codes;
    }

    @Test
    void failedAndThrottledLoginsAndDeniedOperationsAreListedToTheAuditorOnly() throws Exception {
        MutableClock clock = new MutableClock(START);
        try (TestServer bank = TestServer.start(TestServer.config(dataDir), clock)) {
            Map<String, Integer> codes = attack(bank);
            assertEquals(7, codes.get("BAD_CREDENTIALS") + codes.get("THROTTLED"), codes::toString);
            assertTrue(codes.get("THROTTLED") > 0, codes::toString);
            clock.advance(Duration.ofSeconds(1));
            bank.server.securityEvents().flush(); // the second is over: its repeats are written as counts

            TestClient auditor = bank.audit();
            List<Result.SecurityEvent> events = all(auditor);
            assertEquals(
                    Map.of(
                            "LOGIN_FAILED",
                            codes.get("BAD_CREDENTIALS"),
                            "LOGIN_THROTTLED",
                            codes.get("THROTTLED"),
                            "LOCKOUT",
                            1,
                            "OPERATION_DENIED",
                            2),
                    occurrences(events));
            Result.SecurityEvent first = events.get(0);
            assertEquals(1, first.event());
            assertEquals("LOGIN_FAILED", first.kind());
            assertEquals("Alice", first.user());
            assertEquals("127.0.0.1", first.address());
            assertEquals(START.toString(), first.time());
            assertEquals(1, first.repeated(), "the first of a second is recorded at once");
            assertTrue(events.size() <= 7, "a flood of one name from one address is a few records: " + events);
            for (int i = 0; i < events.size(); i++) {
                assertEquals(i + 1, events.get(i).event(), "numbered in order");
            }

            List<Result.SecurityEvent> denied =
                    list(auditor, new Request.ShowSecurityEvents(null, 1, "operation_denied", null, null, null));
            assertEquals(
                    List.of("report FORBIDDEN", "show_security_events FORBIDDEN"),
                    denied.stream().map(Result.SecurityEvent::detail).toList());
            denied.forEach(e -> assertEquals("Bob", e.user()));
            assertEquals(denied, list(auditor, new Request.ShowSecurityEvents(null, 1, null, "bob", null, null)));
            assertEquals(events, list(auditor, new Request.ShowSecurityEvents(null, 2, null, null, null, null)));
            assertEquals(
                    List.of(),
                    list(auditor, new Request.ShowSecurityEvents(null, null, null, null, null, START.toString())),
                    "to is exclusive");
            assertEquals(
                    ErrorCode.INVALID_ARGUMENT,
                    auditor.error(new Request.ShowSecurityEvents(null, null, "STEAL", null, null, null)));
            assertEquals(
                    ErrorCode.INVALID_ARGUMENT,
                    auditor.error(new Request.ShowSecurityEvents(null, 1_001, null, null, null, null)));

            Result.Verify verify = auditor.ok(new Request.Verify(), Result.Verify.class);
            assertTrue(verify.ok(), verify.problems()::toString);
        }
    }

    @Test
    void aPasswordChangeIsAnEventAndNoKeyIsInIt() throws Exception {
        MutableClock clock = new MutableClock(START);
        try (TestServer bank = TestServer.start(TestServer.config(dataDir), clock)) {
            TestClient alice = bank.customer("Alice");
            Scram.Verifier verifier = Scram.newKeys("a-new-password".toCharArray(), Scram.MIN_ITERATIONS)
                    .verifier();
            alice.ok(new Request.Passwd(verifier), Result.User.class);
            List<Result.SecurityEvent> events = all(bank.audit());
            assertEquals(1, events.size(), events::toString);
            assertEquals("PASSWORD_CHANGED", events.get(0).kind());
            assertEquals("Alice", events.get(0).user());
            assertFalse(events.get(0).detail().contains(Scram.base64(verifier.storedKey())));
        }
    }

    @Test
    void eventsSurviveARestartAndNoPasswordIsInTheJournalTheEventsOrTheLog() throws Exception {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        Level level = root.getLevel();
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        root.addAppender(logged);
        root.setLevel(Level.DEBUG); // request lines are logged at DEBUG: the masking must hold there too
        List<Result.SecurityEvent> before;
        MutableClock clock = new MutableClock(START);
        try {
            try (TestServer bank = TestServer.start(TestServer.config(dataDir), clock)) {
                attack(bank);
                clock.advance(Duration.ofSeconds(1));
                bank.server.securityEvents().flush();
                before = all(bank.audit());
                assertFalse(before.isEmpty());
            }
            try (TestServer bank = TestServer.start(TestServer.config(dataDir), clock)) {
                TestClient auditor = bank.audit();
                assertEquals(before, all(auditor), "the same trail after a restart");
                bank.customer("Carol").ok(new Request.CreateAccount("5555", null, null), Result.Tx.class); // after them
                assertTrue(auditor.ok(new Request.Verify(), Result.Verify.class).events() >= before.size());
            }
        } finally {
            root.setLevel(level);
            root.detachAppender(logged);
        }
        byte[] secret = GUESS.getBytes(StandardCharsets.UTF_8);
        try (Stream<Path> files = Files.walk(dataDir)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                assertFalse(contains(Files.readAllBytes(file), secret), "the guess is in " + file);
            }
        }
        assertFalse(before.toString().contains(GUESS), "in the events");
        assertFalse(logged.list.isEmpty(), "the log was captured");
        for (ILoggingEvent line : logged.list) {
            String text = line.getFormattedMessage()
                    + (line.getThrowableProxy() == null
                            ? ""
                            : line.getThrowableProxy().getMessage());
            assertFalse(text.contains(GUESS), "in the log: " + text);
            assertFalse(text.contains(TestServer.PASSWORD), "in the log: " + text);
        }
    }

    private static boolean contains(byte[] bytes, byte[] part) {
        outer:
        for (int i = 0; i <= bytes.length - part.length; i++) {
            for (int j = 0; j < part.length; j++) {
                if (bytes[i + j] != part[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    @Test
    void aCustomerWhoIsRefusedLeavesOneEventPerSecondAndACount() throws Exception {
        MutableClock clock = new MutableClock(START);
        try (TestServer bank = TestServer.start(TestServer.config(dataDir), clock)) {
            TestClient bob = bank.customer("Bob");
            for (int i = 0; i < 500; i++) {
                assertEquals(ErrorCode.FORBIDDEN, bob.error(new Request.ShowAccountholders()));
            }
            clock.advance(Duration.ofSeconds(1));
            bank.server.securityEvents().flush();
            List<Result.SecurityEvent> events = all(bank.audit());
            assertEquals(2, events.size(), events::toString);
            assertEquals(1, events.get(0).repeated());
            assertEquals(499, events.get(1).repeated());
            assertEquals("show_accountholders FORBIDDEN", events.get(0).detail());
            assertEquals(
                    "again within the second: show_accountholders FORBIDDEN",
                    events.get(1).detail());
        }
    }
}
