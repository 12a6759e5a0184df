package com.abcbank.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abcbank.journal.JournalTest.Bank;
import com.abcbank.journal.SecurityEvent.Kind;
import com.abcbank.ledger.Caller;
import com.abcbank.ledger.Tellers;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Security events in the journal: chained between transactions without taking their numbers, listed by page and
 * filter from the files, kept across restarts (from the whole journal and from a snapshot), checked by the chain.
 */
class SecurityEventJournalTest {
    private static final Caller ALICE = Caller.customer("alice");
    private static final Instant T0 = Instant.parse("2026-12-02T09:00:00Z");
    private static final Kind[] KINDS = Kind.values();

    @TempDir
    Path tmp;

    private static SecurityEvent event(int i) {
        return SecurityEvent.of(
                T0.plusSeconds(i), KINDS[i % KINDS.length], "user" + (i % 3), "127.0.0." + (i % 5), "detail " + i);
    }

    /** Commits a deposit between every two events: {@code events} events, and returns how many transactions. */
    private static long interleave(Bank bank, int events, int from) {
        long txs = 0;
        for (int i = from; i < from + events; i++) {
            assertTrue(bank.journal().recordSecurityEvent(event(i)));
            if (i % 2 == 0) {
                JournalTest.commit(bank, Tellers.deposit(bank.ledger(), ALICE, "1001", 1 + i));
                txs++;
            }
        }
        return txs;
    }

    private static List<SecurityEvent> all(Journal journal, SecurityEventQuery first) throws Exception {
        List<SecurityEvent> found = new ArrayList<>();
        SecurityEventQuery query = first;
        for (int pages = 0; pages < 1_000; pages++) {
            SecurityEventPage page = journal.securityEvents(query);
            found.addAll(page.entries());
            if (page.next() == null) {
                return found;
            }
            query = new SecurityEventQuery(
                    page.next(), query.limit(), query.kind(), query.user(), query.from(), query.to());
        }
        throw new AssertionError("paging does not end");
    }

    private static SecurityEventQuery pageOf(int limit) {
        return new SecurityEventQuery(0, limit, null, null, null, null);
    }

    private static void assertEvents(int count, List<SecurityEvent> listed) {
        assertEquals(count, listed.size());
        for (int i = 0; i < count; i++) {
            SecurityEvent expected = event(i).numbered(i + 1);
            assertEquals(expected, listed.get(i), "event " + (i + 1));
        }
    }

    @ParameterizedTest
    @EnumSource(
            value = Durability.class,
            names = {"FSYNC", "BATCH"})
    void eventsAreChainedBetweenTransactionsListedByPageAndKeptAcrossARestart(Durability durability) throws Exception {
        Path dir = tmp.resolve("journal");
        int events = 45; // more than two strides of the sparse index, over several segments
        long txs;
        try (Bank bank = JournalTest.open(dir, durability, 2_048)) {
            JournalTest.commit(bank, Tellers.createAccount(bank.ledger(), ALICE, "1001", 100));
            txs = 1 + interleave(bank, events, 0);
            assertEquals(txs, bank.ledger().lastSeq(), "events take no transaction number");
            assertEvents(events, all(bank.journal(), pageOf(7)));
        }
        assertTrue(Segments.list(dir).size() > 1, "several segments");
        try (Bank bank = JournalTest.open(dir, durability, 2_048)) {
            assertEquals(txs, bank.ledger().lastSeq());
            assertEquals(txs, bank.recovery().records());
            assertEvents(events, all(bank.journal(), pageOf(7)));
            assertEvents(events, all(bank.journal(), pageOf(1_000)));

            // more after the restart: numbered on from the recovered ones
            txs += interleave(bank, 5, events);
            assertEvents(events + 5, all(bank.journal(), pageOf(16)));

            var report = bank.journal().verify(bank.ledger().snapshot()).orElseThrow();
            assertTrue(report.ok(), report.problems()::toString);
            assertEquals(txs, report.transactions());
            assertTrue(report.events() >= events + 4, "verify counts the events it read: " + report.events());
        }
    }

    @Test
    void aListingBeforeTheStartUpCountEndsIsNotReadyNotAStorageFailure() throws Exception {
        Path segment = tmp.resolve("journal-00000000000000000001.log");
        Files.write(segment, new byte[0]);
        SecurityEventIndex index = new SecurityEventIndex(List.of(segment), segment, 0); // not started: counting
        assertFalse(index.ready());
        NotReadyException e = assertThrows(NotReadyException.class, () -> index.page(pageOf(10)));
        assertTrue(e.getMessage().contains("retry"), e.getMessage());
    }

