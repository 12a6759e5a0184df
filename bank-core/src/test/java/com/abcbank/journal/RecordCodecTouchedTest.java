package com.abcbank.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.abcbank.ledger.Posting;
import com.abcbank.ledger.Transaction;
import com.abcbank.ledger.TxType;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the indexer reads of a record without decoding it: the accounts it touches, once each, in either path. */
class RecordCodecTouchedTest {
    private static String[] touched(Transaction tx) throws Exception {
        String[] out = new String[3];
        int count = RecordCodec.touched(RecordCodec.encode(tx, RecordCodec.NO_PREVIOUS), out);
        return Arrays.copyOf(out, count);
    }

    @Test
    void anOpeningWithADepositTouchesTheVaultAndTheNewAccountOnce() throws Exception {
        Transaction tx = new Transaction(
                7,
                Instant.EPOCH,
                TxType.OPEN_ACCOUNT,
                "alice",
                "1001",
                List.of(new Posting("VAULT-03", -500, -500), new Posting("1001", 500, 500)),
                "key-1");
        assertEquals(List.of("1001", "VAULT-03"), List.of(touched(tx)));
    }

    @Test
    void anOpeningWithoutMoneyTouchesOnlyTheNewAccount() throws Exception {
        Transaction tx = new Transaction(8, Instant.EPOCH, TxType.OPEN_ACCOUNT, "bob", "2002", List.of(), null);
        assertEquals(List.of("2002"), List.of(touched(tx)));
    }

    @Test
    void aTransferWithANonAsciiUserAndKeyTouchesBothAccounts() throws Exception {
        Transaction tx = new Transaction(
                9,
                Instant.EPOCH,
                TxType.TRANSFER,
                "zoë",
                null,
                List.of(new Posting("1001", -5, 10), new Posting("2002", 5, 5)),
                "clé");
        assertEquals(List.of("1001", "2002"), List.of(touched(tx)));
    }

    @Test
    void aNonAsciiAccountNumberTakesTheGeneralPath() throws Exception {
        Transaction tx = new Transaction(
                10,
                Instant.EPOCH,
                TxType.TRANSFER,
                "alice",
                null,
                List.of(new Posting("1001", -5, 10), new Posting("ÀB", 5, 5)),
                null);
        assertEquals(List.of("1001", "ÀB"), List.of(touched(tx)));
    }
}
