package com.abcbank.server.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abcbank.ledger.ErrorCode;
import com.abcbank.ledger.Outcome;
import com.abcbank.protocol.Result;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The replies of an applied entry, as they cross from the state machine to the node that proposed it. */
class EntriesTest {
    private static final Result.Tx TRANSFER = new Result.Tx(
            41, "2026-12-03T18:00:00.000001Z", "transfer", 2_50, null, null, "1001", 97_50L, "1002", 2_50L, null, null);
    private static final Result.Tx LOAN = new Result.Tx(
            42,
            "2026-12-03T18:00:01Z",
            "apply_loan",
            1_000_00,
            "1001",
            1_097_50L,
            null,
            null,
            null,
            null,
            "5001",
            1_000_00L);

    private static List<Outcome<?>> roundTrip(List<Outcome<?>> outcomes) throws IOException {
        return Entries.readReplies(Entries.replies(outcomes));
    }

    @Test
    void resultsAndRefusalsComeBackAsTheyWere() throws IOException {
        String quoted = "no account \"é\u20ac" + "x".repeat(70_000) + "\""; // longer than writeUTF's 64 kB
        List<Outcome<?>> sent = List.of(
                Outcome.ok(TRANSFER),
                Outcome.ok(LOAN),
                Outcome.ok(new Result.User("alice", "CUSTOMER")),
                Outcome.ok(new Result.User("Audit", "AUDITOR", "v=c2lnbmF0dXJl")),
                Outcome.fail(ErrorCode.INSUFFICIENT_FUNDS, "account 1001 holds 97.50"),
                Outcome.fail(ErrorCode.UNKNOWN_ACCOUNT, quoted));

        List<Outcome<?>> back = roundTrip(sent);

        assertEquals(sent.size(), back.size());
        for (int i = 0; i < sent.size(); i++) {
            Outcome<?> s = sent.get(i);
            Outcome<?> b = back.get(i);
            assertEquals(s.isOk(), b.isOk(), "reply " + i);
            if (s.isOk()) {
                assertEquals(s.value(), b.value(), "reply " + i);
            } else {
                assertEquals(s.error(), b.error(), "reply " + i);
                assertEquals(s.message(), b.message(), "reply " + i);
            }
        }
        assertEquals(List.of(), roundTrip(List.of()));
    }

    @Test
    void aResultOfAnotherShapeIsAnsweredAsTheMistakeItIs() throws IOException {
        Outcome<?> back = roundTrip(List.of(Outcome.ok(new Result.Challenge("r=nonce,s=salt,i=4096"))))
                .get(0);

        assertFalse(back.isOk());
        assertEquals(ErrorCode.INTERNAL_ERROR, back.error());
        assertTrue(back.message().contains("Challenge"), back.message());
    }

    @Test
    void damagedRepliesAreRefusedNotMisread() {
        byte[] good = Entries.replies(List.of(Outcome.ok(TRANSFER), Outcome.fail(ErrorCode.FORBIDDEN, "not yours")));

        for (int cut = 0; cut < good.length; cut++) {
            byte[] shorter = Arrays.copyOf(good, cut);
            assertThrows(IOException.class, () -> Entries.readReplies(shorter), "cut at " + cut);
        }
        byte[] longer = Arrays.copyOf(good, good.length + 1);
        assertThrows(IOException.class, () -> Entries.readReplies(longer));
        byte[] unknownKind = good.clone();
        unknownKind[4] = 9; // the first reply's kind
        assertThrows(IOException.class, () -> Entries.readReplies(unknownKind));
        byte[] unknownCode = Entries.replies(List.of(Outcome.fail(ErrorCode.FORBIDDEN, "not yours")));
        unknownCode[4 + 1 + 2] = 'X'; // FORBIDDEN becomes XORBIDDEN
        assertThrows(IOException.class, () -> Entries.readReplies(unknownCode));
        byte[] tooMany = good.clone();
        tooMany[0] = 0x7f; // a count far above any entry's
        assertThrows(IOException.class, () -> Entries.readReplies(tooMany));
    }
}