    @Test
    void filtersByKindUserAndTimeRangeAcrossPages() throws Exception {
        try (Bank bank = JournalTest.open(tmp.resolve("journal"), Durability.FSYNC, 4_096)) {
            JournalTest.commit(bank, Tellers.createAccount(bank.ledger(), ALICE, "1001", 100));
            interleave(bank, 60, 0);
            Journal journal = bank.journal();

            List<SecurityEvent> denied =
                    all(journal, new SecurityEventQuery(0, 3, Kind.OPERATION_DENIED, null, null, null));
            assertEquals(12, denied.size());
            denied.forEach(e -> assertEquals(Kind.OPERATION_DENIED, e.kind()));

            List<SecurityEvent> user1 = all(journal, new SecurityEventQuery(0, 5, null, "USER1", null, null));
            assertEquals(20, user1.size(), "user names match regardless of case");
            user1.forEach(e -> assertEquals("user1", e.user()));

            List<SecurityEvent> window =
                    all(journal, new SecurityEventQuery(0, 4, null, null, T0.plusSeconds(10), T0.plusSeconds(20)));
            assertEquals(LongStream.rangeClosed(11, 20).boxed().toList(), numbers(window), "[from, to)");

            SecurityEventPage tail = journal.securityEvents(new SecurityEventQuery(55, 100, null, null, null, null));
            assertEquals(LongStream.rangeClosed(56, 60).boxed().toList(), numbers(tail.entries()));
            assertNull(tail.next(), "the end of what is recorded");
            assertEquals(
                    SecurityEventPage.EMPTY,
                    journal.securityEvents(new SecurityEventQuery(60, 5, null, null, null, null)));
        }
    }

    private static List<Long> numbers(List<SecurityEvent> events) {
        return events.stream().map(SecurityEvent::number).toList();
    }

    @Test
    void eventsAfterTheLastTransactionAreListedAndSurviveARestart() throws Exception {
        Path dir = tmp.resolve("journal");
        try (Bank bank = JournalTest.open(dir, Durability.FSYNC, Journal.DEFAULT_SEGMENT_BYTES)) {
            assertTrue(bank.journal().recordSecurityEvent(event(0)), "an event before any transaction");
            JournalTest.commit(bank, Tellers.createAccount(bank.ledger(), ALICE, "1001", 100));
            assertTrue(bank.journal().recordSecurityEvent(event(1)));
            assertTrue(bank.journal().recordSecurityEvent(event(2)));
            assertEvents(3, all(bank.journal(), pageOf(10)));
        }
        try (Bank bank = JournalTest.open(dir, Durability.FSYNC, Journal.DEFAULT_SEGMENT_BYTES)) {
            assertEquals(1, bank.ledger().lastSeq());
            assertEvents(3, all(bank.journal(), pageOf(10)));
            JournalTest.commit(bank, Tellers.deposit(bank.ledger(), ALICE, "1001", 5)); // chains to event 3
        }
        try (Bank bank = JournalTest.open(dir, Durability.FSYNC, Journal.DEFAULT_SEGMENT_BYTES)) {
            assertEquals(2, bank.ledger().lastSeq());
            assertEvents(3, all(bank.journal(), pageOf(10)));
        }
    }

    @Test
    void aStartFromASnapshotChainsThroughTheEventsAfterIt() throws Exception {
        Path dir = tmp.resolve("journal");
        try (Bank bank = JournalTest.open(dir, Durability.FSYNC, 1)) { // every batch its own segment
            JournalTest.commit(bank, Tellers.createAccount(bank.ledger(), ALICE, "1001", 100));
            JournalTest.commit(bank, Tellers.deposit(bank.ledger(), ALICE, "1001", 5));
            bank.journal().recordSecurityEvent(event(0));
            all(bank.journal(), pageOf(10)); // waits until it is durable: its own batch
            JournalTest.commit(bank, Tellers.deposit(bank.ledger(), ALICE, "1001", 6));
        }
        List<Long> replayed = new ArrayList<>();
        JournalReader.Result read =
                JournalReader.read(dir, 2, RecordCodec.NO_PREVIOUS, false, tx -> replayed.add(tx.seq()));
        assertEquals(List.of(3L), replayed, "tx 3 chains to the event before it, which chains to tx 2");
        assertEquals(1, read.events());
    }

