package com.abcbank.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A transaction names its debit and its credit, and refuses any other shape of postings. */
class TransactionTest {
    private static final Instant T = Instant.parse("2026-12-01T00:00:00Z");

    private static Transaction tx(TxType type, List<Posting> postings) {
        return new Transaction(1, T, type, "alice", type == TxType.OPEN_ACCOUNT ? "1001" : null, postings, null);
    }

    @Test
    void theDebitIsTheFirstLegAndTheCreditTheSecond() {
        Posting debit = new Posting("VAULT-00", -500, -500);
        Posting credit = new Posting("1001", 500, 700);
        Transaction deposit = tx(TxType.DEPOSIT, List.of(debit, credit));
        assertEquals(debit, deposit.debit());
        assertEquals(credit, deposit.credit());
        assertEquals(500, deposit.amountCents());
    }

    @Test
    void anOpeningWithoutMoneyHasNeitherLeg() {
        Transaction opening = tx(TxType.OPEN_ACCOUNT, List.of());
        assertNull(opening.debit());
        assertNull(opening.credit());
        assertEquals(0, opening.amountCents());
    }

    @Test
    void onlyAnOpeningMayMoveNoMoney() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> tx(TxType.DEPOSIT, List.of()));
        assertTrue(e.getMessage().contains("moves no money"), e.getMessage());
    }

    @Test
    void creditFirstIsRefused() {
        IllegalStateException e = assertThrows(
                IllegalStateException.class,
                () -> tx(TxType.TRANSFER, List.of(new Posting("2001", 500, 500), new Posting("1001", -500, 0))));
        assertTrue(e.getMessage().contains("debit first"), e.getMessage());
    }

    @Test
    void unequalLegsDoNotBalance() {
        assertThrows(
                IllegalStateException.class,
                () -> tx(TxType.TRANSFER, List.of(new Posting("1001", -500, 0), new Posting("2001", 400, 400))));
    }

    @Test
    void threeLegsAreRefusedEvenWhenTheyBalance() {
        IllegalStateException e = assertThrows(
                IllegalStateException.class,
                () -> tx(
                        TxType.TRANSFER,
                        List.of(
                                new Posting("1001", -500, 0),
                                new Posting("2001", 250, 250),
                                new Posting("3001", 250, 250))));
        assertTrue(e.getMessage().contains("3 postings"), e.getMessage());
    }

    @Test
    void aTransferToItselfIsRefused() {
        assertThrows(
                IllegalStateException.class,
                () -> tx(TxType.TRANSFER, List.of(new Posting("1001", -500, 0), new Posting("1001", 500, 500))));
    }
}