    @Test
    void anEditedOrRemovedEventBreaksTheChain() throws Exception {
        Path dir = tmp.resolve("journal");
        try (Bank bank = JournalTest.open(dir, Durability.FSYNC, Journal.DEFAULT_SEGMENT_BYTES)) {
            JournalTest.commit(bank, Tellers.createAccount(bank.ledger(), ALICE, "1001", 100));
            bank.journal().recordSecurityEvent(SecurityEvent.of(T0, Kind.LOGIN_FAILED, "mallory", "10.0.0.9", ""));
            all(bank.journal(), pageOf(10));
            JournalTest.commit(bank, Tellers.deposit(bank.ledger(), ALICE, "1001", 5));
        }
        Path segment = Segments.list(dir).get(0);
        byte[] original = Files.readAllBytes(segment);
        List<Integer> starts = JournalTest.frameStarts(original);
        assertEquals(3, starts.size());
        int event = starts.get(1);
        assertTrue(RecordCodec.isEvent(JournalTest.payloadAt(original, event)));

        // edited: "mallory" becomes "mallorz", the frame's CRC made to match (a deliberate edit, not a bit flip)
        byte[] edited = original.clone();
        int at = indexOf(edited, "mallory".getBytes(StandardCharsets.US_ASCII), event) + 6;
        edited[at] = 'z';
        int length = ByteBuffer.wrap(edited).getInt(event);
        ByteBuffer.wrap(edited).putInt(event + 4, Frames.crc(edited, event + Frames.HEADER_BYTES, length));
        Files.write(segment, edited);
        JournalCorruptedException e =
                assertThrows(JournalCorruptedException.class, () -> JournalTest.open(dir, Durability.FSYNC, 1 << 20));
        assertTrue(e.getMessage().contains("does not chain"), e::getMessage);

        // removed: the transaction after it no longer chains
        byte[] removed = new byte[original.length - (starts.get(2) - event)];
        System.arraycopy(original, 0, removed, 0, event);
        System.arraycopy(original, starts.get(2), removed, event, original.length - starts.get(2));
        Files.write(segment, removed);
        e = assertThrows(JournalCorruptedException.class, () -> JournalTest.open(dir, Durability.FSYNC, 1 << 20));
        assertTrue(e.getMessage().contains("does not chain"), e::getMessage);

        Files.write(segment, original);
        try (Bank bank = JournalTest.open(dir, Durability.FSYNC, 1 << 20)) {
            assertEquals(2, bank.ledger().lastSeq(), "the original starts");
        }
    }

    private static int indexOf(byte[] bytes, byte[] part, int from) {
        outer:
        for (int i = from; i <= bytes.length - part.length; i++) {
            for (int j = 0; j < part.length; j++) {
                if (bytes[i + j] != part[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }

    @Test
    void textIsBoundedAndSanitizedAndSurvivesTheCodec() throws Exception {
        String hostile = "eve\u001b[31m\nFAKE LOG LINE\u0000\u202e" + "x".repeat(500) + "\ud83d\ude00";
        SecurityEvent event = SecurityEvent.of(T0, Kind.LOGIN_FAILED, hostile, hostile, hostile);
        assertEquals(SecurityEvent.MAX_USER_CHARS, event.user().length());
        assertEquals(SecurityEvent.MAX_DETAIL_CHARS, event.detail().length());
        assertTrue(event.user().startsWith("eve?[31m?FAKE LOG LINE??x"), event.user());
        assertEquals("?", SecurityEvent.of(T0, Kind.LOCKOUT, "\u2028", "", "").user());
        assertTrue(event.user().endsWith("..."));
        assertFalse(event.detail().chars().anyMatch(Character::isISOControl));

        SecurityEvent back = RecordCodec.decodeEvent(RecordCodec.encodeEvent(event), 9);
        assertEquals(event.numbered(9), back);
        assertThrows(
                java.io.IOException.class,
                () -> RecordCodec.decode(RecordCodec.encodeEvent(event)),
                "not a transaction");
    }

    @Test
    void withoutAJournalTheLastEventsAreKeptInMemory() throws Exception {
        try (Bank bank = JournalTest.open(tmp.resolve("none"), Durability.NONE, 1 << 20)) {
            for (int i = 0; i < 20; i++) {
                assertTrue(bank.journal().recordSecurityEvent(event(i)));
            }
            assertEvents(20, all(bank.journal(), pageOf(6)));
        }
    }
}
